// Parsing what OpenAI-compatible upstreams answer: chunks and whole responses.
#include <simdjson.h>

#include "api/openai/simdjson_util.h"

#include "api/openai/json.h"

namespace tiergate::api {
namespace {

using detail::as_array;
using detail::as_object;
using detail::thread_parser;

using simdjson::dom::element;
using simdjson::dom::element_type;


std::string_view str_or_empty(element e, const char* key) {
  std::string_view s;
  if (e[key].get(s) == simdjson::SUCCESS) return s;
  return {};
}

int64_t int_or_zero(element e, const char* key) {
  int64_t v = 0;
  if (e[key].get(v) == simdjson::SUCCESS) return v;
  return 0;
}

void parse_logprobs(element choice, ChoiceDelta& d) {
  element lp, content;
  if (choice["logprobs"].get(lp) != simdjson::SUCCESS || lp.is_null()) return;
  if (lp["content"].get(content) != simdjson::SUCCESS || !content.is_array()) return;
  d.has_logprobs = true;
  for (element t : as_array(content)) {
    TokenLogprob tl;
    tl.token = std::string(str_or_empty(t, "token"));
    double v = 0;
    if (t["logprob"].get(v) == simdjson::SUCCESS) tl.logprob = v;
    element top;
    if (t["top_logprobs"].get(top) == simdjson::SUCCESS && top.is_array())
      for (element alt : as_array(top)) {
        double av = 0;
        if (alt["logprob"].get(av) != simdjson::SUCCESS) av = 0;
        tl.top.emplace_back(std::string(str_or_empty(alt, "token")), av);
      }
    d.logprobs.push_back(std::move(tl));
  }
}

Result<UpstreamPart> parse_part(std::string_view json, const char* message_key) {
  element doc;
  if (auto err = thread_parser().parse(json.data(), json.size()).get(doc); err)
    return fail(Error::upstream(ErrorCode::kUpstreamError,
                                std::string("upstream sent malformed JSON: ") +
                                    simdjson::error_message(err)));
  if (!doc.is_object())
    return fail(Error::upstream(ErrorCode::kUpstreamError, "upstream sent a non-object JSON"));
  element errobj;
  if (doc["error"].get(errobj) == simdjson::SUCCESS && !errobj.is_null()) {
    std::string msg = "upstream error";
    if (errobj.is_object()) {
      auto m = str_or_empty(errobj, "message");
      if (!m.empty()) msg = "upstream error: " + std::string(m);
    }
    return fail(Error::upstream(ErrorCode::kUpstreamError, msg));
  }
  UpstreamPart part;
  part.id = std::string(str_or_empty(doc, "id"));
  element choices;
  if (doc["choices"].get(choices) == simdjson::SUCCESS && choices.is_array()) {
    for (element c : as_array(choices)) {
      if (!c.is_object()) continue;
      ChoiceDelta d;
      d.index = static_cast<int>(int_or_zero(c, "index"));
      d.finish_reason = std::string(str_or_empty(c, "finish_reason"));
      element msg;
      if (c[message_key].get(msg) == simdjson::SUCCESS && msg.is_object()) {
        d.role = std::string(str_or_empty(msg, "role"));
        d.content = std::string(str_or_empty(msg, "content"));
        element tc;
        if (msg["tool_calls"].get(tc) == simdjson::SUCCESS && tc.is_array())
          d.tool_calls_json = simdjson::minify(tc);
      }
      parse_logprobs(c, d);
      part.deltas.push_back(std::move(d));
    }
  } else if (std::string_view(message_key) == "message") {
    return fail(Error::upstream(ErrorCode::kUpstreamError, "upstream response has no choices"));
  }
  element usage;
  if (doc["usage"].get(usage) == simdjson::SUCCESS && usage.is_object())
    part.usage = Usage{int_or_zero(usage, "prompt_tokens"), int_or_zero(usage, "completion_tokens")};
  return part;
}

}  // namespace

Result<UpstreamPart> parse_upstream_chunk(std::string_view json) { return parse_part(json, "delta"); }

Result<UpstreamPart> parse_upstream_response(std::string_view json) {
  return parse_part(json, "message");
}

std::string upstream_error_message(std::string_view body) {
  element doc;
  if (thread_parser().parse(body.data(), body.size()).get(doc) != simdjson::SUCCESS) return {};
  element err;
  if (doc["error"].get(err) != simdjson::SUCCESS) return {};
  if (err.is_string()) return std::string(err.get_string().value_unsafe());
  if (err.is_object()) return std::string(str_or_empty(err, "message"));
  return {};
}

void ChoiceResult::append(const ChoiceDelta& d) {
  if (!d.role.empty()) role = d.role;
  content += d.content;
  // Whole tool-call arrays arrive in one piece from non-streaming upstreams; keep the last one.
  if (!d.tool_calls_json.empty()) tool_calls_json = d.tool_calls_json;
  if (!d.finish_reason.empty()) finish_reason = d.finish_reason;
  if (d.has_logprobs) {
    has_logprobs = true;
    logprobs.insert(logprobs.end(), d.logprobs.begin(), d.logprobs.end());
  }
}

}  // namespace tiergate::api
