#include "route/signals/complexity/complexity_config.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "route/signals/complexity/dataset.h"

namespace tiergate::complexity {
namespace fs = std::filesystem;

ComplexityConfig parse_complexity_config(config::YamlReader& r) {
  ComplexityConfig c;
  c.model = r.str("model", "");
  c.target_cloud_share = r.number("target_cloud_share", c.target_cloud_share, 0.0, 1.0);
  if (r.has("threshold")) c.threshold = r.number("threshold", 0.0, -1e9, 1e9);
  c.calibration_data = r.str("calibration_data", "");
  c.drift_correction = r.boolean("drift_correction", c.drift_correction);
  c.drift_step = r.number("drift_step", c.drift_step, 0.0, 1.0);
  if (!c.model.empty() && !fs::exists(c.model))
    r.error("model", fmt::format("no such file: '{}'", c.model));
  if (!c.calibration_data.empty() && !fs::exists(c.calibration_data))
    r.error("calibration_data", fmt::format("no such file: '{}'", c.calibration_data));
  if (c.threshold && !c.calibration_data.empty())
    r.error("calibration_data", "has no effect with an explicit threshold; set one of them");
  r.reject_unknown();
  return c;
}

Result<std::string> default_model_path() {
  std::vector<fs::path> candidates;
  if (const char* env = std::getenv("TIERGATE_COMPLEXITY_MODEL"); env && *env)
    candidates.emplace_back(env);
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path dir = exe.parent_path();
    candidates.push_back(dir / ".." / kDefaultModelRelative);
    candidates.push_back(dir / ".." / "share/tiergate/router/complexity-default.model");
  }
  candidates.emplace_back(kDefaultModelRelative);
#ifdef TIERGATE_SOURCE_DIR
  candidates.push_back(fs::path(TIERGATE_SOURCE_DIR) / kDefaultModelRelative);
#endif
  std::string tried;
  for (const auto& p : candidates) {
    if (fs::is_regular_file(p, ec)) return fs::weakly_canonical(p, ec).string();
    tried += (tried.empty() ? "" : ", ") + p.string();
  }
  return fail(Error::internal(fmt::format(
      "default complexity model not found (looked at {}); set routing.complexity.model", tried)));
}

Result<ComplexitySignal> load_complexity_signal(const ComplexityConfig& c) {
  ComplexitySignal sig;
  if (c.model.empty()) {
    auto p = default_model_path();
    if (!p) return fail(p.error());
    sig.model_path = *p;
  } else {
    sig.model_path = c.model;
  }
  auto scorer = ComplexityScorer::load(sig.model_path);
  if (!scorer) return fail(scorer.error());
  sig.scorer = *scorer;

  std::vector<double> sample;
  if (c.threshold) {
    sig.threshold = *c.threshold;
  } else if (!c.calibration_data.empty()) {
    std::string bad;
    auto st = for_each_prompt_line(
        c.calibration_data, false,
        [&](PromptRecord&& r) { sample.push_back(sig.scorer->score(r.prompt)); },
        [&](size_t line, const std::string& msg) {
          if (bad.empty()) bad = fmt::format("{}:{}: {}", c.calibration_data, line, msg);
        });
    if (!st) return fail(st.error());
    if (!bad.empty()) return fail(Error::client(ErrorCode::kInvalidRequest, bad));
    if (sample.empty())
      return fail(Error::client(ErrorCode::kInvalidRequest,
                                fmt::format("{}: no prompts to calibrate on", c.calibration_data)));
    sig.threshold = threshold_for_share(sample, c.target_cloud_share);
  } else {
    const auto& q = sig.scorer->model().score_quantiles;
    if (q.empty())
      return fail(Error::client(
          ErrorCode::kInvalidRequest,
          fmt::format("{}: model has no calibration quantiles; set calibration_data or threshold",
                      sig.model_path)));
    sig.threshold = threshold_from_quantiles(q, c.target_cloud_share);
  }

  sig.target_share = c.target_cloud_share;
  if (!sample.empty()) {
    std::vector<double> sorted = sample;
    std::sort(sorted.begin(), sorted.end());
    for (int i = 0; i <= 100; ++i) sig.quantiles.push_back(sorted[(sorted.size() - 1) * i / 100]);
  } else {
    sig.quantiles = sig.scorer->model().score_quantiles;
  }

  if (c.drift_correction && !c.threshold && std::isfinite(sig.threshold)) {
    // Score range of the calibration: the spread between the 5% and 95% quantiles.
    double range = 0;
    const auto& q = sig.scorer->model().score_quantiles;
    if (!sample.empty()) {
      std::sort(sample.begin(), sample.end());
      range = sample[sample.size() * 95 / 100] - sample[sample.size() * 5 / 100];
    } else if (q.size() >= 101) {
      range = q[95] - q[5];
    }
    if (range <= 0) range = 1.0;
    CloudShareTracker::Options o;
    o.target_share = c.target_cloud_share;
    o.initial_threshold = sig.threshold;
    o.step = c.drift_step * range;
    o.max_shift = range;
    sig.tracker = std::make_shared<CloudShareTracker>(o);
  }
  return sig;
}

}  // namespace tiergate::complexity
