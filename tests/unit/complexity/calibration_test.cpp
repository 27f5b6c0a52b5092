#include "route/signals/complexity/calibration.h"

#include <gtest/gtest.h>

#include <cmath>
#include <thread>
#include <vector>

namespace tiergate::complexity {
namespace {

// Deterministic uniform numbers in [0, 1).
struct Lcg {
  uint64_t s = 42;
  double next() {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<double>(s >> 11) / 9007199254740992.0;
  }
};

double share_at(const std::vector<double>& scores, double threshold) {
  size_t n = 0;
  for (double s : scores) n += s >= threshold;
  return static_cast<double>(n) / static_cast<double>(scores.size());
}

TEST(ComplexityCalibration, ThresholdHitsTargetShare) {
  Lcg rng;
  std::vector<double> sample(10000);
  for (double& x : sample) x = rng.next();
  for (double share : {0.05, 0.25, 0.5, 0.9}) {
    double t = threshold_for_share(sample, share);
    EXPECT_NEAR(share_at(sample, t), share, 1e-3) << share;
  }
  EXPECT_TRUE(std::isinf(threshold_for_share(sample, 0.0)));
  EXPECT_GT(threshold_for_share(sample, 0.0), 0);
  EXPECT_EQ(share_at(sample, threshold_for_share(sample, 1.0)), 1.0);
  EXPECT_EQ(share_at(sample, threshold_for_share({}, 0.3)), 1.0 * 1);  // -inf: everything cloud
}

TEST(ComplexityCalibration, FromQuantiles) {
  std::vector<double> q(101);
  for (int i = 0; i <= 100; ++i) q[i] = i / 100.0;  // uniform on [0, 1]
  EXPECT_NEAR(threshold_from_quantiles(q, 0.25), 0.75, 1e-12);
  EXPECT_NEAR(threshold_from_quantiles(q, 0.333), 0.667, 1e-12);
  EXPECT_TRUE(std::isinf(threshold_from_quantiles(q, 0)));
  EXPECT_TRUE(std::isinf(threshold_from_quantiles(q, 1)));
}

TEST(ComplexityCalibration, DriftTrackerCorrectsShiftedTraffic) {
  // Calibrated on U(0, 1) for 25% -> threshold 0.75; live traffic is U(0.2, 1.2): a fixed
  // threshold would send 45% to the cloud. The tracker must bring the share back to ~25%.
  CloudShareTracker::Options o;
  o.target_share = 0.25;
  o.initial_threshold = 0.75;
  o.step = 0.002;
  o.max_shift = 1.0;
  CloudShareTracker tracker(o);
  Lcg rng;
  size_t cloud = 0, late = 0;
  for (int i = 0; i < 40000; ++i) {
    bool c = tracker.decide(0.2 + rng.next());
    if (i >= 20000) {
      cloud += c;
      ++late;
    }
  }
  double share = static_cast<double>(cloud) / static_cast<double>(late);
  EXPECT_NEAR(share, 0.25, 0.02);
  EXPECT_NEAR(tracker.threshold(), 0.95, 0.05);
  EXPECT_NEAR(tracker.running_share(), 0.25, 0.05);
  EXPECT_EQ(tracker.decisions(), 40000u);
}

TEST(ComplexityCalibration, DriftTrackerIsBounded) {
  CloudShareTracker::Options o;
  o.target_share = 0.25;
  o.initial_threshold = 0.5;
  o.step = 0.01;
  o.max_shift = 0.1;
  CloudShareTracker tracker(o);
  for (int i = 0; i < 10000; ++i) tracker.record(true);  // every request to the cloud
  EXPECT_NEAR(tracker.threshold(), 0.6, 1e-9);
}

TEST(ComplexityCalibration, DriftTrackerThreadSafe) {
  CloudShareTracker::Options o;
  o.target_share = 0.5;
  o.initial_threshold = 0.5;
  o.step = 0.0;  // threshold stays put; count decisions only
  CloudShareTracker tracker(o);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) tracker.decide(i % 2 ? 1.0 : 0.0);
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(tracker.decisions(), 40000u);
  EXPECT_NEAR(tracker.running_share(), 0.5, 0.1);
}

}  // namespace
}  // namespace tiergate::complexity
