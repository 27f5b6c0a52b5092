#include "route/budget/budget.h"

#include <algorithm>
#include <cmath>

#include "config/yaml_reader.h"

namespace tiergate::route {

namespace ch = std::chrono;

namespace {

// Below this scale a reservation is read as demand at this scale, so that a nearly shut cloud
// does not turn one request into a huge demand estimate.
constexpr double kMinScaleForDemand = 0.05;

}  // namespace

const char* budget_period_name(BudgetPeriod period) {
  switch (period) {
    case BudgetPeriod::kHour:
      return "hour";
    case BudgetPeriod::kDay:
      return "day";
    case BudgetPeriod::kWeek:
      return "week";
    case BudgetPeriod::kMonth:
      return "month";
  }
  return "unknown";
}

PeriodBounds period_bounds(BudgetPeriod period, ch::system_clock::time_point t) {
  const ch::sys_seconds s = ch::floor<ch::seconds>(t);
  switch (period) {
    case BudgetPeriod::kHour: {
      auto start = ch::floor<ch::hours>(s);
      return {start, start + ch::hours(1)};
    }
    case BudgetPeriod::kDay: {
      ch::sys_days d = ch::floor<ch::days>(s);
      return {d, d + ch::days(1)};
    }
    case BudgetPeriod::kWeek: {  // ISO weeks start on Monday
      ch::sys_days d = ch::floor<ch::days>(s);
      ch::sys_days monday = d - (ch::weekday(d) - ch::Monday);
      return {monday, monday + ch::days(7)};
    }
    case BudgetPeriod::kMonth: {
      ch::year_month_day ymd(ch::floor<ch::days>(s));
      ch::year_month first = ymd.year() / ymd.month();
      ch::year_month next = first + ch::months(1);
      return {ch::sys_days(first / 1), ch::sys_days(next / 1)};
    }
  }
  return {s, s + ch::seconds(1)};
}

TenantBudget::TenantBudget(BudgetOptions options) : options_(options) {
  for (int i = 0; i <= kProfileSlots; ++i) profile_cum_[i] = static_cast<double>(i) / kProfileSlots;
}

void TenantBudget::roll(TimePoint now) const {
  if (started_ && now < bounds_.end) return;
  if (started_ && observed_from_start_) learn_profile();
  const bool first = !started_;
  started_ = true;
  bounds_ = period_bounds(options_.period, now);
  committed_ = 0;
  demand_ = 0;
  slot_demand_.fill(0);
  exhausted_slot_ = kProfileSlots;
  // A period is watched from its start if it is the next one after a watched period, or if the
  // process began within its first slot.
  observed_from_start_ = !first || elapsed(now).slot == 0;
}

void TenantBudget::learn_profile() const {
  // Slots from the one the cap was reached in onwards saw no honest demand (nothing was sent):
  // they keep the old profile's share; the watched slots share the rest by what they saw.
  const int watched = exhausted_slot_;
  const double watched_mass = profile_cum_[watched];
  double seen = 0;
  for (int i = 0; i < watched; ++i) seen += slot_demand_[i];
  if (seen <= 0 || watched_mass < 0.5) return;
  const double alpha = learned_periods_ == 0 ? 1.0 : std::max(0.25, 1.0 / (learned_periods_ + 1));
  std::array<double, kProfileSlots + 1> cum{};
  for (int i = 0; i < kProfileSlots; ++i) {
    const double old_share = profile_cum_[i + 1] - profile_cum_[i];
    const double new_share = i < watched ? slot_demand_[i] / seen * watched_mass : old_share;
    cum[i + 1] = cum[i] + (1 - alpha) * old_share + alpha * new_share;
  }
  for (double& c : cum) c /= cum[kProfileSlots];
  profile_cum_ = cum;
  ++learned_periods_;
  prior_demand_ = seen / watched_mass;
}

TenantBudget::Elapsed TenantBudget::elapsed(TimePoint now) const {
  const double length = ch::duration<double>(bounds_.end - bounds_.start).count();
  const double wall =
      std::clamp(ch::duration<double>(now - bounds_.start).count() / length, 0.0, 1.0);
  const double pos = wall * kProfileSlots;
  const int slot = std::min(static_cast<int>(pos), kProfileSlots - 1);
  const double traffic =
      profile_cum_[slot] + (pos - slot) * (profile_cum_[slot + 1] - profile_cum_[slot]);
  return {wall, std::clamp(traffic, 0.0, 1.0), slot};
}

Pace TenantBudget::pace_locked(TimePoint now) const {
  Pace p;
  const Elapsed e = elapsed(now);
  p.budget_usd = options_.usd;
  p.spent_usd = committed_ + reserved_;
  p.elapsed = e.wall;
  p.traffic_elapsed = e.traffic;
  const double left = options_.usd - p.spent_usd;
  if (left <= 0) {
    p.exhausted = true;
    p.share_scale = 0;
    exhausted_slot_ = std::min(exhausted_slot_, e.slot);
    return p;
  }
  // Estimated dollars -> actual dollars, from what committed requests really cost.
  const double ratio = committed_estimates_ > 0 ? committed_actuals_ / committed_estimates_ : 1.0;
  const double prior = prior_demand_ > 0 ? prior_demand_ * ratio : options_.usd;
  const double rate = (demand_ * ratio + prior * kPriorWeight) / (e.traffic + kPriorWeight);
  const double to_come = rate * (1 - e.traffic);
  const double sigma = to_come > 0 ? std::clamp(left / to_come, 0.0, 1.0) : 1.0;
  p.share_scale = std::clamp(1 - options_.pacing * (1 - sigma), 0.0, 1.0);
  return p;
}

Pace TenantBudget::pace(TimePoint now) const {
  std::lock_guard lock(mu_);
  roll(now);
  return pace_locked(now);
}

void TenantBudget::reserve(double estimated_usd, TimePoint now) {
  std::lock_guard lock(mu_);
  roll(now);
  const Pace p = pace_locked(now);
  const double demand = estimated_usd / std::max(p.share_scale, kMinScaleForDemand);
  demand_ += demand;
  slot_demand_[static_cast<size_t>(elapsed(now).slot)] += demand;
  reserved_ += estimated_usd;
  if (committed_ + reserved_ >= options_.usd) {
    exhausted_slot_ = std::min(exhausted_slot_, elapsed(now).slot);
  }
}

void TenantBudget::commit(double reserved_usd, double actual_usd, TimePoint now) {
  std::lock_guard lock(mu_);
  roll(now);
  reserved_ = std::max(0.0, reserved_ - reserved_usd);
  committed_ += actual_usd;
  committed_estimates_ += reserved_usd;
  committed_actuals_ += actual_usd;
}

BudgetLedger::BudgetLedger(const std::map<std::string, BudgetOptions, std::less<>>& budgets) {
  for (const auto& [tenant, options] : budgets) {
    budgets_.emplace(tenant, std::make_unique<TenantBudget>(options));
  }
}

TenantBudget* BudgetLedger::find(std::string_view tenant) {
  auto it = budgets_.find(tenant);
  return it == budgets_.end() ? nullptr : it->second.get();
}

const TenantBudget* BudgetLedger::find(std::string_view tenant) const {
  auto it = budgets_.find(tenant);
  return it == budgets_.end() ? nullptr : it->second.get();
}

BudgetOptions parse_budget_options(config::YamlReader& reader) {
  BudgetOptions o;
  if (!reader.has("usd")) reader.error("usd", "is required");
  o.usd = reader.number("usd", 0, 1e-6, 1e12);
  const std::string period = reader.str("period", "day");
  if (period == "hour") {
    o.period = BudgetPeriod::kHour;
  } else if (period == "day") {
    o.period = BudgetPeriod::kDay;
  } else if (period == "week") {
    o.period = BudgetPeriod::kWeek;
  } else if (period == "month") {
    o.period = BudgetPeriod::kMonth;
  } else {
    reader.error("period", "must be one of hour, day, week, month");
  }
  o.pacing = reader.number("pacing", o.pacing, 0.0, 1.0);
  reader.reject_unknown();
  return o;
}

}  // namespace tiergate::route
