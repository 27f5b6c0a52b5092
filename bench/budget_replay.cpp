// Budget pacing replay: one synthetic day of traffic through TenantBudget and the routing rule
// (src/route/budget/replay.h), for uniform and diurnal traffic, three budget levels and three
// modes: the hard cap alone (pacing 0), pacing on its first day (no learned traffic profile) and
// pacing after one day of warm-up. Prints a Markdown table of means over --seeds seeds.
//
//   bench_budget_replay [--seeds N] [--requests N] [--target-share X]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "route/budget/replay.h"

namespace rp = tiergate::route::replay;

namespace {

struct Mode {
  const char* name;
  double pacing;
  int warmup_days;
};

std::string clock_of(double day_fraction) {
  if (day_fraction >= 1) return "never";
  const int minutes = static_cast<int>(day_fraction * 1440);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minutes / 60, minutes % 60);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  int seeds = 5;
  double requests = 40'000, target_share = 0.5;
  for (int i = 1; i < argc; i += 2) {
    const char* value = i + 1 < argc ? argv[i + 1] : nullptr;
    if (value && !std::strcmp(argv[i], "--seeds")) {
      seeds = std::max(1, std::atoi(value));
    } else if (value && !std::strcmp(argv[i], "--requests")) {
      requests = std::atof(value);
    } else if (value && !std::strcmp(argv[i], "--target-share")) {
      target_share = std::atof(value);
    } else {
      std::fprintf(stderr, "usage: %s [--seeds N] [--requests N] [--target-share X]\n", argv[0]);
      return 2;
    }
  }
  const Mode modes[] = {
      {"hard cap only", 0.0, 1}, {"paced, first day", 1.0, 0}, {"paced, after 1 day", 1.0, 1}};
  std::printf(
      "requests/day %.0f, unpaced cloud share %.2f, %d seeds: means (spend: min-max; cap "
      "reached: earliest)\n\n",
      requests, target_share, seeds);
  std::printf(
      "| traffic | budget | mode | spend / budget | cloud share | score cloud | score edge | "
      "score optimal | optimal set to cloud | cap reached | threshold p10-p90 |\n"
      "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
  for (rp::Traffic traffic : {rp::Traffic::kUniform, rp::Traffic::kDiurnal}) {
    for (double level : {0.4, 0.5, 0.6}) {
      for (const Mode& mode : modes) {
        double spend = 0, lo = 1e9, hi = 0, share = 0, cloud = 0, edge = 0, optimal = 0;
        double recall = 0, p10 = 0, p90 = 0, cap = 1;
        for (int s = 1; s <= seeds; ++s) {
          rp::ReplayOptions o;
          o.seed = static_cast<uint64_t>(s);
          o.traffic = traffic;
          o.requests_per_day = requests;
          o.budget_fraction = level;
          o.target_share = target_share;
          o.pacing = mode.pacing;
          o.warmup_days = mode.warmup_days;
          const rp::ReplayResult r = rp::run_replay(o);
          spend += r.spend_ratio();
          lo = std::min(lo, r.spend_ratio());
          hi = std::max(hi, r.spend_ratio());
          share += r.cloud_share;
          cloud += r.cloud_mean_score;
          edge += r.edge_mean_score;
          optimal += r.optimal_mean_score;
          recall += r.optimal_recall;
          p10 += r.threshold_p10;
          p90 += r.threshold_p90;
          cap = std::min(cap, r.exhausted_at);
        }
        const double n = seeds;
        std::printf(
            "| %s | %.0f%% | %s | %.3f (%.3f-%.3f) | %.3f | %.3f | %.3f | %.3f | %.1f%% | %s | "
            "%.3f-%.3f |\n",
            rp::traffic_name(traffic), level * 100, mode.name, spend / n, lo, hi, share / n,
            cloud / n, edge / n, optimal / n, 100 * recall / n, clock_of(cap).c_str(), p10 / n,
            p90 / n);
      }
    }
  }
  return 0;
}
