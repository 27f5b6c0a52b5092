#pragma once
// Prometheus metrics. The set of series is fixed at start-up (per tier, per status class), so the
// hot path only touches atomics: no maps, no locks, no allocation. Labels never carry user data.

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/server_stats.h"
#include "route/health/circuit_breaker.h"
#include "route/policy/reasons.h"
#include "route/signals/privacy/entity.h"
#include "tiers/tier.h"

namespace tiergate::telemetry {

// Cumulative histogram with fixed bucket bounds (seconds).
class Histogram {
 public:
  static constexpr std::array<double, 14> kBounds = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                     0.25,  0.5,    1,     2.5,  5,     10,  30};
  void observe(double seconds);
  void render(std::string& out, const std::string& name, const std::string& labels) const;

 private:
  std::array<std::atomic<uint64_t>, kBounds.size() + 1> buckets_{};  // last = +Inf
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0};
};

struct TierMetrics {
  std::string name;
  const Tier* tier = nullptr;  // for live stats
  std::atomic<uint64_t> requests_ok{0};
  std::atomic<uint64_t> requests_failed{0};
  std::atomic<uint64_t> prompt_tokens{0};
  std::atomic<uint64_t> completion_tokens{0};
  std::atomic<double> cost_usd{0};
  std::atomic<uint64_t> fallbacks_from{0};  // attempts here that failed; another tier was tried
  std::atomic<uint64_t> escalated_from{0};  // cascade: this tier was unsure; the answer came from another
  std::atomic<uint64_t> hedges_won{0};      // hedged requests this tier answered first
  Histogram ttft;
  Histogram total;
};

class Metrics {
 public:
  explicit Metrics(const std::vector<const Tier*>& tiers);

  TierMetrics& tier(size_t i) { return *tiers_[i]; }
  // HTTP responses by status class (1..5 for 1xx..5xx).
  void count_response(int status);
  void count_request_error(const char* code);
  // The server's live counters: open connections (a gauge), refused connections, slow readers.
  void watch_server(std::shared_ptr<const http::ServerStats> stats) { server_ = std::move(stats); }
  std::atomic<int64_t>& streams_broken() { return streams_broken_; }
  // Privacy audit: entity counts by type (never values) and the action taken.
  void count_privacy(const privacy::PrivacyScan& scan, std::string_view action);

  void watch_breakers(std::vector<const route::CircuitBreaker*> breakers) { breakers_ = std::move(breakers); }
  // A finished request: by reason code, its tokens and cost; against all-cloud, what the reference
  // cloud tier would have charged for the same tokens.
  void count_route(route::ReasonSet reasons, int64_t tokens, double cost_usd,
                   double reference_cost_usd);
  std::atomic<uint64_t>& degraded() { return degraded_; }

  // The whole exposition, text format 0.0.4.
  std::string render() const;

 private:
  std::vector<std::unique_ptr<TierMetrics>> tiers_;
  std::array<std::atomic<uint64_t>, 6> responses_by_class_{};
  std::shared_ptr<const http::ServerStats> server_;
  std::vector<const route::CircuitBreaker*> breakers_;  // per tier, same order
  static constexpr size_t kReasons = static_cast<size_t>(route::Reason::kCount);
  std::array<std::atomic<uint64_t>, kReasons> reason_requests_{};
  std::array<std::atomic<uint64_t>, kReasons> reason_tokens_{};
  std::array<std::atomic<double>, kReasons> reason_cost_{};
  std::atomic<double> reference_cost_{0};
  std::atomic<double> spent_{0};
  std::atomic<uint64_t> degraded_{0};
  std::atomic<int64_t> streams_broken_{0};
  std::array<std::atomic<uint64_t>, privacy::kEntityTypeCount> privacy_entities_{};
  std::atomic<uint64_t> privacy_scan_failures_{0};
  static constexpr std::array<std::string_view, 4> kPrivacyActions = {"none", "pinned", "redacted",
                                                                      "refused"};
  std::array<std::atomic<uint64_t>, kPrivacyActions.size()> privacy_actions_{};
};

void atomic_add(std::atomic<double>& a, double v);

}  // namespace tiergate::telemetry
