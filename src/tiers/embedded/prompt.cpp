#include "tiers/embedded/prompt.h"

#include <string>

namespace tiergate::embedded {

Result<std::vector<llama_token>> prompt_tokens(const ChatFormat& format, const llama_vocab* vocab,
                                               const std::vector<api::ChatMessage>& messages,
                                               int32_t context_tokens) {
  auto text = format.format(messages);
  if (!text) return fail(text.error());
  // Templates that write the BOS marker themselves must not get a second one.
  bool add_special = true;
  if (const llama_token bos = llama_vocab_bos(vocab); bos != LLAMA_TOKEN_NULL) {
    const char* bos_text = llama_vocab_get_text(vocab, bos);
    if (bos_text && *bos_text && text->starts_with(bos_text)) add_special = false;
  }
  std::vector<llama_token> tokens(text->size() + 8);
  int32_t n = llama_tokenize(vocab, text->data(), int32_t(text->size()), tokens.data(),
                             int32_t(tokens.size()), add_special, true);
  if (n < 0 && n != INT32_MIN) {  // the buffer was short: -n is the size needed
    tokens.resize(size_t(-n));
    n = llama_tokenize(vocab, text->data(), int32_t(text->size()), tokens.data(),
                       int32_t(tokens.size()), add_special, true);
  }
  if (n < 0)
    return fail(Error::client(ErrorCode::kContextTooLong, "the prompt is too long to tokenize"));
  tokens.resize(size_t(n));
  if (tokens.empty()) tokens.push_back(llama_vocab_bos(vocab));
  if (int64_t(tokens.size()) >= context_tokens) {
    return fail(Error::client(
        ErrorCode::kContextTooLong,
        "This model's maximum context length is " + std::to_string(context_tokens) +
            " tokens. However, your messages resulted in " + std::to_string(tokens.size()) +
            " tokens (at least one token must remain for the answer)."));
  }
  return tokens;
}

}  // namespace tiergate::embedded
