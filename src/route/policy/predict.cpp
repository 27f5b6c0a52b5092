#include "route/policy/predict.h"

#include <algorithm>

namespace tiergate::route {
namespace {

double pick(double measured, double prior, double fallback) {
  return measured > 0 ? measured : prior > 0 ? prior : fallback;
}

}  // namespace

TierPrediction predict_latency(int tier, bool edge, const config::LatencyPrior& prior,
                               const TierStats& stats, int64_t prompt_tokens,
                               int64_t output_tokens) {
  constexpr auto r = std::memory_order_relaxed;
  TierPrediction p;
  p.tier = tier;
  const double decode_measured = stats.decode_tokens_per_s.load(r);
  const double decode = pick(decode_measured, prior.decode_tokens_per_s,
                             edge ? kDefaultEdgeDecodeTokensPerS : kDefaultCloudDecodeTokensPerS);
  const double step_ms = 1000.0 / decode;
  if (edge) {
    const double prefill_measured = stats.prefill_tokens_per_s.load(r);
    const double prefill =
        pick(prefill_measured, prior.prefill_tokens_per_s, kDefaultEdgePrefillTokensPerS);
    const double own_ms = 1000.0 * double(prompt_tokens) / prefill + step_ms * double(output_tokens);
    const int64_t slots = stats.slots.load(r);
    const int64_t busy = stats.active.load(r) + stats.queue_length.load(r);
    if (slots > 0 && busy >= slots) {
      const double per_request = pick(stats.request_ms.load(r), 0, own_ms);
      p.queue_ms = double(busy - slots + 1) * per_request / double(slots);
    }
    p.ttft_ms = p.queue_ms + 1000.0 * double(prompt_tokens) / prefill + step_ms;
    p.measured = decode_measured > 0 && prefill_measured > 0;
  } else {
    const double ttft_measured = stats.ttft_ms.load(r);
    p.ttft_ms = pick(ttft_measured, prior.ttft_ms, kDefaultCloudTtftMs);
    p.measured = ttft_measured > 0 && decode_measured > 0;
  }
  p.total_ms = p.ttft_ms + step_ms * double(std::max<int64_t>(output_tokens - 1, 0));
  return p;
}

}  // namespace tiergate::route
