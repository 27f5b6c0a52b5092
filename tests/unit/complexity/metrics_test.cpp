#include "route/signals/complexity/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace tiergate::complexity {
namespace {

// Ten prompts ranked in index order. Prompts 0 and 1 gain from the strong model (+1 each), prompt
// 9 loses (-1). r_weak = 0.8, r_strong = 0.9. Sending k prompts: quality 0.8, 0.9, 1.0 x 8, 0.9.
// PGR = 0, 1, 2, 2, 2, 2, 2, 2, 2, 2, 1. APGR = (0.5 + 1.5 + 7 * 2 + 1.5) / 10 = 1.75.
// CPT(50%) = 0.05 (halfway from PGR 0 at 0% to PGR 1 at 10%), CPT(80%) = 0.08.
const std::vector<uint8_t> kWeak = {0, 0, 1, 1, 1, 1, 1, 1, 1, 1};
const std::vector<uint8_t> kStrong = {1, 1, 1, 1, 1, 1, 1, 1, 1, 0};

TEST(ComplexityMetrics, HandComputedExample) {
  std::vector<double> scores = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
  RoutingEval ev = evaluate_routing(scores, kWeak, kStrong);
  EXPECT_DOUBLE_EQ(ev.r_weak, 0.8);
  EXPECT_DOUBLE_EQ(ev.r_strong, 0.9);
  ASSERT_EQ(ev.curve.size(), 11u);
  const double pgr[] = {0, 1, 2, 2, 2, 2, 2, 2, 2, 2, 1};
  for (int i = 0; i <= 10; ++i) {
    EXPECT_NEAR(ev.curve[i].pgr, pgr[i], 1e-9) << i;
    EXPECT_EQ(ev.curve[i].strong_calls, static_cast<size_t>(i));
  }
  EXPECT_NEAR(ev.apgr, 1.75, 1e-9);
  EXPECT_NEAR(ev.cpt50, 0.05, 1e-9);
  EXPECT_NEAR(ev.cpt80, 0.08, 1e-9);
}

TEST(ComplexityMetrics, WorstOrderIsBelowRandom) {
  // Reversed: the losing prompt first. Quality 0.8, 0.7, 0.7 x 7, 0.8, 0.9.
  // PGR = 0, -1, -1 x 7, 0, 1 -> APGR = (-0.5 - 7 - 0.5 + 0.5) / 10 = -0.75; CPT(50%) = 0.95.
  std::vector<double> scores = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  RoutingEval ev = evaluate_routing(scores, kWeak, kStrong);
  EXPECT_NEAR(ev.apgr, -0.75, 1e-9);
  EXPECT_NEAR(ev.cpt50, 0.95, 1e-9);
  EXPECT_NEAR(ev.curve.back().pgr, 1.0, 1e-9);
  EXPECT_NEAR(ev.curve.front().pgr, 0.0, 1e-9);
}

TEST(ComplexityMetrics, RoundsStrongCallsToNearest) {
  // n = 4: c = 10% -> round(0.4) = 0, 20% -> round(0.8) = 1, 50% -> 2, 90% -> round(3.6) = 4.
  std::vector<double> scores = {4, 3, 2, 1};
  std::vector<uint8_t> weak = {0, 0, 1, 1}, strong = {1, 1, 1, 1};
  RoutingEval ev = evaluate_routing(scores, weak, strong);
  EXPECT_EQ(ev.curve[1].strong_calls, 0u);
  EXPECT_EQ(ev.curve[2].strong_calls, 1u);
  EXPECT_EQ(ev.curve[5].strong_calls, 2u);
  EXPECT_EQ(ev.curve[9].strong_calls, 4u);
}

TEST(ComplexityMetrics, TiesKeepInputOrder) {
  std::vector<double> scores(10, 0.5);
  RoutingEval ev = evaluate_routing(scores, kWeak, kStrong);
  EXPECT_NEAR(ev.apgr, 1.75, 1e-9);  // same as ranking by index
}

TEST(ComplexityMetrics, UndefinedWhenModelsEqual) {
  std::vector<double> scores = {1, 2};
  std::vector<uint8_t> w = {1, 0}, s = {0, 1};
  RoutingEval ev = evaluate_routing(scores, w, s);
  EXPECT_TRUE(std::isnan(ev.apgr));
  EXPECT_TRUE(std::isnan(ev.cpt50));
  RoutingEval empty = evaluate_routing({}, {}, {});
  EXPECT_EQ(empty.prompts, 0u);
  EXPECT_TRUE(std::isnan(empty.apgr));
}

TEST(ComplexityMetrics, CptNeverReachedIsNaN) {
  std::vector<CurvePoint> curve = {{0, 0, 0, 0}, {0.5, 0, 0, 0.3}, {1, 0, 0, 0.6}};
  EXPECT_TRUE(std::isnan(call_performance_threshold(curve, 0.8)));
  EXPECT_NEAR(call_performance_threshold(curve, 0.45), 0.75, 1e-9);
}

}  // namespace
}  // namespace tiergate::complexity
