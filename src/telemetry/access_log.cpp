#include "telemetry/access_log.h"

#include <chrono>

#include "common/json_writer.h"

namespace tiergate::telemetry {

void AccessLog::write(const AccessRecord& r) {
  if (!enabled_) return;
  std::string line;
  line.reserve(384);
  JsonWriter w(line);
  auto now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  w.begin_object()
      .field("ts", now)
      .field("request_id", r.request_id)
      .field("method", r.method)
      .field("path", r.path)
      .field("status", r.status);
  if (!r.tenant.empty()) w.field("tenant", r.tenant);
  if (!r.requested_model.empty()) w.field("model", r.requested_model);
  if (!r.tier.empty()) {
    w.field("tier", r.tier);
    w.key("reasons").begin_array();
    for (const auto& s : r.reasons) w.value(s);
    w.end_array();
    w.field("stream", r.stream)
        .field("prompt_tokens", r.prompt_tokens)
        .field("completion_tokens", r.completion_tokens)
        .field("cost_usd", r.cost_usd);
    if (r.ttft_ms >= 0) w.field("ttft_ms", r.ttft_ms);
  }
  w.field("total_ms", r.total_ms);
  if (!r.finish_reason.empty()) w.field("finish_reason", r.finish_reason);
  if (!r.privacy_action.empty()) w.field("privacy_action", r.privacy_action);
  if (!r.privacy_entities.empty()) w.field("privacy_entities", r.privacy_entities);
  if (!r.error_code.empty()) w.field("error", r.error_code);
  w.end_object();
  line += '\n';
  std::lock_guard lock(mu_);
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

}  // namespace tiergate::telemetry
