#pragma once
// Turning scores into a cloud/edge decision at a target cloud share.
//
// threshold_for_share: from a calibration sample of scores, the threshold that sends about `share`
// of them to the cloud (score >= threshold goes to the cloud).
//
// CloudShareTracker: the running router's correction for drift. Live traffic never scores like the
// calibration sample; the tracker nudges the threshold after every decision by
//   threshold += step * (went_cloud - target_share)
// (online quantile tracking: it settles where the running cloud share equals the target), bounded
// to a band around the calibrated threshold so a burst of odd traffic cannot run it away.
// Lock-free; any thread may call any method.

#include <atomic>
#include <cstdint>
#include <span>
#include <vector>

namespace tiergate::complexity {

// REQUIRES: share in [0, 1]. An empty sample gives +infinity for share 0 and -infinity otherwise.
double threshold_for_share(std::vector<double> scores, double share);

// Same, from evenly spaced ascending quantiles q[0] (min) .. q[n-1] (max) of a sample, with linear
// interpolation (the model file stores 101 of them).
double threshold_from_quantiles(std::span<const double> quantiles, double share);

class CloudShareTracker {
 public:
  struct Options {
    double target_share = 0.25;
    double initial_threshold = 0;
    double step = 0.001;           // threshold change per decision, in score units
    double max_shift = 0.25;       // |threshold - initial_threshold| stays within this
    double share_halflife = 1000;  // decisions; for the reported running share
  };
  explicit CloudShareTracker(const Options& options);

  // The threshold to use now (score >= threshold goes to the cloud).
  double threshold() const { return threshold_.load(std::memory_order_relaxed); }

  // Records one routing decision and moves the threshold toward the target share.
  void record(bool went_cloud);

  // Decides with the current threshold and records the decision. Returns true for the cloud.
  bool decide(double score) {
    bool cloud = score >= threshold();
    record(cloud);
    return cloud;
  }

  // Exponentially weighted share of cloud decisions (starts at the target).
  double running_share() const { return share_.load(std::memory_order_relaxed); }
  uint64_t decisions() const { return decisions_.load(std::memory_order_relaxed); }
  const Options& options() const { return options_; }

 private:
  Options options_;
  double decay_;
  std::atomic<double> threshold_;
  std::atomic<double> share_;
  std::atomic<uint64_t> decisions_{0};
};

}  // namespace tiergate::complexity
