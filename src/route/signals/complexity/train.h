#pragma once
// Training of the complexity model from labelled prompts (dataset.h). Deterministic: the same
// records and options give the same model, byte for byte (full-batch optimisation, no random
// numbers, fixed fold assignment). Offline only.

#include <cstdint>
#include <string>
#include <vector>

#include "common/error.h"
#include "route/signals/complexity/dataset.h"
#include "route/signals/complexity/model.h"

namespace tiergate::complexity {

// What the item model (logistic regression) learns to predict.
enum class ItemTarget : uint8_t {
  kGainPositive,  // P(weak wrong and strong right)
  kWeakWrong,     // P(weak wrong)
  kGainSoft,      // E[gain] via soft label (gain + 1) / 2
};

struct TrainOptions {
  FeatureOptions features;
  // Subject posterior (naive Bayes over sparse ids, term counts).
  double nb_alpha = 0.03;          // additive smoothing of feature counts
  bool nb_binary = false;          // count a feature once per prompt when fitting
  bool nb_tfidf = false;           // fit on length-normalised log(1+tf)*idf instead of counts
  double nb_tfidf_scale = 10.0;    // total weight of one prompt with nb_tfidf
  double nb_temperature = 0.3;     // posterior sharpness at scoring time
  int min_df = 1;                  // drop ids seen in fewer training prompts
  double subject_smoothing = 3.0;  // pseudo-prompts pulling a subject's gain to the global mean
  // Item model.
  ItemTarget item_target = ItemTarget::kGainSoft;
  double item_l2 = 1e-2;
  int item_iterations = 300;
  bool item_sparse = true;  // hashed n-grams in the item model (else dense features only)
  // Combination; w_item is chosen by cross-validation when `select_w_item` is set.
  double w_subject = 1.0;
  double w_item = 0.0;
  bool select_w_item = true;
  std::vector<double> w_item_grid = {0, 0.01, 0.02, 0.03, 0.05, 0.08, 0.12, 0.2};
  int cv_folds = 5;
};

struct CvResult {
  std::string variant;
  double apgr = 0, cpt50 = 0, cpt80 = 0;
};

struct TrainReport {
  std::vector<CvResult> cv;  // out-of-fold results on the training file, one per variant tried
  double chosen_w_item = 0;
  double seconds = 0;
};

// Trains on every record (all must carry labels). Also runs `cv_folds`-fold cross-validation to
// choose w_item and to collect out-of-fold scores, whose quantiles become the model's default
// calibration sample.
Result<ComplexityModel> train_model(const std::vector<PromptRecord>& records,
                                    const TrainOptions& options, TrainReport* report = nullptr);

// Out-of-fold scores (same order as records) from `folds`-fold cross-validation with fixed
// options (no inner selection). Fold of record i is i % folds after a fixed permutation.
std::vector<double> cross_validated_scores(const std::vector<PromptRecord>& records,
                                           const TrainOptions& options, int folds);

}  // namespace tiergate::complexity
