// Writing OpenAI JSON: upstream request bodies, SSE chunks, completions, errors.
#include "api/openai/json.h"
#include "common/json_writer.h"

namespace tiergate::api {
namespace {

void write_message(JsonWriter& w, const ChatMessage& m) {
  w.begin_object().field("role", m.role);
  w.key("content");
  if (m.content_is_null) {
    w.null();
  } else if (!m.content_is_array) {
    w.value(m.content.empty() ? std::string_view() : std::string_view(m.content[0].text));
  } else {
    w.begin_array();
    for (const auto& p : m.content) {
      if (p.kind == ContentPart::Kind::kText)
        w.begin_object().field("type", "text").field("text", p.text).end_object();
      else
        w.raw(p.raw_json);
    }
    w.end_array();
  }
  if (!m.name.empty()) w.field("name", m.name);
  if (!m.tool_call_id.empty()) w.field("tool_call_id", m.tool_call_id);
  if (!m.tool_calls_json.empty()) w.key("tool_calls").raw(m.tool_calls_json);
  w.end_object();
}

// The fields every chat.completion and chat.completion.chunk opens with.
void write_meta(JsonWriter& w, const ResponseMeta& meta, std::string_view object) {
  w.field("id", meta.id).field("object", object).field("created", meta.created).field("model", meta.model);
}

void write_usage(JsonWriter& w, const Usage& usage) {
  w.key("usage").begin_object()
      .field("prompt_tokens", usage.prompt_tokens)
      .field("completion_tokens", usage.completion_tokens)
      .field("total_tokens", usage.total())
      .end_object();
}

// `"logprobs": {...}` or `"logprobs": null`.
void write_logprobs_field(JsonWriter& w, std::string& out, bool has, const std::vector<TokenLogprob>& lp) {
  w.key("logprobs");
  if (!has) {
    w.null();
    return;
  }
  w.raw("");  // the separator state of the writer; the object follows in place
  write_logprobs(out, lp);
}

}  // namespace

void write_logprobs(std::string& out, const std::vector<TokenLogprob>& logprobs) {
  JsonWriter w(out);
  w.begin_object().key("content").begin_array();
  for (const auto& t : logprobs) {
    w.begin_object().field("token", t.token).field("logprob", t.logprob);
    w.key("bytes").begin_array();
    for (unsigned char c : t.token) w.value(static_cast<int64_t>(c));
    w.end_array();
    w.key("top_logprobs").begin_array();
    for (const auto& [tok, lp] : t.top) {
      w.begin_object().field("token", tok).field("logprob", lp);
      w.key("bytes").begin_array();
      for (unsigned char c : tok) w.value(static_cast<int64_t>(c));
      w.end_array().end_object();
    }
    w.end_array().end_object();
  }
  w.end_array().key("refusal").null().end_object();
}

std::string write_upstream_request(const ChatRequest& req, std::string_view model, bool stream) {
  std::string out;
  out.reserve(256 + req.messages.size() * 128);
  JsonWriter w(out);
  w.begin_object().field("model", model);
  w.key("messages").begin_array();
  for (const auto& m : req.messages) write_message(w, m);
  w.end_array();
  if (stream) {
    w.field("stream", true);
    // Always ask for usage: tiergate records tokens and cost even when the client did not ask.
    w.key("stream_options").begin_object().field("include_usage", true).end_object();
  }
  if (req.max_completion_tokens) w.field("max_completion_tokens", *req.max_completion_tokens);
  if (req.max_tokens) w.field("max_tokens", *req.max_tokens);
  if (req.temperature) w.field("temperature", *req.temperature);
  if (req.top_p) w.field("top_p", *req.top_p);
  if (req.seed) w.field("seed", *req.seed);
  if (req.n) w.field("n", *req.n);
  if (req.logprobs) w.field("logprobs", true);
  if (req.top_logprobs) w.field("top_logprobs", *req.top_logprobs);
  if (!req.stop.empty()) {
    w.key("stop").begin_array();
    for (const auto& s : req.stop) w.value(s);
    w.end_array();
  }
  if (!req.user.empty()) w.field("user", req.user);
  if (!req.tools_json.empty()) w.key("tools").raw(req.tools_json);
  if (!req.tool_choice_json.empty()) w.key("tool_choice").raw(req.tool_choice_json);
  if (!req.response_format_json.empty()) w.key("response_format").raw(req.response_format_json);
  for (const auto& [k, v] : req.extra_json) w.dynamic_key(k).raw(v);
  w.end_object();
  return out;
}

void write_chunk(std::string& out, const ResponseMeta& meta, const ChoiceDelta& d) {
  JsonWriter w(out);
  w.begin_object();
  write_meta(w, meta, "chat.completion.chunk");
  w.key("choices").begin_array().begin_object().field("index", d.index);
  w.key("delta").begin_object();
  if (!d.role.empty()) w.field("role", d.role);
  if (!d.content.empty() || (d.tool_calls_json.empty() && d.finish_reason.empty()))
    w.field("content", d.content);
  if (!d.tool_calls_json.empty()) w.key("tool_calls").raw(d.tool_calls_json);
  w.end_object();
  write_logprobs_field(w, out, d.has_logprobs, d.logprobs);
  w.key("finish_reason");
  if (d.finish_reason.empty()) w.null();
  else w.value(d.finish_reason);
  w.end_object().end_array().end_object();
}

void write_usage_chunk(std::string& out, const ResponseMeta& meta, const Usage& usage) {
  JsonWriter w(out);
  w.begin_object();
  write_meta(w, meta, "chat.completion.chunk");
  w.key("choices").begin_array().end_array();
  write_usage(w, usage);
  w.end_object();
}

void write_completion(std::string& out, const ResponseMeta& meta,
                      const std::vector<ChoiceResult>& choices, const Usage& usage) {
  JsonWriter w(out);
  w.begin_object();
  write_meta(w, meta, "chat.completion");
  w.key("choices").begin_array();
  for (const auto& c : choices) {
    w.begin_object().field("index", c.index);
    w.key("message").begin_object().field("role", c.role);
    w.key("content");
    if (c.content.empty() && !c.tool_calls_json.empty()) w.null();
    else w.value(c.content);
    if (!c.tool_calls_json.empty()) w.key("tool_calls").raw(c.tool_calls_json);
    w.key("refusal").null();
    w.end_object();
    write_logprobs_field(w, out, c.has_logprobs, c.logprobs);
    w.field("finish_reason", c.finish_reason.empty() ? std::string("stop") : c.finish_reason);
    w.end_object();
  }
  w.end_array();
  write_usage(w, usage);
  w.end_object();
}

std::string write_error(const Error& error) {
  std::string out;
  JsonWriter w(out);
  w.begin_object().key("error").begin_object()
      .field("message", error.message)
      .field("type", error_type(error))
      .key("param").null()
      .field("code", error_code_name(error.code))
      .end_object().end_object();
  return out;
}

}  // namespace tiergate::api
