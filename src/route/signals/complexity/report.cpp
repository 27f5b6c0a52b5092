#include "route/signals/complexity/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace tiergate::complexity {
namespace {

std::string pct(double x) { return std::isnan(x) ? "n/a" : fmt::format("{:.1f}%", 100 * x); }

std::string escape_xml(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '&':
        o += "&amp;";
        break;
      case '"':
        o += "&quot;";
        break;
      default:
        o += c;
    }
  }
  return o;
}

}  // namespace

std::string routing_table(const RoutingEval& e) {
  std::string o =
      fmt::format("prompts {}  r_weak {:.4f}  r_strong {:.4f}\n", e.prompts, e.r_weak, e.r_strong);
  o += "strong_share  strong_calls  quality  PGR\n";
  for (const auto& p : e.curve)
    o += fmt::format("{:>11.0f}%  {:>12}  {:>7.4f}  {:>6.3f}\n", 100 * p.strong_share,
                     p.strong_calls, p.quality, p.pgr);
  o += fmt::format("APGR {:.4f}  CPT(50%) {}  CPT(80%) {}\n", e.apgr, pct(e.cpt50), pct(e.cpt80));
  return o;
}

std::string routing_chart_svg(const std::string& title, const std::vector<ChartSeries>& series) {
  constexpr double kW = 760, kH = 440, kLeft = 70, kRight = 250, kTop = 40, kBottom = 60;
  const double pw = kW - kLeft - kRight, ph = kH - kTop - kBottom;
  double lo = 1, hi = 0;
  for (const auto& s : series) {
    if (!s.eval) continue;
    lo = std::min({lo, s.eval->r_weak, s.eval->r_strong});
    hi = std::max({hi, s.eval->r_weak, s.eval->r_strong});
    for (const auto& p : s.eval->curve) {
      lo = std::min(lo, p.quality);
      hi = std::max(hi, p.quality);
    }
  }
  if (!(hi > lo)) {
    lo = 0;
    hi = 1;
  }
  double pad = (hi - lo) * 0.08;
  lo -= pad;
  hi += pad;
  auto X = [&](double c) { return kLeft + c * pw; };
  auto Y = [&](double q) { return kTop + (hi - q) / (hi - lo) * ph; };

  std::string o = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" "
      "fill=\"white\"/>\n",
      kW, kH, kW, kH);
  o += fmt::format("<text x=\"{}\" y=\"22\" font-size=\"15\" text-anchor=\"middle\">{}</text>\n",
                   kLeft + pw / 2, escape_xml(title));
  // Grid and axes.
  for (int i = 0; i <= 10; ++i) {
    double c = i / 10.0;
    o += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" "
        "stroke=\"#eee\"/>\n",
        X(c), kTop, kTop + ph);
    o += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}%</text>\n", X(c),
                     kTop + ph + 16, i * 10);
  }
  for (int i = 0; i <= 5; ++i) {
    double q = lo + (hi - lo) * i / 5.0;
    o += fmt::format(
        "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" "
        "stroke=\"#eee\"/>\n",
        kLeft, Y(q), kLeft + pw, Y(q));
    o += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{:.3f}</text>\n",
                     kLeft - 6, Y(q) + 4, q);
  }
  o += fmt::format(
      "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" "
      "stroke=\"#333\"/>\n",
      kLeft, kTop, pw, ph);
  o += fmt::format(
      "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">share of prompts sent "
      "to the strong model</text>\n",
      kLeft + pw / 2, kH - 18);
  o += fmt::format(
      "<text x=\"18\" y=\"{:.1f}\" text-anchor=\"middle\" transform=\"rotate(-90 18 "
      "{:.1f})\">quality r(c) (mean correctness)</text>\n",
      kTop + ph / 2, kTop + ph / 2);
  static const char* const kColours[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"};
  double legend_y = kTop + 10;
  auto legend = [&](const std::string& label, const char* colour, const char* dash) {
    o += fmt::format(
        "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\" "
        "stroke-width=\"2\" stroke-dasharray=\"{}\"/>\n",
        kLeft + pw + 10, legend_y, kLeft + pw + 34, legend_y, colour, dash);
    o += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\">{}</text>\n", kLeft + pw + 40, legend_y + 4,
                     escape_xml(label));
    legend_y += 20;
  };
  // Reference: random routing (straight line) and the two models alone, from the first series.
  if (!series.empty() && series.front().eval) {
    const RoutingEval& e = *series.front().eval;
    o += fmt::format(
        "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#999\" "
        "stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>\n",
        X(0), Y(e.r_weak), X(1), Y(e.r_strong));
    legend("random", "#999", "6 4");
    for (double level : {e.r_weak, e.r_strong})
      o += fmt::format(
          "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" "
          "stroke=\"#bbb\" stroke-dasharray=\"2 3\"/>\n",
          X(0), Y(level), X(1), Y(level));
  }
  size_t k = 0;
  for (const auto& s : series) {
    if (!s.eval) continue;
    const char* colour = kColours[k++ % 5];
    std::string pts;
    for (const auto& p : s.eval->curve)
      pts += fmt::format("{:.1f},{:.1f} ", X(p.strong_share), Y(p.quality));
    o += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2.5\"/>\n",
                     pts, colour);
    for (const auto& p : s.eval->curve)
      o += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"{}\"/>\n",
                       X(p.strong_share), Y(p.quality), colour);
    legend(fmt::format("{} (APGR {:.3f})", s.label, s.eval->apgr), colour, "none");
  }
  o += "</svg>\n";
  return o;
}

}  // namespace tiergate::complexity
