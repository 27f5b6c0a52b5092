#include "route/signals/complexity/calibration.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tiergate::complexity {

double threshold_for_share(std::vector<double> scores, double share) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  share = std::clamp(share, 0.0, 1.0);
  if (scores.empty()) return share <= 0 ? kInf : -kInf;
  const size_t n = scores.size();
  const size_t cloud = static_cast<size_t>(std::llround(share * static_cast<double>(n)));
  if (cloud == 0) return kInf;
  std::sort(scores.begin(), scores.end(), std::greater<>());
  if (cloud >= n) return -kInf;
  // Midway between the last score sent to the cloud and the first kept at the edge; with ties,
  // the tied block goes to the cloud (score >= threshold).
  double hi = scores[cloud - 1], lo = scores[cloud];
  return hi == lo ? hi : lo + (hi - lo) / 2;
}

double threshold_from_quantiles(std::span<const double> q, double share) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  share = std::clamp(share, 0.0, 1.0);
  if (q.empty()) return share <= 0 ? kInf : -kInf;
  if (share <= 0) return kInf;
  if (share >= 1) return -kInf;
  if (q.size() == 1) return q[0];
  double pos = (1.0 - share) * static_cast<double>(q.size() - 1);
  size_t lo = static_cast<size_t>(pos);
  size_t hi = std::min(lo + 1, q.size() - 1);
  return q[lo] + (pos - static_cast<double>(lo)) * (q[hi] - q[lo]);
}

CloudShareTracker::CloudShareTracker(const Options& o)
    : options_(o),
      decay_(std::exp(std::log(0.5) / std::max(o.share_halflife, 1.0))),
      threshold_(o.initial_threshold),
      share_(o.target_share) {}

void CloudShareTracker::record(bool went_cloud) {
  const double x = went_cloud ? 1.0 : 0.0;
  const double lo = options_.initial_threshold - options_.max_shift;
  const double hi = options_.initial_threshold + options_.max_shift;
  const double delta = options_.step * (x - options_.target_share);
  double t = threshold_.load(std::memory_order_relaxed);
  while (!threshold_.compare_exchange_weak(t, std::clamp(t + delta, lo, hi),
                                           std::memory_order_relaxed)) {
  }
  double s = share_.load(std::memory_order_relaxed);
  while (
      !share_.compare_exchange_weak(s, decay_ * s + (1 - decay_) * x, std::memory_order_relaxed)) {
  }
  decisions_.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace tiergate::complexity
