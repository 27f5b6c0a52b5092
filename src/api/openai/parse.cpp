// Parsing with simdjson's DOM: one parser per thread, reused across requests.
#include <fmt/format.h>
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


Error bad(std::string message) {
  return Error::client(ErrorCode::kInvalidRequest, std::move(message));
}

const char* type_name(element_type t) {
  switch (t) {
    case element_type::ARRAY: return "an array";
    case element_type::OBJECT: return "an object";
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE: return "a number";
    case element_type::STRING: return "a string";
    case element_type::BOOL: return "a boolean";
    case element_type::NULL_VALUE: return "null";
  }
  return "unknown";
}

Error wrong_type(std::string_view param, const char* want, element e) {
  return bad(fmt::format("Invalid type for '{}': expected {}, but got {}.", param, want,
                         type_name(e.type())));
}

Result<double> get_number(std::string_view param, element e) {
  switch (e.type()) {
    case element_type::DOUBLE: return e.get_double().value_unsafe();
    case element_type::INT64: return double(e.get_int64().value_unsafe());
    case element_type::UINT64: return double(e.get_uint64().value_unsafe());
    default: break;
  }
  return fail(wrong_type(param, "a number", e));
}

Result<int64_t> get_integer(std::string_view param, element e) {
  if (e.type() == element_type::INT64) return e.get_int64().value_unsafe();
  if (e.type() == element_type::UINT64) return fail(bad(fmt::format("'{}' is too large.", param)));
  if (e.type() == element_type::DOUBLE) {
    double d = e.get_double().value_unsafe();
    if (d == static_cast<double>(static_cast<int64_t>(d))) return static_cast<int64_t>(d);
  }
  return fail(wrong_type(param, "an integer", e));
}

Result<bool> get_bool(std::string_view param, element e) {
  if (e.type() == element_type::BOOL) return e.get_bool().value_unsafe();
  return fail(wrong_type(param, "a boolean", e));
}

Result<std::string> get_string(std::string_view param, element e) {
  if (e.type() == element_type::STRING) return std::string(e.get_string().value_unsafe());
  return fail(wrong_type(param, "a string", e));
}

std::string raw(element e) { return simdjson::minify(e); }

// Where a value sits in the request, for error messages only: formatted when an error is
// reported, never on the success path (a request has a few of these per message).
struct MessageField {
  size_t message;
  std::string_view field;                   // ".role", ".content" ...; "" for the message
  size_t part = static_cast<size_t>(-1);   // content part index, if any
  std::string_view part_field = {};        // ".type", ".text"
  std::string str() const {
    std::string s = fmt::format("messages[{}]{}", message, field);
    if (part != static_cast<size_t>(-1)) s += fmt::format("[{}]{}", part, part_field);
    return s;
  }
};

Error missing(const MessageField& f) {
  return bad(fmt::format("Missing required parameter: '{}'.", f.str()));
}

// The string at `e`, or an error naming `f`.
Result<std::string> string_at(const MessageField& f, element e) {
  if (e.type() == element_type::STRING) return std::string(e.get_string().value_unsafe());
  return fail(wrong_type(f.str(), "a string", e));
}

Status parse_content(ChatMessage& msg, element e, size_t i) {
  const MessageField content{i, ".content"};
  switch (e.type()) {
    case element_type::STRING:
      msg.content.push_back({ContentPart::Kind::kText, std::string(e.get_string().value_unsafe()), {}});
      return {};
    case element_type::NULL_VALUE:
      msg.content_is_null = true;
      return {};
    case element_type::ARRAY: {
      msg.content_is_array = true;
      size_t j = 0;
      for (element part : as_array(e)) {
        MessageField at{i, ".content", j++};
        if (part.type() != element_type::OBJECT) return fail(wrong_type(at.str(), "an object", part));
        element type;
        at.part_field = ".type";
        if (part["type"].get(type) != simdjson::SUCCESS) return fail(missing(at));
        auto t = string_at(at, type);
        if (!t) return fail(t.error());
        if (*t == "text") {
          element text;
          at.part_field = ".text";
          if (part["text"].get(text) != simdjson::SUCCESS) return fail(missing(at));
          auto s = string_at(at, text);
          if (!s) return fail(s.error());
          msg.content.push_back({ContentPart::Kind::kText, std::move(*s), {}});
        } else {
          msg.content.push_back({ContentPart::Kind::kOther, {}, raw(part)});
        }
      }
      return {};
    }
    default:
      return fail(wrong_type(content.str(), "a string or an array of content parts", e));
  }
}

Status parse_message(ChatMessage& msg, element e, size_t i) {
  if (e.type() != element_type::OBJECT)
    return fail(wrong_type(MessageField{i, ""}.str(), "an object", e));
  bool has_content = false;
  for (auto [key, value] : as_object(e)) {
    if (key == "role") {
      auto s = string_at({i, ".role"}, value);
      if (!s) return fail(s.error());
      msg.role = std::move(*s);
    } else if (key == "content") {
      has_content = true;
      if (auto st = parse_content(msg, value, i); !st) return st;
    } else if (key == "name") {
      auto s = string_at({i, ".name"}, value);
      if (!s) return fail(s.error());
      msg.name = std::move(*s);
    } else if (key == "tool_call_id") {
      auto s = string_at({i, ".tool_call_id"}, value);
      if (!s) return fail(s.error());
      msg.tool_call_id = std::move(*s);
    } else if (key == "tool_calls") {
      if (value.type() != element_type::ARRAY)
        return fail(wrong_type(MessageField{i, ".tool_calls"}.str(), "an array", value));
      msg.tool_calls_json = raw(value);
    }
    // Other message keys (refusal, audio, function_call ...) carry nothing a router needs.
  }
  if (msg.role.empty()) return fail(missing({i, ".role"}));
  static constexpr std::string_view kRoles[] = {"system", "developer", "user",
                                                "assistant", "tool", "function"};
  bool known = false;
  for (auto r : kRoles) known |= (msg.role == r);
  if (!known)
    return fail(bad(fmt::format(
        "Invalid value for '{}': expected one of system, developer, user, assistant, tool.",
        MessageField{i, ".role"}.str())));
  // An assistant turn may carry only tool_calls (or a refusal); every other role needs content.
  if (!has_content && msg.role != "assistant") return fail(missing({i, ".content"}));
  if (msg.role == "tool" && msg.tool_call_id.empty()) return fail(missing({i, ".tool_call_id"}));
  return {};
}

}  // namespace

std::string ChatMessage::text() const {
  if (content.size() == 1 && content[0].kind == ContentPart::Kind::kText) return content[0].text;
  std::string out;
  for (const auto& p : content)
    if (p.kind == ContentPart::Kind::kText) {
      if (!out.empty()) out += '\n';
      out += p.text;
    }
  return out;
}

bool ChatRequest::has_images() const {
  for (const auto& m : messages)
    for (const auto& p : m.content)
      if (p.kind == ContentPart::Kind::kOther && p.raw_json.find("image_url") != std::string::npos)
        return true;
  return false;
}

Result<ChatRequest> parse_chat_request(std::string_view body) {
  if (body.empty()) return fail(bad("The request body is empty; expected a JSON object."));
  element doc;
  auto err = thread_parser().parse(body.data(), body.size()).get(doc);
  if (err == simdjson::UTF8_ERROR)
    return fail(bad("The request body is not valid UTF-8."));
  if (err) return fail(bad(fmt::format("The request body is not valid JSON ({}).",
                                       simdjson::error_message(err))));
  if (doc.type() != element_type::OBJECT)
    return fail(bad("The request body must be a JSON object."));

  ChatRequest req;
  bool has_model = false, has_messages = false;
  for (auto [key, value] : as_object(doc)) {
    Status st;
    if (key == "model") {
      has_model = true;
      auto s = get_string("model", value);
      if (!s) return fail(s.error());
      req.model = std::move(*s);
    } else if (key == "messages") {
      has_messages = true;
      if (value.type() != element_type::ARRAY) return fail(wrong_type("messages", "an array", value));
      req.messages.clear();  // a repeated key: the last one wins, as everywhere below
      size_t i = 0;
      for (element m : as_array(value)) {
        ChatMessage msg;
        if (auto st2 = parse_message(msg, m, i++); !st2) return fail(st2.error());
        req.messages.push_back(std::move(msg));
      }
    } else if (key == "stream") {
      if (value.type() == element_type::NULL_VALUE) continue;
      auto b = get_bool("stream", value);
      if (!b) return fail(b.error());
      req.stream = *b;
    } else if (key == "stream_options") {
      if (value.type() == element_type::NULL_VALUE) continue;
      if (value.type() != element_type::OBJECT)
        return fail(wrong_type("stream_options", "an object", value));
      element iu;
      if (value["include_usage"].get(iu) == simdjson::SUCCESS) {
        auto b = get_bool("stream_options.include_usage", iu);
        if (!b) return fail(b.error());
        req.include_usage = *b;
      }
    } else if (key == "max_tokens" || key == "max_completion_tokens") {
      if (value.type() == element_type::NULL_VALUE) continue;
      auto v = get_integer(key, value);
      if (!v) return fail(v.error());
      if (*v < 1) return fail(bad(fmt::format("Invalid '{}': must be at least 1.", key)));
      (key == "max_tokens" ? req.max_tokens : req.max_completion_tokens) = *v;
    } else if (key == "temperature") {
      if (value.type() == element_type::NULL_VALUE) continue;
      auto v = get_number("temperature", value);
      if (!v) return fail(v.error());
      if (*v < 0 || *v > 2) return fail(bad("Invalid 'temperature': must be between 0 and 2."));
      req.temperature = *v;
    } else if (key == "top_p") {
      if (value.type() == element_type::NULL_VALUE) continue;
      auto v = get_number("top_p", value);
      if (!v) return fail(v.error());
      if (*v < 0 || *v > 1) return fail(bad("Invalid 'top_p': must be between 0 and 1."));
      req.top_p = *v;
    } else if (key == "seed") {
      if (value.type() == element_type::NULL_VALUE) continue;
      auto v = get_integer("seed", value);
      if (!v) return fail(v.error());
      req.seed = *v;
    } else if (key == "n") {
      if (value.type() == element_type::NULL_VALUE) continue;
      auto v = get_integer("n", value);
      if (!v) return fail(v.error());
      if (*v < 1 || *v > 128) return fail(bad("Invalid 'n': must be between 1 and 128."));
      req.n = *v;
    } else if (key == "logprobs") {
      if (value.type() == element_type::NULL_VALUE) continue;
      auto b = get_bool("logprobs", value);
      if (!b) return fail(b.error());
      req.logprobs = *b;
    } else if (key == "top_logprobs") {
      if (value.type() == element_type::NULL_VALUE) continue;
      auto v = get_integer("top_logprobs", value);
      if (!v) return fail(v.error());
      if (*v < 0 || *v > 20) return fail(bad("Invalid 'top_logprobs': must be between 0 and 20."));
      req.top_logprobs = *v;
    } else if (key == "stop") {
      req.stop.clear();
      if (value.type() == element_type::NULL_VALUE) continue;
      if (value.type() == element_type::STRING) {
        req.stop.emplace_back(value.get_string().value_unsafe());
      } else if (value.type() == element_type::ARRAY) {
        for (element s : as_array(value)) {
          auto str = get_string("stop[]", s);
          if (!str) return fail(str.error());
          req.stop.push_back(std::move(*str));
        }
        if (req.stop.size() > 4) return fail(bad("Invalid 'stop': at most 4 sequences."));
      } else {
        return fail(wrong_type("stop", "a string or an array of strings", value));
      }
    } else if (key == "user") {
      auto s = get_string("user", value);
      if (!s) return fail(s.error());
      req.user = std::move(*s);
    } else if (key == "tools") {
      if (value.type() == element_type::NULL_VALUE) continue;
      if (value.type() != element_type::ARRAY) return fail(wrong_type("tools", "an array", value));
      if (as_array(value).size() > 0) req.tools_json = raw(value);
    } else if (key == "tool_choice") {
      if (value.type() != element_type::NULL_VALUE) req.tool_choice_json = raw(value);
    } else if (key == "response_format") {
      if (value.type() == element_type::NULL_VALUE) continue;
      if (value.type() != element_type::OBJECT)
        return fail(wrong_type("response_format", "an object", value));
      req.response_format_json = raw(value);
    } else {
      std::string_view name = key;  // (clang 14 cannot capture a structured binding)
      std::erase_if(req.extra_json, [name](const auto& kv) { return kv.first == name; });
      req.extra_json.emplace_back(std::string(key), raw(value));
    }
  }
  if (!has_model) return fail(bad("Missing required parameter: 'model'."));
  if (!has_messages) return fail(bad("Missing required parameter: 'messages'."));
  if (req.messages.empty())
    return fail(bad("Invalid 'messages': expected an array with at least one message."));
  if (req.top_logprobs && !req.logprobs)
    return fail(bad("Invalid 'top_logprobs': requires 'logprobs' to be true."));
  return req;
}

}  // namespace tiergate::api
