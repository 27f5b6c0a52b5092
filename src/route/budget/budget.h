#pragma once
// Tenant spending budgets, and the pacing that spreads a budget over its period.
//
// A tenant has a budget of `usd` per UTC-aligned period (hour, day, ISO week from Monday, calendar
// month). Routing reads a Pace before each decision:
//
//   if pace.exhausted:  edge tiers only (reason budget_exhausted)
//   else:               cloud threshold = max(unpaced threshold,
//                                             threshold_for_share(target_share * pace.share_scale))
//
// so share_scale < 1 raises the bar and only the most complex requests still go to the cloud.
//
// The pacing rule. The best a router can do with hindsight is one threshold for the whole period:
// the one at which the period's cloud spend exactly fills the budget (the most complex requests
// that fit). With the cloud share proportional to share_scale, that is the constant scale sigma* =
// budget / demand, where demand is what the period would cost unpaced. TenantBudget estimates it
// continuously as
//
//   sigma = (budget - spent) / forecast of the unpaced demand still to come this period
//
// - demand seen so far: every reserve(est) made at scale s stands for est / s of unpaced demand
//   (the cloud share is proportional to the scale), converted from estimated to actual dollars by
//   the running actual/estimate ratio of committed requests;
// - the forecast: demand so far per unit of *traffic-weighted* elapsed time g, times (1 - g), with
//   a pseudo-observation of the previous period's demand (or of the budget itself, at first start)
//   weighing kPriorWeight of a period so the first minutes are not noise;
// - g is the share of the period's traffic expected by now, from a profile of kProfileSlots slots
//   learned from previous periods (uniform until one full period has been seen), so a quiet night
//   is not mistaken for a slow day: pacing against observed traffic, not against the wall clock.
//
// It is self-correcting like an integral term: spending ahead of plan leaves less budget for the
// same forecast demand, so sigma falls, and the reverse. Then share_scale = 1 - pacing * (1 -
// sigma) (pacing = 0: no pacing, only the hard cap), and exhausted once committed + reserved >=
// budget, so the period's spend overshoots the budget by at most the requests already dispatched
// when the cap was reached (one, with decisions made one at a time) plus any actual cost above its
// estimate.
//
// Thread-safety: every TenantBudget method may be called from any thread; one small mutex per
// tenant guards its state. BudgetLedger is immutable after construction.

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace tiergate::config {
class YamlReader;
}

namespace tiergate::route {

enum class BudgetPeriod : uint8_t { kHour, kDay, kWeek, kMonth };  // aligned to UTC boundaries

struct BudgetOptions {
  double usd = 0;
  BudgetPeriod period = BudgetPeriod::kDay;
  double pacing = 1.0;  // strength in [0, 1]; 0 = no pacing, only the hard cap
};

// The state that routing reads for one tenant at one instant.
struct Pace {
  double spent_usd = 0;  // committed + reserved (in flight) this period
  double budget_usd = 0;
  double elapsed = 0;          // fraction of the period elapsed (wall clock), [0,1]
  double share_scale = 1;      // multiply the quality router's target cloud share by this, [0,1]
  bool exhausted = false;      // at or over the cap: only non-paying (edge) tiers may be used
  double traffic_elapsed = 0;  // share of the period's traffic expected by now (learned), [0,1]
};

// The UTC-aligned period that `t` falls in: [start, end).
struct PeriodBounds {
  std::chrono::sys_seconds start;
  std::chrono::sys_seconds end;
};
PeriodBounds period_bounds(BudgetPeriod period, std::chrono::system_clock::time_point t);

class TenantBudget {
 public:
  static constexpr int kProfileSlots = 48;      // per period: half-hours of a day
  static constexpr double kPriorWeight = 0.05;  // of a period's traffic, for the demand prior

  explicit TenantBudget(BudgetOptions options);
  TenantBudget(const TenantBudget&) = delete;
  TenantBudget& operator=(const TenantBudget&) = delete;

  // Reading the pace rolls the period over when `now` has left it; otherwise it changes nothing.
  Pace pace(std::chrono::system_clock::time_point now) const;

  // At dispatch: reserve an estimated cost; at the end: replace the reservation with the actual
  // cost (actual may be 0 on failure). Spending is counted in the period `now` falls in; a new
  // period starts from zero, except for reservations still in flight, which carry over and are
  // committed in the period their request ends in.
  // Reserve right after the pace() that sent the request to the cloud: the reservation is read as
  // demand at the current share_scale.
  void reserve(double estimated_usd, std::chrono::system_clock::time_point now);
  void commit(double reserved_usd, double actual_usd, std::chrono::system_clock::time_point now);

  const BudgetOptions& options() const { return options_; }

 private:
  using TimePoint = std::chrono::system_clock::time_point;
  struct Elapsed {
    double wall = 0;     // fraction of the period's time
    double traffic = 0;  // fraction of its expected traffic (profile)
    int slot = 0;
  };

  // REQUIRES: mu_ held (for all of these).
  void roll(TimePoint now) const;  // starts the period `now` is in, learning from the one ended
  Elapsed elapsed(TimePoint now) const;
  Pace pace_locked(TimePoint now) const;
  void learn_profile() const;

  const BudgetOptions options_;

  // All guarded by mu_. Mutable: pace() rolls the period over lazily.
  mutable std::mutex mu_;
  mutable bool started_ = false;
  mutable PeriodBounds bounds_{};
  mutable bool observed_from_start_ = false;  // the period was watched from its first slot
  mutable double committed_ = 0;              // actual USD committed this period
  mutable double reserved_ = 0;               // estimated USD in flight (carries over periods)
  mutable double demand_ = 0;                 // unpaced demand this period, estimated USD
  mutable std::array<double, kProfileSlots> slot_demand_{};
  mutable int exhausted_slot_ = kProfileSlots;  // first slot the cap was reached in
  // Learned across periods.
  mutable std::array<double, kProfileSlots + 1> profile_cum_{};  // cumulative traffic share
  mutable int learned_periods_ = 0;
  mutable double prior_demand_ = 0;  // last fully observed period's demand, estimated USD (0: none)
  mutable double committed_estimates_ = 0;  // lifetime sums for the actual/estimate ratio
  mutable double committed_actuals_ = 0;
};

// All configured tenants' budgets, built once at start-up; lookups are lock-free reads of an
// immutable map; each TenantBudget is internally thread-safe.
class BudgetLedger {
 public:
  explicit BudgetLedger(const std::map<std::string, BudgetOptions, std::less<>>& budgets);
  TenantBudget* find(std::string_view tenant);  // nullptr: no budget for this tenant
  const TenantBudget* find(std::string_view tenant) const;
  size_t size() const { return budgets_.size(); }

 private:
  std::map<std::string, std::unique_ptr<TenantBudget>, std::less<>> budgets_;
};

// Parses {usd: 50, period: day, pacing: 1.0}: usd required (> 0), period one of hour, day, week,
// month (default day), pacing in [0, 1] (default 1). Errors go to the reader; unknown keys are
// rejected.
BudgetOptions parse_budget_options(config::YamlReader& reader);

// "hour", "day", "week", "month".
const char* budget_period_name(BudgetPeriod period);

}  // namespace tiergate::route
