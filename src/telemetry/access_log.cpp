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
    if (r.complexity > -1e299) w.field("complexity", r.complexity);
    if (r.latency_budget_ms >= 0) w.field("latency_budget_ms", r.latency_budget_ms);
    if (r.predicted_ttft_ms >= 0) w.field("predicted_ttft_ms", r.predicted_ttft_ms);
    if (r.predicted_total_ms >= 0) w.field("predicted_total_ms", r.predicted_total_ms);
    if (r.all_cloud_cost_usd >= 0) w.field("all_cloud_cost_usd", r.all_cloud_cost_usd);
    if (!r.attempts.empty()) {
      w.key("failed_attempts").begin_array();
      for (const auto& a : r.attempts) w.value(a);
      w.end_array();
    }
    if (r.escalated) w.field("escalated", true);
    if (r.hedged) w.field("hedged", true);
    if (r.degraded) w.field("degraded", true);
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
