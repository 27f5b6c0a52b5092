// Parsing what OpenAI-compatible upstreams answer: chunks and whole responses.
#include <simdjson.h>

#include <cstring>

#include "api/openai/simdjson_util.h"

#include "api/openai/json.h"
#include "common/json_writer.h"

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

namespace {

// Index just past the JSON string that opens at j[i] ('"'), or npos if it never closes.
size_t skip_string(std::string_view j, size_t i) {
  for (;;) {
    const void* q = std::memchr(j.data() + i + 1, '"', j.size() - i - 1);
    if (!q) return std::string_view::npos;
    const size_t end = static_cast<const char*>(q) - j.data();
    size_t backslashes = 0;
    while (j[end - 1 - backslashes] == '\\') ++backslashes;
    if (backslashes % 2 == 0) return end + 1;
    i = end;
  }
}

bool is_json_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// Finds the spans of the top-level "id" and "model" string values of an object the parser has
// validated: a walk that skips strings whole and counts nesting, stopping when both are found.
bool locate_identity(std::string_view j, RelayedCompletion& r) {
  bool have_id = false, have_model = false;
  int depth = 0;
  bool key_next = false;  // at depth 1, the next string is a key
  for (size_t i = 0; i < j.size();) {
    const char c = j[i];
    if (c != '"') {
      if (c == '{' || c == '[') {
        ++depth;
        key_next = depth == 1;
      } else if (c == '}' || c == ']') {
        --depth;
      } else if (c == ',' && depth == 1) {
        key_next = true;
      }
      ++i;
      continue;
    }
    const size_t end = skip_string(j, i);
    if (end == std::string_view::npos) return false;
    if (!key_next) {
      i = end;
      continue;
    }
    key_next = false;
    const std::string_view key = j.substr(i + 1, end - i - 2);
    i = end;
    const bool is_id = key == "id";
    if (!is_id && key != "model") continue;
    while (i < j.size() && (is_json_space(j[i]) || j[i] == ':')) ++i;
    if (i == j.size() || j[i] != '"') return false;
    const size_t value_end = skip_string(j, i);
    if (value_end == std::string_view::npos) return false;
    if (is_id) {
      r.id_begin = i;
      r.id_end = value_end;
      have_id = true;
    } else {
      r.model_begin = i;
      r.model_end = value_end;
      have_model = true;
    }
    if (have_id && have_model) return true;
    i = value_end;
  }
  return false;
}

bool is_integer(element e) { return e.is_int64() || e.is_uint64(); }

}  // namespace

static_assert(kParsePadding >= simdjson::SIMDJSON_PADDING);

std::optional<RelayedCompletion> relayable_completion(std::string& body) {
  element doc;
  // A body read with room for simdjson's padding is parsed in place, not copied first.
  const bool padded = body.capacity() - body.size() >= simdjson::SIMDJSON_PADDING;
  if (thread_parser().parse(body.data(), body.size(), !padded).get(doc) != simdjson::SUCCESS ||
      !doc.is_object())
    return std::nullopt;
  // One pass over each object: a lookup by name walks the object once per key.
  RelayedCompletion r;
  bool id = false, model = false, object = false, created = false, have_usage = false;
  size_t choices = 0;
  int64_t prompt = -1, completion = -1;
  for (auto [key, value] : as_object(doc)) {
    if (key == "error") {
      if (!value.is_null()) return std::nullopt;
    } else if (key == "id") {
      if (!(id = value.is_string())) return std::nullopt;
    } else if (key == "model") {
      if (!(model = value.is_string())) return std::nullopt;
    } else if (key == "object") {
      std::string_view o;
      if (!(object = value.get(o) == simdjson::SUCCESS && o == "chat.completion")) return std::nullopt;
    } else if (key == "created") {
      if (!(created = is_integer(value))) return std::nullopt;
    } else if (key == "choices") {
      if (!value.is_array()) return std::nullopt;
      for (element c : as_array(value)) {
        if (!c.is_object()) return std::nullopt;
        bool index = false, role = false, finish = false;
        for (auto [ck, cv] : as_object(c)) {
          if (ck == "index") {
            index = is_integer(cv);
          } else if (ck == "finish_reason") {
            finish = cv.is_string() || cv.is_null();
            if (finish && choices == 0 && cv.is_string())
              r.finish_reason = std::string(cv.get_string().value_unsafe());
          } else if (ck == "message" && cv.is_object()) {
            for (auto [mk, mv] : as_object(cv))
              if (mk == "role") role = mv.is_string();
          }
        }
        if (!index || !role || !finish) return std::nullopt;
        ++choices;
      }
    } else if (key == "usage") {
      if (!(have_usage = value.is_object())) return std::nullopt;
      for (auto [uk, uv] : as_object(value)) {
        if (uk == "prompt_tokens" && uv.get(prompt) != simdjson::SUCCESS) return std::nullopt;
        if (uk == "completion_tokens" && uv.get(completion) != simdjson::SUCCESS) return std::nullopt;
      }
    }
  }
  if (!id || !model || !object || !created || choices == 0 || !have_usage || prompt < 0 ||
      completion < 0)
    return std::nullopt;
  r.usage = Usage{prompt, completion};
  if (!locate_identity(body, r)) return std::nullopt;
  r.body = std::move(body);
  return r;
}

std::string RelayedCompletion::with_identity(std::string_view id, std::string_view model) const {
  std::string out;
  out.reserve(body.size() + id.size() + model.size());
  // The two spans in the order they appear.
  const bool id_first = id_begin < model_begin;
  const size_t b1 = id_first ? id_begin : model_begin, e1 = id_first ? id_end : model_end;
  const size_t b2 = id_first ? model_begin : id_begin, e2 = id_first ? model_end : id_end;
  out.append(body, 0, b1);
  JsonWriter::append_string(out, id_first ? id : model);
  out.append(body, e1, b2 - e1);
  JsonWriter::append_string(out, id_first ? model : id);
  out.append(body, e2, std::string::npos);
  return out;
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
