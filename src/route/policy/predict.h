#pragma once
// Latency prediction for one request on one tier, from the tier's live statistics (moving
// averages published by the tier, read without locks) or, until it has measured them, from its
// configured latency_prior, else from built-in defaults for its location.
//
//   edge:  ttft  = queue wait + prompt tokens / prefill speed + one decode step
//          queue wait = 0 while a slot is free, else (queued + 1) * mean request time / slots
//   cloud: ttft  = measured time to first token (from dispatch: it holds the network round trip
//                  and the upstream's queueing and prefill)
//   both:  total = ttft + (output tokens - 1) / decode speed (per sequence)

#include <cstdint>

#include "config/config.h"
#include "route/policy/route_decision.h"
#include "tiers/tier.h"

namespace tiergate::route {

// Built-in priors: deliberately modest, so an unmeasured tier is not promised to be fast.
inline constexpr double kDefaultEdgePrefillTokensPerS = 200;
inline constexpr double kDefaultEdgeDecodeTokensPerS = 15;
inline constexpr double kDefaultCloudTtftMs = 800;
inline constexpr double kDefaultCloudDecodeTokensPerS = 50;

TierPrediction predict_latency(int tier, bool edge, const config::LatencyPrior& prior,
                               const TierStats& stats, int64_t prompt_tokens,
                               int64_t output_tokens);

}  // namespace tiergate::route
