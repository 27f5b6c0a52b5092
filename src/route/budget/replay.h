#pragma once
// A deterministic replay of synthetic traffic through TenantBudget and the routing rule that reads
// it (budget.h), on a virtual clock: does pacing land a day's spend on the budget, and does the
// cloud get the most complex requests?
//
// Each day: arrivals from a Poisson process whose rate follows a profile (uniform, or diurnal: a
// quiet night, a busy afternoon and a half-hour burst at 10:30 UTC); per request a complexity score
// (mean of three uniforms), input/output tokens (log-normal, longer prompts for higher scores),
// max_tokens 1024, a duration of 1 s + 50 tokens/s. A cloud request reserves its estimate (input +
// max_tokens at cloud prices) at dispatch and commits its actual cost when it ends; edge tiers do
// not pay. The router rule is exactly the production one:
//
//   pace.exhausted -> edge;  else cloud iff score >= max(t(target), t(target * share_scale))
//
// with t(share) = complexity::threshold_from_quantiles over 101 quantiles of a calibration sample.
// Warm-up days come first (same budget, other random traffic of the same shape), so the budget
// learns the traffic profile; the last day is the measured one. Its traffic depends only on the
// seed, so every mode and budget level sees the same requests.
//
// Pure and single-threaded; the same options give the same result on every run.

#include <cstdint>

namespace tiergate::route::replay {

enum class Traffic : uint8_t { kUniform, kDiurnal };
const char* traffic_name(Traffic traffic);

struct ReplayOptions {
  uint64_t seed = 1;
  Traffic traffic = Traffic::kDiurnal;
  double requests_per_day = 40'000;
  double budget_fraction = 0.5;  // budget = this * what unpaced routing spends on the measured day
  double target_share = 0.5;     // the quality router's unpaced cloud share
  double pacing = 1.0;           // BudgetOptions::pacing; 0 = hard cap only
  int warmup_days = 1;           // days replayed before the measured one
  double usd_per_mtok_in = 2.5;  // cloud prices
  double usd_per_mtok_out = 10;
};

// Figures for the measured day (requests that arrived in it).
struct ReplayResult {
  uint64_t requests = 0;
  uint64_t cloud_requests = 0;
  double budget_usd = 0;
  double unpaced_usd = 0;      // what score >= t(target) alone would have spent
  double spent_usd = 0;        // actual cost of the cloud requests dispatched this day
  double max_request_usd = 0;  // the costliest single cloud request (estimate): overshoot bound
  double cloud_share = 0;      // of requests
  double cloud_mean_score = 0;
  double edge_mean_score = 0;
  double optimal_mean_score = 0;  // of the offline-optimal set
  double optimal_recall = 0;      // share of the offline-optimal set sent to the cloud
  double exhausted_at = 1;        // day fraction when the cap was first reached (1: never)
  double threshold_p10 = 0, threshold_p90 = 0;  // spread of the paced threshold over the day

  double spend_ratio() const { return budget_usd > 0 ? spent_usd / budget_usd : 0; }
};

ReplayResult run_replay(const ReplayOptions& options);

}  // namespace tiergate::route::replay
