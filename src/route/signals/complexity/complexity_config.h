#pragma once
// The `routing.complexity` configuration section and the start-up wiring it implies:
//
//   routing:
//     complexity:
//       model: data/router/complexity-default.model   # default: the committed model, see below
//       target_cloud_share: 0.25     # share of traffic the scorer should send to the cloud
//       threshold: 0.12              # explicit threshold; overrides target_cloud_share
//       calibration_data: FILE.jsonl # prompts ({"id","prompt"} lines) to calibrate on; default:
//                                    # the score quantiles stored in the model file
//       drift_correction: true       # track the running cloud share and correct the threshold
//       drift_step: 0.002            # threshold change per decision, as a share of the score range
//
// Default model path: the first existing of
//   $TIERGATE_COMPLEXITY_MODEL,
//   <directory of /proc/self/exe>/../data/router/complexity-default.model   (build dir in the tree)
//   <directory of /proc/self/exe>/../share/tiergate/router/complexity-default.model   (installed)
//   ./data/router/complexity-default.model   (run from the source tree)
//   TIERGATE_SOURCE_DIR/data/router/complexity-default.model   (tests and benchmarks only)
// A relative `model:` path is taken as given (relative to the current directory).

#include <memory>
#include <optional>
#include <string>

#include "common/error.h"
#include "config/yaml_reader.h"
#include "route/signals/complexity/calibration.h"
#include "route/signals/complexity/scorer.h"

namespace tiergate::complexity {

inline constexpr const char* kDefaultModelRelative = "data/router/complexity-default.model";

struct ComplexityConfig {
  std::string model;  // empty: the default model (default_model_path())
  double target_cloud_share = 0.25;
  std::optional<double> threshold;  // explicit override
  std::string calibration_data;     // empty: the model's stored quantiles
  bool drift_correction = true;
  double drift_step = 0.002;
};

// Reads the section; problems go to reader.error(), unknown keys to reader.reject_unknown().
ComplexityConfig parse_complexity_config(config::YamlReader& reader);

// Resolves the default model file (see above); fails listing the places it looked.
Result<std::string> default_model_path();

// What routing needs at run time: the scorer, the calibrated threshold and the drift tracker.
struct ComplexitySignal {
  std::shared_ptr<const ComplexityScorer> scorer;
  double threshold = 0;  // calibrated (or configured) threshold; score >= threshold -> cloud
  std::shared_ptr<CloudShareTracker> tracker;  // null when drift_correction is off or threshold set
  std::string model_path;
  double target_share = 0.25;
  // 101 evenly spaced score quantiles of the calibration sample (or the model's): budget pacing
  // turns a reduced cloud share into a threshold with them. May be empty (explicit threshold and a
  // model without quantiles): then pacing can only stop the cloud at the cap.
  std::vector<double> quantiles;

  // The threshold in force now.
  double current_threshold() const { return tracker ? tracker->threshold() : threshold; }
};

// Loads the model, calibrates, builds the tracker. Start-up only (reads files).
Result<ComplexitySignal> load_complexity_signal(const ComplexityConfig& config);

}  // namespace tiergate::complexity
