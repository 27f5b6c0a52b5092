#include "route/budget/budget.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <atomic>
#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include "config/yaml_reader.h"

namespace tiergate::route {
namespace {

namespace ch = std::chrono;
using TimePoint = ch::system_clock::time_point;

// A fake wall clock: Monday 2025-01-06 00:00 UTC plus `s` seconds.
TimePoint at(double s) {
  return ch::sys_days(ch::year(2025) / 1 / 6) +
         ch::duration_cast<ch::system_clock::duration>(ch::duration<double>(s));
}
constexpr double kHour = 3600, kDay = 86'400;

ch::sys_seconds utc(int y, int m, int d, int hh = 0, int mm = 0, int ss = 0) {
  return ch::sys_days(ch::year(y) / m / d) + ch::hours(hh) + ch::minutes(mm) + ch::seconds(ss);
}

TEST(BudgetPeriods, BoundsAreUtcAligned) {
  struct Case {
    BudgetPeriod period;
    ch::sys_seconds t, start, end;
  };
  const Case cases[] = {
      {BudgetPeriod::kHour, utc(2025, 3, 9, 13, 59, 59), utc(2025, 3, 9, 13), utc(2025, 3, 9, 14)},
      {BudgetPeriod::kHour, utc(2025, 3, 9, 14), utc(2025, 3, 9, 14), utc(2025, 3, 9, 15)},
      {BudgetPeriod::kDay, utc(2025, 12, 31, 23, 59, 59), utc(2025, 12, 31), utc(2026, 1, 1)},
      {BudgetPeriod::kDay, utc(2026, 1, 1), utc(2026, 1, 1), utc(2026, 1, 2)},
      // 2025-01-12 is a Sunday: its ISO week began on Monday the 6th.
      {BudgetPeriod::kWeek, utc(2025, 1, 12, 23), utc(2025, 1, 6), utc(2025, 1, 13)},
      {BudgetPeriod::kWeek, utc(2025, 1, 13), utc(2025, 1, 13), utc(2025, 1, 20)},
      // A week across a year boundary: Monday 2024-12-30.
      {BudgetPeriod::kWeek, utc(2025, 1, 1), utc(2024, 12, 30), utc(2025, 1, 6)},
      {BudgetPeriod::kMonth, utc(2024, 2, 29, 12), utc(2024, 2, 1), utc(2024, 3, 1)},
      {BudgetPeriod::kMonth, utc(2025, 12, 15), utc(2025, 12, 1), utc(2026, 1, 1)},
      {BudgetPeriod::kMonth, utc(2025, 1, 31, 23, 59, 59), utc(2025, 1, 1), utc(2025, 2, 1)},
  };
  for (const Case& c : cases) {
    PeriodBounds b = period_bounds(c.period, c.t);
    EXPECT_EQ(b.start, c.start) << budget_period_name(c.period) << " "
                                << c.t.time_since_epoch().count();
    EXPECT_EQ(b.end, c.end) << budget_period_name(c.period) << " "
                            << c.t.time_since_epoch().count();
  }
  EXPECT_STREQ(budget_period_name(BudgetPeriod::kWeek), "week");
}

TEST(TenantBudget, ReserveThenCommitReplacesTheEstimate) {
  TenantBudget b({.usd = 10, .period = BudgetPeriod::kDay, .pacing = 0});
  b.reserve(2, at(100));
  EXPECT_DOUBLE_EQ(b.pace(at(100)).spent_usd, 2);
  b.reserve(3, at(101));
  EXPECT_DOUBLE_EQ(b.pace(at(101)).spent_usd, 5);
  b.commit(2, 0.5, at(110));  // actual below the estimate
  EXPECT_DOUBLE_EQ(b.pace(at(110)).spent_usd, 3.5);
  b.commit(3, 0, at(111));  // failed: costs nothing
  Pace p = b.pace(at(111));
  EXPECT_DOUBLE_EQ(p.spent_usd, 0.5);
  EXPECT_DOUBLE_EQ(p.budget_usd, 10);
  EXPECT_NEAR(p.elapsed, 111 / kDay, 1e-9);
  EXPECT_FALSE(p.exhausted);
}

TEST(TenantBudget, ExhaustedAtTheCap) {
  TenantBudget b({.usd = 1, .period = BudgetPeriod::kHour, .pacing = 0});
  b.reserve(0.6, at(10));
  EXPECT_FALSE(b.pace(at(10)).exhausted);
  EXPECT_DOUBLE_EQ(b.pace(at(10)).share_scale, 1);  // no pacing: full share until the cap
  b.reserve(0.4, at(11));
  Pace p = b.pace(at(11));
  EXPECT_TRUE(p.exhausted);
  EXPECT_DOUBLE_EQ(p.share_scale, 0);
  // A failure frees its reservation: below the cap again.
  b.commit(0.4, 0, at(12));
  EXPECT_FALSE(b.pace(at(12)).exhausted);
}

TEST(TenantBudget, NewPeriodStartsFromZeroAndInFlightCarriesOver) {
  TenantBudget b({.usd = 1, .period = BudgetPeriod::kHour, .pacing = 0});
  b.reserve(0.5, at(10));
  b.commit(0.5, 0.5, at(20));
  b.reserve(0.6, at(kHour - 1));  // in flight across the hour
  EXPECT_TRUE(b.pace(at(kHour - 1)).exhausted);
  Pace p = b.pace(at(kHour));
  EXPECT_DOUBLE_EQ(p.spent_usd, 0.6);  // the reservation still counts
  EXPECT_NEAR(p.elapsed, 0, 1e-12);
  EXPECT_FALSE(p.exhausted);
  b.commit(0.6, 0.4, at(kHour + 5));  // committed in the period it ended in
  EXPECT_DOUBLE_EQ(b.pace(at(kHour + 5)).spent_usd, 0.4);
  EXPECT_DOUBLE_EQ(b.pace(at(3 * kHour)).spent_usd, 0);  // two periods later
}

// Drives one budget with a steady stream: every `gap` seconds a request with the given score-free
// demand goes to the cloud with probability share_scale (deterministic: accumulated).
struct SteadyStream {
  TenantBudget& b;
  double cost;
  double carry = 0;
  double spent = 0;
  void run(double from, double to, double gap) {
    for (double t = from; t < to; t += gap) {
      Pace p = b.pace(at(t));
      if (p.exhausted) continue;
      carry += p.share_scale;
      if (carry >= 1) {
        carry -= 1;
        b.reserve(cost, at(t));
        b.commit(cost, cost, at(t + 1));
        spent += cost;
      }
    }
  }
};

TEST(TenantBudget, PacingSettlesOnTheScaleThatFillsTheBudget) {
  // Unpaced demand: one $0.01 request a minute = $14.40 a day; the budget is half of it.
  TenantBudget b({.usd = 7.2, .period = BudgetPeriod::kDay, .pacing = 1});
  SteadyStream s{b, 0.01};
  s.run(0, kDay / 2, 60);
  const Pace mid = b.pace(at(kDay / 2));
  EXPECT_NEAR(mid.share_scale, 0.5, 0.06);
  EXPECT_NEAR(mid.spent_usd, 3.6, 0.36);
  s.run(kDay / 2, kDay, 60);
  EXPECT_GE(s.spent, 0.95 * 7.2);
  EXPECT_LE(s.spent, 7.2 + 0.01 + 1e-9);
}

TEST(TenantBudget, SpendingAheadLowersTheScaleBehindRaisesIt) {
  TenantBudget ahead({.usd = 10, .period = BudgetPeriod::kDay, .pacing = 1});
  TenantBudget behind({.usd = 10, .period = BudgetPeriod::kDay, .pacing = 1});
  // The same demand seen (at scale 1); then one has a big request in flight.
  for (int i = 0; i < 100; ++i) {
    ahead.reserve(0.05, at(i * 60));
    ahead.commit(0.05, 0.05, at(i * 60 + 1));
    behind.reserve(0.05, at(i * 60));
    behind.commit(0.05, 0.05, at(i * 60 + 1));
  }
  ahead.reserve(4, at(6001));  // a big request in flight
  EXPECT_LT(ahead.pace(at(6002)).share_scale, behind.pace(at(6002)).share_scale);
  // Pacing strength scales the cut: 0.5 halves it.
  TenantBudget half({.usd = 10, .period = BudgetPeriod::kDay, .pacing = 0.5});
  TenantBudget full({.usd = 10, .period = BudgetPeriod::kDay, .pacing = 1});
  for (int i = 0; i < 100; ++i) {
    for (TenantBudget* t : {&half, &full}) {
      t->reserve(0.05, at(i * 60));
      t->commit(0.05, 0.05, at(i * 60 + 1));
    }
  }
  const double cut_full = 1 - full.pace(at(6002)).share_scale;
  const double cut_half = 1 - half.pace(at(6002)).share_scale;
  EXPECT_GT(cut_full, 0.1);
  EXPECT_LT(cut_half, cut_full);
}

TEST(TenantBudget, LearnsTheDailyTrafficProfile) {
  TenantBudget b({.usd = 1000, .period = BudgetPeriod::kDay, .pacing = 1});
  // Day 1: nothing at night; all traffic between 12:00 and 18:00.
  for (double t = 0; t < kDay; t += 60) {
    b.pace(at(t));
    if (t >= 12 * kHour && t < 18 * kHour) b.reserve(0.01, at(t)), b.commit(0.01, 0.01, at(t));
  }
  // Day 2: by noon, hardly any of the day's traffic is expected yet; by 18:00, all of it.
  const Pace noon = b.pace(at(kDay + 12 * kHour));
  EXPECT_NEAR(noon.elapsed, 0.5, 1e-9);
  EXPECT_LT(noon.traffic_elapsed, 0.02);
  EXPECT_GT(b.pace(at(kDay + 18 * kHour)).traffic_elapsed, 0.98);
  EXPECT_NEAR(b.pace(at(kDay + 15 * kHour)).traffic_elapsed, 0.5, 0.02);
}

TEST(TenantBudget, ConcurrentReserveAndCommitKeepTheBooks) {
  TenantBudget b({.usd = 1e9, .period = BudgetPeriod::kMonth, .pacing = 1});
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&b] {
      for (int k = 0; k < 5000; ++k) {
        (void)b.pace(at(k));
        b.reserve(0.25, at(k));
        b.commit(0.25, 0.125, at(k));
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_DOUBLE_EQ(b.pace(at(5000)).spent_usd, 8 * 5000 * 0.125);
}

TEST(BudgetLedger, FindsConfiguredTenantsOnly) {
  std::map<std::string, BudgetOptions, std::less<>> budgets;
  budgets["acme"] = {.usd = 50};
  budgets["globex"] = {.usd = 5, .period = BudgetPeriod::kHour};
  BudgetLedger ledger(budgets);
  EXPECT_EQ(ledger.size(), 2u);
  std::string_view name = "acme";
  ASSERT_NE(ledger.find(name), nullptr);
  EXPECT_DOUBLE_EQ(ledger.find(name)->options().usd, 50);
  EXPECT_EQ(ledger.find("globex")->options().period, BudgetPeriod::kHour);
  EXPECT_EQ(ledger.find("initech"), nullptr);
  const BudgetLedger& cledger = ledger;
  EXPECT_EQ(cledger.find("acme"), ledger.find("acme"));
  // Each tenant has its own books.
  ledger.find("acme")->reserve(10, at(0));
  EXPECT_DOUBLE_EQ(ledger.find("globex")->pace(at(0)).spent_usd, 0);
}

std::vector<std::string> parse(const std::string& yaml, BudgetOptions* out) {
  std::vector<std::string> errors;
  config::YamlReader reader(YAML::Load(yaml), "tenants.acme.budget", &errors);
  *out = parse_budget_options(reader);
  return errors;
}

TEST(BudgetOptionsParse, ReadsAllKeys) {
  BudgetOptions o;
  EXPECT_TRUE(parse("{usd: 50, period: week, pacing: 0.5}", &o).empty());
  EXPECT_DOUBLE_EQ(o.usd, 50);
  EXPECT_EQ(o.period, BudgetPeriod::kWeek);
  EXPECT_DOUBLE_EQ(o.pacing, 0.5);
  EXPECT_TRUE(parse("{usd: 2.5}", &o).empty());
  EXPECT_EQ(o.period, BudgetPeriod::kDay);
  EXPECT_DOUBLE_EQ(o.pacing, 1.0);
  for (const char* p : {"hour", "day", "week", "month"}) {
    EXPECT_TRUE(parse(std::string("{usd: 1, period: ") + p + "}", &o).empty());
    EXPECT_STREQ(budget_period_name(o.period), p);
  }
}

TEST(BudgetOptionsParse, ErrorsNameTheKey) {
  struct Case {
    const char* yaml;
    const char* error;
  };
  const Case cases[] = {
      {"{period: day}", "tenants.acme.budget.usd: is required"},
      {"{usd: 0}", "tenants.acme.budget.usd: must be between"},
      {"{usd: -3}", "tenants.acme.budget.usd: must be between"},
      {"{usd: lots}", "tenants.acme.budget.usd: must be a number"},
      {"{usd: 5, period: fortnight}", "tenants.acme.budget.period: must be one of"},
      {"{usd: 5, pacing: 1.5}", "tenants.acme.budget.pacing: must be between"},
      {"{usd: 5, dollars: 5}", "tenants.acme.budget.dollars: unknown key"},
  };
  for (const Case& c : cases) {
    BudgetOptions o;
    auto errors = parse(c.yaml, &o);
    ASSERT_EQ(errors.size(), 1u) << c.yaml;
    EXPECT_NE(errors[0].find(c.error), std::string::npos) << errors[0];
  }
}

}  // namespace
}  // namespace tiergate::route
