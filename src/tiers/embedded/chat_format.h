#pragma once
// Turns a request's messages into prompt text with the model's own chat template (GGUF metadata
// `tokenizer.chat_template`, applied by llama_chat_apply_template, which recognises the common
// template families without a Jinja engine).
//
// Fallback when the model has no template, or one llama.cpp does not recognise: ChatML,
//   <|im_start|>{role}\n{content}<|im_end|>\n ... <|im_start|>assistant\n
// which instruction-tuned models mostly follow and which base models at least continue. The
// `chat_template` option overrides: a builtin name ("chatml", "llama3", ...), a Jinja template
// string, or "raw" (the messages' text joined by newlines, for base models such as story models).

#include <string>
#include <vector>

#include "api/openai/chat.h"
#include "common/error.h"

struct llama_model;

namespace tiergate::embedded {

class ChatFormat {
 public:
  // Picks the template. An explicit override that llama.cpp does not support is an error; a
  // model's own unsupported template falls back to ChatML (logged).
  static Result<ChatFormat> create(const llama_model* model, const std::string& override_template);

  // The prompt for `messages`, ending where the assistant's answer begins. Errors are client
  // errors (e.g. an empty conversation).
  Result<std::string> format(const std::vector<api::ChatMessage>& messages) const;

  // What is in use, for logs: "model template", "chatml (fallback)", "raw", ...
  const std::string& description() const { return description_; }

 private:
  enum class Mode { kTemplate, kChatMl, kRaw };
  Mode mode_ = Mode::kChatMl;
  std::string template_;  // kTemplate: passed to llama_chat_apply_template
  std::string description_;
};

}  // namespace tiergate::embedded
