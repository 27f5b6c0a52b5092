#pragma once
// The router's answer for one request: which tier, what to try next, why, and the signals and
// predictions it was based on. Pure data; `tiergate explain` prints it, the access log records it.

#include <cmath>
#include <cstdint>
#include <optional>
#include <vector>

#include "route/policy/reasons.h"

namespace tiergate::route {

// Predicted latency of one tier for one request, from its live statistics (or the configured
// priors until it has served something).
struct TierPrediction {
  int tier = -1;
  double queue_ms = 0;  // waiting for a slot (edge)
  double ttft_ms = 0;   // time to first token, from dispatch
  double total_ms = 0;  // time to the last token
  bool measured = false;  // false: from priors only
  bool meets_budget = true;
};

// A tier taken out of consideration, and why.
struct Exclusion {
  int tier = -1;
  Reason reason = Reason::kCapability;
};

struct RouteDecision {
  int tier = -1;               // index into the configured tiers
  std::vector<int> fallbacks;  // tried in order when the chosen tier fails before the first byte
  ReasonSet reasons;
  bool redact = false;     // untrusted tiers get the request only after redaction (privacy: redact)
  bool wanted_cloud = false;  // the quality signal asked for a cloud tier
  int escalate_to = -1;       // cascade: when the edge is unsure, this tier serves instead
  int hedge_with = -1;        // hedging: start this tier too; the first token wins

  // Signals.
  double complexity = NAN;  // score; NaN when no quality signal is configured
  double threshold = NAN;   // the cloud threshold in force (after budget pacing)
  std::optional<double> latency_budget_ms;
  bool budget_on_ttft = false;  // streaming: the budget bounds time to first token, else total
  int64_t prompt_tokens = 0;    // estimated
  int64_t output_tokens = 0;    // expected
  // Tenant budget, when the tenant has one.
  bool has_budget = false;
  double budget_spent_usd = 0;
  double budget_usd = 0;
  double budget_share_scale = 1;
  double estimated_cost_usd = 0;  // of the chosen tier, reserved against the tenant's budget

  std::vector<TierPrediction> predictions;  // candidates only, in preference order
  std::vector<Exclusion> excluded;

  const TierPrediction* prediction(int t) const {
    for (const auto& p : predictions)
      if (p.tier == t) return &p;
    return nullptr;
  }
};

}  // namespace tiergate::route
