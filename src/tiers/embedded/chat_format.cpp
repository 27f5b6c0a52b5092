#include "tiers/embedded/chat_format.h"

#include <llama.h>
#include <spdlog/spdlog.h>

namespace tiergate::embedded {
namespace {

// OpenAI's "developer" role is the newer name of "system"; templates only know the latter.
const char* template_role(const std::string& role) {
  return role == "developer" ? "system" : role.c_str();
}

// llama_chat_apply_template returns the needed size; grow once when the first guess is short.
Result<std::string> apply(const std::string& tmpl, const std::vector<llama_chat_message>& msgs,
                          size_t text_bytes) {
  std::string out(text_bytes * 2 + 512, '\0');
  int32_t n = llama_chat_apply_template(tmpl.c_str(), msgs.data(), msgs.size(), true, out.data(),
                                        int32_t(out.size()));
  if (n > int32_t(out.size())) {
    out.resize(size_t(n));
    n = llama_chat_apply_template(tmpl.c_str(), msgs.data(), msgs.size(), true, out.data(),
                                  int32_t(out.size()));
  }
  if (n < 0) return fail(Error::internal("chat template could not be applied"));
  out.resize(size_t(n));
  return out;
}

bool template_supported(const std::string& tmpl) {
  const llama_chat_message probe[] = {{"system", "s"}, {"user", "u"}};
  char buf[1024];
  return llama_chat_apply_template(tmpl.c_str(), probe, 2, true, buf, sizeof buf) >= 0;
}

}  // namespace

Result<ChatFormat> ChatFormat::create(const llama_model* model, const std::string& override_tmpl) {
  ChatFormat f;
  if (override_tmpl == "raw") {
    f.mode_ = Mode::kRaw;
    f.description_ = "raw";
    return f;
  }
  if (!override_tmpl.empty()) {
    if (!template_supported(override_tmpl))
      return fail(Error::internal("chat_template: llama.cpp does not support this template"));
    f.mode_ = Mode::kTemplate;
    f.template_ = override_tmpl;
    f.description_ = "configured template";
    return f;
  }
  const char* own = model ? llama_model_chat_template(model, nullptr) : nullptr;
  if (own && *own && template_supported(own)) {
    f.mode_ = Mode::kTemplate;
    f.template_ = own;
    f.description_ = "model template";
    return f;
  }
  f.mode_ = Mode::kChatMl;
  f.description_ = own && *own ? "chatml (fallback: model template not supported)"
                               : "chatml (fallback: model has no template)";
  return f;
}

Result<std::string> ChatFormat::format(const std::vector<api::ChatMessage>& messages) const {
  if (messages.empty())
    return fail(Error::client(ErrorCode::kInvalidRequest, "messages must not be empty"));
  std::vector<std::string> texts;
  texts.reserve(messages.size());
  size_t bytes = 0;
  for (const auto& m : messages) {
    texts.push_back(m.text());
    bytes += texts.back().size() + m.role.size() + 16;
  }
  std::string out;
  switch (mode_) {
    case Mode::kRaw:
      for (size_t i = 0; i < texts.size(); ++i) out += (i ? "\n" : "") + texts[i];
      return out;
    case Mode::kChatMl:
      out.reserve(bytes + 32);
      for (size_t i = 0; i < texts.size(); ++i)
        out += "<|im_start|>" + std::string(template_role(messages[i].role)) + "\n" + texts[i] +
               "<|im_end|>\n";
      out += "<|im_start|>assistant\n";
      return out;
    case Mode::kTemplate: {
      std::vector<llama_chat_message> msgs;
      for (size_t i = 0; i < texts.size(); ++i)
        msgs.push_back({template_role(messages[i].role), texts[i].c_str()});
      return apply(template_, msgs, bytes);
    }
  }
  return fail(Error::internal("unreachable chat format"));
}

}  // namespace tiergate::embedded
