#include "tiers/embedded/sampling.h"

#include <algorithm>
#include <cmath>

#include "tiers/embedded/output_text.h"

namespace tiergate::embedded {

SamplerPtr make_sampler(const SamplingParams& p) {
  SamplerPtr chain(llama_sampler_chain_init(llama_sampler_chain_default_params()));
  if (p.temperature <= 0) {
    llama_sampler_chain_add(chain.get(), llama_sampler_init_greedy());
    return chain;
  }
  // OpenAI's order: scale by temperature, then keep the nucleus, then draw.
  llama_sampler_chain_add(chain.get(), llama_sampler_init_temp(float(p.temperature)));
  if (p.top_p < 1.0)
    llama_sampler_chain_add(chain.get(), llama_sampler_init_top_p(float(p.top_p), 1));
  llama_sampler_chain_add(chain.get(), llama_sampler_init_dist(p.seed));
  return chain;
}

std::string token_piece(const llama_vocab* vocab, llama_token token) {
  char small[64];
  int32_t n = llama_token_to_piece(vocab, token, small, sizeof small, 0, false);
  if (n >= 0) return std::string(small, size_t(n));
  std::string big(size_t(-n), '\0');
  n = llama_token_to_piece(vocab, token, big.data(), int32_t(big.size()), 0, false);
  big.resize(size_t(std::max(n, 0)));
  return big;
}

api::TokenLogprob token_logprob(const float* logits, int32_t n_vocab, llama_token chosen, int top_n,
                                const llama_vocab* vocab,
                                std::vector<std::pair<float, int32_t>>& scratch) {
  float max = logits[0];
  for (int32_t i = 1; i < n_vocab; ++i) max = std::max(max, logits[i]);
  double sum = 0;
  for (int32_t i = 0; i < n_vocab; ++i) sum += std::exp(double(logits[i] - max));
  const double log_z = double(max) + std::log(sum);

  api::TokenLogprob lp;
  lp.token = sanitize_utf8(token_piece(vocab, chosen));
  lp.logprob = std::min(0.0, double(logits[chosen]) - log_z);
  if (top_n > 0) {
    const int k = std::min(top_n, int(n_vocab));
    scratch.resize(size_t(n_vocab));
    for (int32_t i = 0; i < n_vocab; ++i) scratch[size_t(i)] = {logits[i], i};
    std::partial_sort(scratch.begin(), scratch.begin() + k, scratch.end(),
                      [](const auto& a, const auto& b) { return a.first > b.first; });
    for (int i = 0; i < k; ++i)
      lp.top.emplace_back(sanitize_utf8(token_piece(vocab, scratch[size_t(i)].second)),
                          std::min(0.0, double(scratch[size_t(i)].first) - log_z));
  }
  return lp;
}

}  // namespace tiergate::embedded
