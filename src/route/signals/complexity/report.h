#pragma once
// Human-readable renderings of a RoutingEval: a text table of the quality-vs-cloud-share curve and
// an SVG chart of it (self-contained, no scripts or external fonts).

#include <string>

#include "route/signals/complexity/metrics.h"

namespace tiergate::complexity {

std::string routing_table(const RoutingEval& eval);

// One curve per series on shared axes: x = share of prompts sent to the strong model, y = quality
// r(c). The random router's straight line and the weak/strong levels are drawn for reference.
struct ChartSeries {
  std::string label;
  const RoutingEval* eval = nullptr;
};
std::string routing_chart_svg(const std::string& title, const std::vector<ChartSeries>& series);

}  // namespace tiergate::complexity
