#pragma once
// ComplexityScorer: the quality signal of the routing engine. Maps a prompt to a score where a
// higher score means the request more likely needs the strong (cloud) model; for knowledge
// questions the score estimates P(strong right) - P(weak right).
//
// Immutable after construction and safe to call from any number of threads at once. score() runs
// in microseconds: one pass over the bytes, table look-ups, no heap allocation after a thread's
// first call (it reuses a thread-local id buffer).

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "route/signals/complexity/features.h"
#include "route/signals/complexity/model.h"

namespace tiergate::api {
struct ChatRequest;
}

namespace tiergate::complexity {

// What went into one score, for `tiergate explain` and debugging.
struct ScoreDetail {
  double score = 0;
  PromptKind kind = PromptKind::kOther;
  double subject_term = 0;     // expected gain over the subject posterior (knowledge prompts)
  double item_term = 0;        // item-model logit (knowledge prompts)
  double free_difficulty = 0;  // heuristic difficulty (free-form prompts)
  int top_subject = -1;        // index into subjects(), -1 for free-form prompts
  double top_subject_p = 0;
};

class ComplexityScorer {
 public:
  // Reads and validates a model file (model.h). Errors name the file and line.
  static Result<std::shared_ptr<const ComplexityScorer>> load(const std::string& path);
  static std::shared_ptr<const ComplexityScorer> from_model(ComplexityModel model);

  // Thread-safe; never fails: any byte string scores (empty text scores as a short prompt).
  double score(std::string_view prompt) const;
  ScoreDetail score_detail(std::string_view prompt) const;

  const ComplexityModel& model() const { return model_; }
  const std::string& subject_name(int i) const;

 private:
  explicit ComplexityScorer(ComplexityModel model);

  ComplexityModel model_;
  // id -> index into the per-feature arrays below, -1 when the model knows nothing of it.
  std::vector<int32_t> slot_;
  std::vector<float> item_weight_;
  std::vector<uint32_t> evidence_begin_;  // size = features + 1
  std::vector<uint16_t> evidence_subject_;
  std::vector<float> evidence_delta_;
  std::vector<double> log_prior_, log_unseen_, gain_;
};

const char* prompt_kind_name(PromptKind kind);

// The text the scorer reads from a chat request: the last user message, prefixed by the system
// (or developer) prompt when there is one, since it often carries the task. Bounded to the last
// `max_bytes` bytes of each so scoring stays O(1) on huge contexts.
std::string scoring_text(const api::ChatRequest& request, size_t max_bytes = 8192);

}  // namespace tiergate::complexity
