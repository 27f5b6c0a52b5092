#pragma once
// One request inside the engine: what it asked for, where it is in its prompt and output, and how
// its events reach the caller. Owned and touched by the engine thread only, except `cancelled`.

#include <llama.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "tiers/embedded/output_text.h"
#include "tiers/embedded/sampling.h"
#include "tiers/tier.h"

namespace tiergate::embedded {

// A submitted request waiting for, or holding, a sequence slot.
struct Job {
  TierRequest request;
  std::shared_ptr<TierSink> sink;
  std::shared_ptr<std::atomic<bool>> cancelled;  // set by the Cancellation hook (any thread)
  Clock::time_point submitted;
};

// A sequence slot of the llama_context (seq_id = its index) and the request it serves.
class Sequence {
 public:
  explicit Sequence(llama_seq_id id) : id_(id) {}

  llama_seq_id id() const { return id_; }
  bool busy() const { return job_ != nullptr; }
  const Job& job() const { return *job_; }
  bool cancel_requested() const { return job_->cancelled->load(std::memory_order_acquire); }

  // Takes `job` with its tokenised prompt; output state starts empty.
  void start(std::unique_ptr<Job> job, std::vector<llama_token> prompt, SamplerPtr sampler,
             int64_t max_tokens, int top_logprobs, uint64_t order);

  // Prompt progress. The KV cache holds n_past() tokens of this sequence.
  bool prefilling() const { return prefilled_ < prompt_.size(); }
  size_t prompt_remaining() const { return prompt_.size() - prefilled_; }
  const llama_token* prompt_at_cursor() const { return prompt_.data() + prefilled_; }
  int64_t prompt_tokens() const { return int64_t(prompt_.size()); }
  int32_t n_past() const { return n_past_; }
  uint64_t order() const { return order_; }

  // This step's part of the batch: `tokens` added, output row `out_index` (-1: none).
  void planned(int tokens, int out_index, bool prompt_tokens);
  int out_index() const { return out_index_; }
  // The decode of this step succeeded: advance the cursor and position.
  void committed();
  // The decode failed and was rolled back: forget this step's plan.
  void rolled_back() { step_tokens_ = 0, out_index_ = -1, step_prompt_ = false; }

  // Samples from output row `out_index()` and emits what became visible. Returns a finish reason
  // ("stop", "length") when the sequence is done, else empty. `ctx_limit`: tokens per sequence.
  std::string sample_and_emit(llama_context* ctx, const llama_vocab* vocab, int32_t ctx_limit,
                              std::vector<std::pair<float, int32_t>>& scratch);
  llama_token next_token() const { return next_token_; }
  bool sampled_any() const { return completion_tokens_ > 0; }
  Clock::time_point first_token_at() const { return first_token_at_; }

  // Terminal events. Both release the job (and its sink); the caller frees the KV cells.
  void finish(const std::string& reason);
  void fail(Error error);

 private:
  void emit_delta(std::string content, std::string finish_reason);
  void release();

  const llama_seq_id id_;
  std::unique_ptr<Job> job_;
  std::vector<llama_token> prompt_;
  size_t prefilled_ = 0;
  int32_t n_past_ = 0;
  int step_tokens_ = 0;
  bool step_prompt_ = false;
  int out_index_ = -1;
  llama_token next_token_ = 0;
  SamplerPtr sampler_;
  OutputText output_;
  int64_t completion_tokens_ = 0;
  int64_t max_tokens_ = 0;
  int top_logprobs_ = -1;  // -1: no logprobs; 0..20: logprobs with that many alternatives
  bool role_sent_ = false;
  std::vector<api::TokenLogprob> pending_logprobs_;  // of tokens whose text is still held
  uint64_t order_ = 0;
  Clock::time_point first_token_at_{};
};

}  // namespace tiergate::embedded
