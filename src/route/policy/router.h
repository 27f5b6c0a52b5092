#pragma once
// The routing policy. Per request, in this order:
//   1. candidates: `auto` orders every tier by the quality signal (complexity score against the
//      cloud threshold: cloud tiers first for complex requests, edge tiers first otherwise; without
//      a quality signal routing.default_tier first); a tier's name forces that tier alone.
//   2. hard constraints drop tiers: privacy (strict: untrusted tiers), capability (context window,
//      tools, images, JSON mode, logprobs), the tenant's allowed_tiers, the tenant's spent budget
//      (paying cloud tiers; the edge serves on, even when it carries a price), an open circuit
//      breaker. Nothing left is an error naming the constraint.
//   3. deadline: tiers predicted to miss the latency budget move behind those that meet it (kept
//      as fallbacks); when none meets it the fastest goes first.
//   4. what may happen while serving: cascade (edge first, escalate when unsure) or hedging.
// decide() does no I/O and calls no tier: it reads the tiers' live statistics and breakers and the
// tenants' budgets (all lock-free or briefly locked snapshots), so `tiergate explain` runs the same
// code on the same config without any tier.

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/openai/chat.h"
#include "common/error.h"
#include "config/config.h"
#include "route/budget/budget.h"
#include "route/health/circuit_breaker.h"
#include "route/policy/route_decision.h"
#include "route/signals/complexity/complexity_config.h"
#include "route/signals/privacy/policy.h"
#include "tiers/tier.h"

namespace tiergate::route {

// What the router needs to know of each tier, in config order.
struct TierTraits {
  std::string name;
  bool edge = false;     // runs at the edge (quality routing puts it first for easy requests)
  bool trusted = false;  // may see sensitive data
  int64_t context_window = 0;  // tokens; 0 = unknown (not checked)
  bool tools = true;
  bool images = false;
  bool json_mode = true;
  bool logprobs = false;
  double price_input_per_mtok = 0;
  double price_output_per_mtok = 0;
  config::LatencyPrior prior;

  bool paying() const { return price_input_per_mtok > 0 || price_output_per_mtok > 0; }
  double cost_usd(int64_t prompt_tokens, int64_t completion_tokens) const {
    return (double(prompt_tokens) * price_input_per_mtok +
            double(completion_tokens) * price_output_per_mtok) / 1e6;
  }
};

// A tier's traits from its config and what the running tier says of itself.
TierTraits traits_of(const config::TierConfig& config, const TierInfo* info);

// Per-request inputs computed before the decision.
struct RouteSignals {
  privacy::PrivacyAction privacy = privacy::PrivacyAction::kNone;
  const privacy::PrivacyScan* privacy_scan = nullptr;  // for the refusal message
  std::string_view tenant;
  std::optional<double> latency_budget_ms;  // x-tiergate-latency-budget-ms
  bool record = true;  // update adaptive state (the quality signal's drift tracker)
};

struct Now {
  Clock::time_point steady = Clock::now();
  std::chrono::system_clock::time_point wall = std::chrono::system_clock::now();
};

class Router {
 public:
  // Loads the quality signal (model file) and builds breakers and budgets. `stats[i]` is tier i's
  // live statistics; null (or a short vector) means none yet (explain): priors are used.
  static Result<std::unique_ptr<Router>> create(std::shared_ptr<const config::Config> config,
                                                std::vector<TierTraits> tiers,
                                                std::vector<const TierStats*> stats = {});

  // The decision for this request. Thread-safe.
  Result<RouteDecision> decide(const api::ChatRequest& request, const RouteSignals& signals,
                               const Now& now = {}) const;

  const std::vector<TierTraits>& tiers() const { return tiers_; }
  CircuitBreaker& breaker(int tier) const { return *breakers_[tier]; }
  TenantBudget* budget(std::string_view tenant) const { return budgets_->find(tenant); }
  const complexity::ComplexitySignal* quality() const { return quality_ ? &*quality_ : nullptr; }
  // The first paying cloud tier: the reference for "savings versus all-cloud"; -1 when none.
  int reference_cloud_tier() const { return reference_cloud_; }

  // Learns the typical answer length (for latency predictions of requests without max_tokens).
  void observe_completion(int64_t completion_tokens) const;

  // Tokens of a request, estimated without a tokenizer: about 4 bytes a token, plus a few per
  // message for the chat template.
  static int64_t estimate_prompt_tokens(const api::ChatRequest& request);

 private:
  Router() = default;

  std::shared_ptr<const config::Config> config_;
  std::vector<TierTraits> tiers_;
  std::vector<const TierStats*> stats_;
  std::vector<std::unique_ptr<TierStats>> own_stats_;  // for tiers without live statistics
  std::vector<std::unique_ptr<CircuitBreaker>> breakers_;
  std::unique_ptr<BudgetLedger> budgets_;
  std::optional<complexity::ComplexitySignal> quality_;
  int default_tier_ = 0;
  int reference_cloud_ = -1;
  mutable std::atomic<double> expected_output_{0};
};

}  // namespace tiergate::route
