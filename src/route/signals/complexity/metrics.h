#pragma once
// Offline routing metrics with RouteLLM's definitions. A router scores prompts; the top c% by score
// go to the strong model, the rest to the weak one. r(c) is the mean correctness of the model each
// prompt went to, PGR(c) = (r(c) - r_weak) / (r_strong - r_weak), APGR is the trapezoid area under
// PGR over c = 0%, 10%, ..., 100%, CPT(x) the smallest strong share where PGR reaches x (linear
// interpolation between those points). Ties in score keep input order (stable sort, descending).

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace tiergate::complexity {

struct CurvePoint {
  double strong_share = 0;  // c in [0, 1]
  size_t strong_calls = 0;  // round(c * n) prompts sent to the strong model
  double quality = 0;       // r(c)
  double pgr = 0;           // PGR(c)
};

struct RoutingEval {
  size_t prompts = 0;
  double r_weak = 0;              // all prompts to the weak model
  double r_strong = 0;            // all prompts to the strong model
  std::vector<CurvePoint> curve;  // steps + 1 points, c = 0 .. 1
  double apgr = 0;
  double cpt50 = 0;  // NaN if PGR never reaches 0.5
  double cpt80 = 0;  // NaN if PGR never reaches 0.8
};

// `steps` = 10 gives RouteLLM's 11-point grid. REQUIRES: equal sizes; weak/strong are 0 or 1.
// With no prompts, or r_strong == r_weak, PGR is undefined: every PGR, APGR and CPT is NaN.
RoutingEval evaluate_routing(std::span<const double> scores, std::span<const uint8_t> weak_correct,
                             std::span<const uint8_t> strong_correct, int steps = 10);

// Smallest strong share at which the curve's PGR reaches `x`, linearly interpolated; NaN if never.
double call_performance_threshold(const std::vector<CurvePoint>& curve, double x);

}  // namespace tiergate::complexity
