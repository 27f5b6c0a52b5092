#include "route/signals/complexity/scorer.h"

#include <algorithm>
#include <cmath>

#include "api/openai/chat.h"

namespace tiergate::complexity {

const char* prompt_kind_name(PromptKind kind) {
  switch (kind) {
    case PromptKind::kMultipleChoice:
      return "multiple_choice";
    case PromptKind::kMathWord:
      return "math_word";
    case PromptKind::kOther:
      return "other";
  }
  return "other";
}

Result<std::shared_ptr<const ComplexityScorer>> ComplexityScorer::load(const std::string& path) {
  auto m = load_model_file(path);
  if (!m) return fail(m.error());
  return from_model(std::move(*m));
}

std::shared_ptr<const ComplexityScorer> ComplexityScorer::from_model(ComplexityModel model) {
  return std::shared_ptr<const ComplexityScorer>(new ComplexityScorer(std::move(model)));
}

ComplexityScorer::ComplexityScorer(ComplexityModel model) : model_(std::move(model)) {
  slot_.assign(size_t{1} << model_.features.hash_bits, -1);
  // Union of the ids both parts know, in ascending order (both lists ascend).
  std::vector<uint32_t> ids;
  ids.reserve(model_.evidence.size() + model_.item_weights.size());
  for (const auto& e : model_.evidence) ids.push_back(e.id);
  for (const auto& [id, w] : model_.item_weights) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  for (size_t i = 0; i < ids.size(); ++i) slot_[ids[i]] = static_cast<int32_t>(i);
  item_weight_.assign(ids.size(), 0.f);
  for (const auto& [id, w] : model_.item_weights) item_weight_[slot_[id]] = w;
  std::vector<const SubjectEvidence*> by_slot(ids.size(), nullptr);
  for (const auto& e : model_.evidence) by_slot[slot_[e.id]] = &e;
  evidence_begin_.reserve(ids.size() + 1);
  for (const SubjectEvidence* e : by_slot) {
    evidence_begin_.push_back(static_cast<uint32_t>(evidence_subject_.size()));
    if (!e) continue;
    for (const auto& [cls, d] : e->deltas) {
      evidence_subject_.push_back(cls);
      evidence_delta_.push_back(d);
    }
  }
  evidence_begin_.push_back(static_cast<uint32_t>(evidence_subject_.size()));
  for (const auto& s : model_.subjects) {
    log_prior_.push_back(s.log_prior);
    log_unseen_.push_back(s.log_unseen);
    gain_.push_back(s.gain);
  }
}

const std::string& ComplexityScorer::subject_name(int i) const {
  static const std::string kNone;
  return (i >= 0 && static_cast<size_t>(i) < model_.subjects.size()) ? model_.subjects[i].name
                                                                     : kNone;
}

double ComplexityScorer::score(std::string_view prompt) const { return score_detail(prompt).score; }

ScoreDetail ComplexityScorer::score_detail(std::string_view prompt) const {
  ScoreDetail d;
  const PromptShape shape = analyse_shape(prompt);
  d.kind = shape.kind;
  const ComplexityModel& m = model_;
  if (shape.kind != PromptKind::kMultipleChoice) {
    d.free_difficulty = math_difficulty(shape, m.math);
    d.score = m.free_offset + m.free_scale * (d.free_difficulty - m.free_center) / m.free_spread;
    return d;
  }

  thread_local std::vector<uint32_t> ids;
  thread_local std::vector<double> lp;
  extract_sparse(prompt, m.features, ids);
  const size_t k = log_prior_.size();
  lp.resize(k);
  const double n = static_cast<double>(ids.size());
  for (size_t s = 0; s < k; ++s) lp[s] = log_prior_[s] + n * log_unseen_[s];
  double item = 0;
  for (uint32_t id : ids) {
    int32_t slot = slot_[id];
    if (slot < 0) continue;
    item += item_weight_[slot];
    for (uint32_t j = evidence_begin_[slot], e = evidence_begin_[slot + 1]; j < e; ++j)
      lp[evidence_subject_[j]] += evidence_delta_[j];
  }
  if (k > 0) {
    double mx = *std::max_element(lp.begin(), lp.end());
    double z = 0, eg = 0, best = -1;
    for (size_t s = 0; s < k; ++s) {
      double p = std::exp((lp[s] - mx) * m.nb_temperature);
      z += p;
      eg += p * gain_[s];
      if (p > best) {
        best = p;
        d.top_subject = static_cast<int>(s);
      }
    }
    d.subject_term = eg / z;
    d.top_subject_p = best / z;
  }
  item = n > 0 ? item / std::sqrt(n) : 0;
  const DenseFeatures x = dense_features(shape);
  for (int i = 0; i < kDenseFeatures; ++i)
    item += (x[i] - m.dense_mean[i]) * m.dense_scale[i] * m.dense_weights[i];
  d.item_term = m.item_bias + item;
  d.score = m.w_subject * d.subject_term + m.w_item * d.item_term;
  return d;
}

std::string scoring_text(const api::ChatRequest& request, size_t max_bytes) {
  auto tail = [max_bytes](const std::string& s) {
    return s.size() <= max_bytes ? std::string_view(s)
                                 : std::string_view(s).substr(s.size() - max_bytes);
  };
  std::string system, user;
  for (const auto& msg : request.messages) {
    if (msg.role == "system" || msg.role == "developer")
      system = msg.text();
    else if (msg.role == "user")
      user = msg.text();
  }
  std::string out;
  if (!system.empty()) {
    out.append(tail(system));
    out += "\n\n";
  }
  out.append(tail(user));
  return out;
}

}  // namespace tiergate::complexity
