#pragma once
// A request's messages -> the prompt tokens the engine decodes. Engine thread only (it runs
// llama.cpp's tokenizer, which is thread-safe, but the engine is where the work belongs).

#include <llama.h>

#include <vector>

#include "api/openai/chat.h"
#include "common/error.h"
#include "tiers/embedded/chat_format.h"

namespace tiergate::embedded {

// Applies the chat format and tokenises (control tokens of the template are parsed; BOS is added
// when the model wants one and the template did not write it). Fails with kContextTooLong when
// the prompt leaves no room for an answer in `context_tokens`.
Result<std::vector<llama_token>> prompt_tokens(const ChatFormat& format, const llama_vocab* vocab,
                                               const std::vector<api::ChatMessage>& messages,
                                               int32_t context_tokens);

}  // namespace tiergate::embedded
