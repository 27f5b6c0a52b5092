#pragma once
// JSON <-> typed structs for the OpenAI chat-completions API. The only place that parses JSON.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/openai/chat.h"
#include "common/error.h"

namespace tiergate::api {

// Client request body -> ChatRequest. Errors are client errors naming the offending parameter and
// never quoting the prompt.
Result<ChatRequest> parse_chat_request(std::string_view body);

// What one upstream answer (a streamed chunk, or a whole non-streaming response) carries.
struct UpstreamPart {
  std::vector<ChoiceDelta> deltas;
  std::optional<Usage> usage;
  std::string id;
};
// A streamed `data:` payload (chat.completion.chunk) or a non-streaming chat.completion body.
// An upstream `{"error": ...}` object becomes an upstream Error.
Result<UpstreamPart> parse_upstream_chunk(std::string_view json);
Result<UpstreamPart> parse_upstream_response(std::string_view json);
// A whole non-streaming chat.completion passed to the client as the upstream wrote it, with only
// its id and model replaced: whatever else the upstream sends (refusal, reasoning_content,
// system_fingerprint, usage details, fields yet to come) reaches the client, and nothing is parsed
// into structs and written again.
struct RelayedCompletion {
  std::string body;  // the upstream's JSON
  // Where the top-level "id" and "model" string values are in body, quotes included.
  size_t id_begin = 0, id_end = 0, model_begin = 0, model_end = 0;
  Usage usage;
  std::string finish_reason;  // of choice 0
  // body with `id` and `model` in place of the upstream's values.
  std::string with_identity(std::string_view id, std::string_view model) const;
};
// When `body` is a complete chat.completion (valid JSON; id, object, created, model, choices with
// messages, usage with token counts; "id" and "model" spelt without escapes), moves it into a
// RelayedCompletion. Otherwise leaves it, and the caller parses it with parse_upstream_response,
// which rebuilds what can be rebuilt and names what is wrong.
std::optional<RelayedCompletion> relayable_completion(std::string& body);
// Spare capacity after a body that lets the JSON parser read it in place instead of copying it.
inline constexpr size_t kParsePadding = 64;
// Best effort: the message of an upstream error body, or empty.
std::string upstream_error_message(std::string_view body);

// ChatRequest -> body for an OpenAI-compatible upstream, with the tier's model and stream flags.
std::string write_upstream_request(const ChatRequest& req, std::string_view model, bool stream);

// Identity of one response, shared by all its chunks.
struct ResponseMeta {
  std::string id;       // chatcmpl-...
  int64_t created = 0;  // unix seconds
  std::string model;
};

// One SSE chunk (the JSON only; the caller frames it as `data: ...\n\n`).
void write_chunk(std::string& out, const ResponseMeta& meta, const ChoiceDelta& delta);
// The final usage-only chunk of stream_options.include_usage (choices is empty).
void write_usage_chunk(std::string& out, const ResponseMeta& meta, const Usage& usage);
// A whole chat.completion for non-streaming clients.
void write_completion(std::string& out, const ResponseMeta& meta,
                      const std::vector<ChoiceResult>& choices, const Usage& usage);
// {"error":{"message","type","param","code"}}
std::string write_error(const Error& error);
void write_logprobs(std::string& out, const std::vector<TokenLogprob>& logprobs);

}  // namespace tiergate::api
