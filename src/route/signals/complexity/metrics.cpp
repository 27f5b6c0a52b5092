#include "route/signals/complexity/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace tiergate::complexity {

double call_performance_threshold(const std::vector<CurvePoint>& curve, double x) {
  for (size_t i = 0; i < curve.size(); ++i) {
    if (std::isnan(curve[i].pgr) || curve[i].pgr < x) continue;
    if (i == 0) return curve[0].strong_share;
    const CurvePoint& a = curve[i - 1];
    const CurvePoint& b = curve[i];
    double t = (x - a.pgr) / (b.pgr - a.pgr);
    return a.strong_share + t * (b.strong_share - a.strong_share);
  }
  return std::numeric_limits<double>::quiet_NaN();
}

RoutingEval evaluate_routing(std::span<const double> scores, std::span<const uint8_t> weak,
                             std::span<const uint8_t> strong, int steps) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  RoutingEval ev;
  const size_t n = std::min({scores.size(), weak.size(), strong.size()});
  ev.prompts = n;
  if (steps < 1) steps = 1;
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  double weak_sum = 0, strong_sum = 0;
  for (size_t i = 0; i < n; ++i) {
    weak_sum += weak[i] ? 1 : 0;
    strong_sum += strong[i] ? 1 : 0;
  }
  const double dn = n ? static_cast<double>(n) : 1.0;
  ev.r_weak = weak_sum / dn;
  ev.r_strong = strong_sum / dn;
  const double span = ev.r_strong - ev.r_weak;
  const bool defined = n > 0 && span != 0;

  // Walk down the ranking once; `correct` is the correctness of the mix with the first k strong.
  double correct = weak_sum;
  size_t k = 0;
  for (int step = 0; step <= steps; ++step) {
    size_t target = (static_cast<size_t>(step) * n * 2 + static_cast<size_t>(steps)) /
                    (2 * static_cast<size_t>(steps));  // round(step * n / steps), halves up
    for (; k < target; ++k) {
      size_t i = order[k];
      correct += (strong[i] ? 1.0 : 0.0) - (weak[i] ? 1.0 : 0.0);
    }
    CurvePoint p;
    p.strong_share = static_cast<double>(step) / steps;
    p.strong_calls = target;
    p.quality = correct / dn;
    p.pgr = defined ? (p.quality - ev.r_weak) / span : kNaN;
    ev.curve.push_back(p);
  }
  if (!defined) {
    ev.apgr = ev.cpt50 = ev.cpt80 = kNaN;
    return ev;
  }
  double area = 0;
  for (int i = 0; i < steps; ++i) area += 0.5 * (ev.curve[i].pgr + ev.curve[i + 1].pgr);
  ev.apgr = area / steps;
  ev.cpt50 = call_performance_threshold(ev.curve, 0.5);
  ev.cpt80 = call_performance_threshold(ev.curve, 0.8);
  return ev;
}

}  // namespace tiergate::complexity
