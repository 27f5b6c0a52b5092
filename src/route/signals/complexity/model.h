#pragma once
// The complexity model's parameters and their file format. A model is trained offline
// (train.h), written once, and loaded read-only by ComplexityScorer (scorer.h).
//
// Score of a prompt (higher = more likely to need the strong model):
//   multiple-choice / knowledge prompts:
//     w_subject * sum_s P(s | prompt) * gain(s)  +  w_item * (item logit)
//   where P(s | prompt) is a multinomial naive-Bayes posterior over the training subjects (at
//   temperature nb_temperature), gain(s) the smoothed mean of strong_correct - weak_correct in
//   subject s, and the item logit a logistic regression on hashed n-grams + structural features;
//   free-form prompts (maths word problems, chat):
//     free_offset + free_scale * (math_difficulty(shape) - free_center) / free_spread
//
// File format "tiergate-complexity 1": UTF-8 text, one record per line, whitespace-separated;
// see model.cpp. Unknown versions are refused.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "route/signals/complexity/features.h"

namespace tiergate::complexity {

inline constexpr int kModelFormatVersion = 1;

struct SubjectPrior {
  std::string name;
  double log_prior = 0;   // log P(s)
  double log_unseen = 0;  // log P(feature | s) of a feature never seen with s
  double gain = 0;        // smoothed mean strong_correct - weak_correct
};

// Naive-Bayes evidence of one feature id: for each subject it was seen with, how much more likely
// the feature is under that subject than an unseen one (log ratio).
struct SubjectEvidence {
  uint32_t id = 0;
  std::vector<std::pair<uint16_t, float>> deltas;  // (subject index, log ratio), subject ascending
};

struct ComplexityModel {
  FeatureOptions features;
  // Combination.
  double w_subject = 1.0;
  double w_item = 0.0;
  double nb_temperature = 1.0;
  // Subject posterior.
  std::vector<SubjectPrior> subjects;
  std::vector<SubjectEvidence> evidence;  // ids ascending
  // Item model (logistic regression).
  double item_bias = 0;
  std::vector<std::pair<uint32_t, float>> item_weights;  // ids ascending
  DenseFeatures dense_mean{};
  DenseFeatures dense_scale{};  // 1 / standard deviation
  DenseFeatures dense_weights{};
  // Free-form prompts.
  MathWeights math;
  double free_center = 5.5;
  double free_spread = 1.2;
  double free_offset = 0.15;
  double free_scale = 0.08;
  // Calibration: score quantiles q[0] .. q[100] of a sample of prompts (out-of-fold on training).
  std::vector<double> score_quantiles;
  // Free text for people: how it was trained.
  std::string provenance;
};

std::string serialise_model(const ComplexityModel& model);
Result<ComplexityModel> parse_model(std::string_view text);

Status save_model_file(const ComplexityModel& model, const std::string& path);
Result<ComplexityModel> load_model_file(const std::string& path);

}  // namespace tiergate::complexity
