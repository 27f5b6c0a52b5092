#include "tiers/embedded/sequence.h"

namespace tiergate::embedded {

void Sequence::start(std::unique_ptr<Job> job, std::vector<llama_token> prompt, SamplerPtr sampler,
                     int64_t max_tokens, int top_logprobs, uint64_t order) {
  job_ = std::move(job);
  prompt_ = std::move(prompt);
  prefilled_ = 0;
  n_past_ = 0;
  rolled_back();
  sampler_ = std::move(sampler);
  output_ = OutputText(job_->request.chat.stop);
  completion_tokens_ = 0;
  max_tokens_ = max_tokens;
  top_logprobs_ = top_logprobs;
  role_sent_ = false;
  pending_logprobs_.clear();
  order_ = order;
  first_token_at_ = {};
}

void Sequence::planned(int tokens, int out_index, bool prompt_tokens) {
  step_tokens_ = tokens;
  out_index_ = out_index;
  step_prompt_ = prompt_tokens;
}

void Sequence::committed() {
  n_past_ += step_tokens_;
  if (step_prompt_) prefilled_ += size_t(step_tokens_);
  step_tokens_ = 0;
  step_prompt_ = false;
}

std::string Sequence::sample_and_emit(llama_context* ctx, const llama_vocab* vocab,
                                      int32_t ctx_limit,
                                      std::vector<std::pair<float, int32_t>>& scratch) {
  const int row = out_index_;
  const llama_token id = llama_sampler_sample(sampler_.get(), ctx, row);
  out_index_ = -1;
  if (completion_tokens_ == 0) first_token_at_ = Clock::now();
  ++completion_tokens_;
  if (llama_vocab_is_eog(vocab, id)) return "stop";

  const std::string piece = token_piece(vocab, id);
  if (top_logprobs_ >= 0) {
    if (const float* logits = llama_get_logits_ith(ctx, row))
      pending_logprobs_.push_back(
          token_logprob(logits, llama_vocab_n_tokens(vocab), id, top_logprobs_, vocab, scratch));
  }
  const bool stopped = output_.append(piece);
  std::string ready = output_.take_ready();
  if (!ready.empty()) emit_delta(std::move(ready), "");
  if (stopped) return "stop";
  if (completion_tokens_ >= max_tokens_) return "length";
  if (n_past_ + 1 > ctx_limit) return "length";  // no room to decode the sampled token
  next_token_ = id;
  return {};
}

void Sequence::emit_delta(std::string content, std::string finish_reason) {
  api::ChoiceDelta d;
  if (!role_sent_) d.role = "assistant", role_sent_ = true;
  d.content = std::move(content);
  d.finish_reason = std::move(finish_reason);
  if (top_logprobs_ >= 0) {
    d.has_logprobs = true;
    d.logprobs = std::move(pending_logprobs_);
    pending_logprobs_.clear();
  }
  job_->sink->on_event(std::move(d));
}

void Sequence::finish(const std::string& reason) {
  // A stop sequence drops the held text; otherwise whatever was held is now safe to send.
  std::string rest = output_.flush();
  if (output_.stopped()) pending_logprobs_.clear();
  emit_delta(std::move(rest), reason);
  job_->sink->on_event(api::Usage{prompt_tokens(), completion_tokens_});
  job_->sink->on_event(TierDone{reason});
  release();
}

void Sequence::fail(Error error) {
  job_->sink->on_event(std::move(error));
  release();
}

void Sequence::release() {
  job_->request.cancel->clear();
  job_.reset();
  sampler_.reset();
  prompt_.clear();
  pending_logprobs_.clear();
}

}  // namespace tiergate::embedded
