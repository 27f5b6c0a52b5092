#include "route/budget/replay.h"

#include <gtest/gtest.h>

namespace tiergate::route::replay {
namespace {

ReplayOptions options(uint64_t seed, Traffic traffic, double level, int warmup_days) {
  ReplayOptions o;
  o.seed = seed;
  o.traffic = traffic;
  o.budget_fraction = level;
  o.warmup_days = warmup_days;
  o.requests_per_day = 20'000;
  return o;
}

void expect_on_budget(const ReplayResult& r, const std::string& what) {
  EXPECT_GE(r.spent_usd, 0.95 * r.budget_usd) << what;
  EXPECT_LE(r.spent_usd, r.budget_usd + r.max_request_usd) << what;
  EXPECT_GT(r.cloud_mean_score - r.edge_mean_score, 0.15) << what;
}

// The acceptance figures: over several seeds, budget levels and both traffic shapes, a paced day
// spends 95-100% of its budget (+ one request) and the cloud gets clearly the harder requests.
TEST(BudgetReplay, PacedDayLandsOnBudgetWithTheHardestRequestsInTheCloud) {
  for (Traffic traffic : {Traffic::kUniform, Traffic::kDiurnal}) {
    for (double level : {0.4, 0.5, 0.6}) {
      for (uint64_t seed : {1u, 2u, 3u}) {
        const std::string what = std::string(traffic_name(traffic)) + " budget " +
                                 std::to_string(level) + " seed " + std::to_string(seed);
        const ReplayResult r = run_replay(options(seed, traffic, level, 1));
        SCOPED_TRACE(what);
        expect_on_budget(r, what);
        // After a day of warm-up the paced router nearly matches the hindsight-optimal set.
        EXPECT_GT(r.optimal_recall, 0.9) << what;
        EXPECT_GT(r.cloud_mean_score, r.optimal_mean_score - 0.02) << what;
      }
    }
  }
}

TEST(BudgetReplay, FirstDayWithoutAProfileStillLandsOnBudget) {
  for (Traffic traffic : {Traffic::kUniform, Traffic::kDiurnal}) {
    for (double level : {0.4, 0.6}) {
      for (uint64_t seed : {4u, 5u}) {
        const std::string what = std::string(traffic_name(traffic)) + " budget " +
                                 std::to_string(level) + " seed " + std::to_string(seed);
        expect_on_budget(run_replay(options(seed, traffic, level, 0)), what);
      }
    }
  }
}

TEST(BudgetReplay, PacingBeatsTheHardCapOnWhoGetsTheCloud) {
  ReplayOptions capped = options(7, Traffic::kDiurnal, 0.5, 1);
  capped.pacing = 0;
  const ReplayResult cap = run_replay(capped);
  const ReplayResult paced = run_replay(options(7, Traffic::kDiurnal, 0.5, 1));
  EXPECT_LT(cap.exhausted_at, 0.75);  // the hard cap runs dry during the afternoon
  EXPECT_GT(paced.exhausted_at, 0.95);
  EXPECT_GT(paced.optimal_recall, cap.optimal_recall + 0.3);
  EXPECT_GT(paced.cloud_mean_score, cap.cloud_mean_score + 0.05);
}

TEST(BudgetReplay, IsDeterministic) {
  const ReplayResult a = run_replay(options(11, Traffic::kDiurnal, 0.5, 1));
  const ReplayResult b = run_replay(options(11, Traffic::kDiurnal, 0.5, 1));
  EXPECT_EQ(a.requests, b.requests);
  EXPECT_EQ(a.cloud_requests, b.cloud_requests);
  EXPECT_EQ(a.spent_usd, b.spent_usd);
  // The measured day's traffic depends on the seed only, not on the mode or warm-up.
  EXPECT_EQ(a.requests, run_replay(options(11, Traffic::kDiurnal, 0.4, 0)).requests);
  EXPECT_EQ(a.unpaced_usd, run_replay(options(11, Traffic::kDiurnal, 0.5, 0)).unpaced_usd);
}

}  // namespace
}  // namespace tiergate::route::replay
