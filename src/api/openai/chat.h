#pragma once
// Typed OpenAI chat-completions structures. JSON is parsed into these at the edge (parse.cpp) and
// written from them (write.cpp); nothing deeper than api/ sees JSON text, except the few fields
// tiergate passes through untouched, which are kept as raw JSON (`*_json` members).

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tiergate::api {

// One part of a message's content. A string content is a single text part.
struct ContentPart {
  enum class Kind { kText, kOther };
  Kind kind = Kind::kText;
  std::string text;      // kText: the text
  std::string raw_json;  // kOther: the part verbatim (image_url, input_audio, ...)
};

struct ChatMessage {
  std::string role;  // system | developer | user | assistant | tool
  std::vector<ContentPart> content;
  bool content_is_array = false;  // the client sent an array of parts (written back the same way)
  bool content_is_null = false;   // assistant messages with tool_calls may carry "content": null
  std::string name;
  std::string tool_call_id;
  std::string tool_calls_json;  // raw JSON array, or empty

  // All text parts joined: what a model or a scanner reads of this message.
  std::string text() const;
};

struct ChatRequest {
  std::string model;
  std::vector<ChatMessage> messages;
  bool stream = false;
  bool include_usage = false;  // stream_options.include_usage
  std::optional<int64_t> max_tokens;
  std::optional<int64_t> max_completion_tokens;
  std::optional<double> temperature;
  std::optional<double> top_p;
  std::optional<int64_t> seed;
  std::optional<int64_t> n;
  bool logprobs = false;
  std::optional<int64_t> top_logprobs;
  std::vector<std::string> stop;
  std::string user;
  std::string tools_json;            // raw JSON, or empty
  std::string tool_choice_json;      // raw JSON, or empty
  std::string response_format_json;  // raw JSON, or empty
  // Every other top-level key, verbatim, forwarded to OpenAI-compatible upstreams.
  std::vector<std::pair<std::string, std::string>> extra_json;

  // The output limit the client asked for: max_completion_tokens, else max_tokens.
  std::optional<int64_t> output_limit() const {
    return max_completion_tokens ? max_completion_tokens : max_tokens;
  }
  bool wants_tools() const { return !tools_json.empty(); }
  bool wants_json_mode() const { return !response_format_json.empty(); }
  bool has_images() const;

  // Calls fn(std::string&) on every piece of free text a client can put in a request: message
  // text parts, names, tool-call arguments, tool definitions, and the pass-through JSON. Privacy
  // scanning and redaction use this so that no field is forgotten.
  template <typename Fn>
  void for_each_text(Fn&& fn) {
    for (auto& m : messages) {
      for (auto& p : m.content) fn(p.kind == ContentPart::Kind::kText ? p.text : p.raw_json);
      if (!m.name.empty()) fn(m.name);
      if (!m.tool_calls_json.empty()) fn(m.tool_calls_json);
    }
    if (!tools_json.empty()) fn(tools_json);
    if (!tool_choice_json.empty()) fn(tool_choice_json);
    if (!response_format_json.empty()) fn(response_format_json);
    if (!user.empty()) fn(user);
    for (auto& [k, v] : extra_json) fn(v);
  }
  template <typename Fn>
  void for_each_text(Fn&& fn) const {
    const_cast<ChatRequest*>(this)->for_each_text(
        [&](std::string& s) { fn(static_cast<const std::string&>(s)); });
  }
};

struct Usage {
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
  int64_t total() const { return prompt_tokens + completion_tokens; }
};

// One token's log-probability, as OpenAI's choices[].logprobs.content[] entry.
struct TokenLogprob {
  std::string token;
  double logprob = 0;
  std::vector<std::pair<std::string, double>> top;  // top_logprobs
};

// An increment of a generation: what one SSE chunk carries for one choice. A non-streaming
// upstream answer is a single delta with the whole message.
struct ChoiceDelta {
  int index = 0;
  std::string role;          // set on the first delta only
  std::string content;       // text to append
  std::string tool_calls_json;  // raw JSON array of tool-call deltas, or empty
  std::string finish_reason;    // stop | length | tool_calls | content_filter; empty until the end
  std::vector<TokenLogprob> logprobs;
  bool has_logprobs = false;
};

// Assembles a whole message from deltas, for non-streaming clients.
struct ChoiceResult {
  int index = 0;
  std::string role = "assistant";
  std::string content;
  std::string tool_calls_json;
  std::string finish_reason;
  std::vector<TokenLogprob> logprobs;
  bool has_logprobs = false;

  void append(const ChoiceDelta& d);
};

}  // namespace tiergate::api
