#pragma once
// Token choice and token confidence for one sequence. Engine thread only.

#include <llama.h>

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "api/openai/chat.h"

namespace tiergate::embedded {

struct SamplerDeleter {
  void operator()(llama_sampler* s) const { llama_sampler_free(s); }
};
using SamplerPtr = std::unique_ptr<llama_sampler, SamplerDeleter>;

struct SamplingParams {
  double temperature = 1.0;  // 0 = greedy (deterministic, no seed involved)
  double top_p = 1.0;
  uint32_t seed = LLAMA_DEFAULT_SEED;  // LLAMA_DEFAULT_SEED = random
};

// temperature, then nucleus, then a seeded draw; or plain argmax at temperature 0.
SamplerPtr make_sampler(const SamplingParams& params);

// OpenAI's logprobs entry for `chosen`: its log-probability under the model's own distribution
// (log-softmax of the raw logits, before temperature or top_p) and the `top_n` most likely
// alternatives. `scratch` is reused between calls to avoid allocating per token.
api::TokenLogprob token_logprob(const float* logits, int32_t n_vocab, llama_token chosen, int top_n,
                                const llama_vocab* vocab,
                                std::vector<std::pair<float, int32_t>>& scratch);

// A token's text (special tokens render as nothing), as raw bytes: may be part of a character.
std::string token_piece(const llama_vocab* vocab, llama_token token);

}  // namespace tiergate::embedded
