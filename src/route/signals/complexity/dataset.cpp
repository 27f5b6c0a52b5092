#include "route/signals/complexity/dataset.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace tiergate::complexity {
namespace {

Result<uint8_t> read_label(simdjson::dom::object& obj, const char* key) {
  simdjson::dom::element e;
  if (obj[key].get(e) != simdjson::SUCCESS)
    return fail(Error::client(ErrorCode::kInvalidRequest, fmt::format("missing \"{}\"", key)));
  bool b = false;
  if (e.get_bool().get(b) == simdjson::SUCCESS) return static_cast<uint8_t>(b);
  int64_t i = 0;
  if (e.get_int64().get(i) == simdjson::SUCCESS && (i == 0 || i == 1))
    return static_cast<uint8_t>(i);
  double d = 0;
  if (e.get_double().get(d) == simdjson::SUCCESS && (d == 0.0 || d == 1.0))
    return static_cast<uint8_t>(d);
  return fail(Error::client(ErrorCode::kInvalidRequest,
                            fmt::format("\"{}\" must be true/false or 0/1", key)));
}

}  // namespace

Result<PromptRecord> parse_prompt_line(std::string_view line, bool require_labels) {
  // One parser per thread: reused across lines, so its buffers are allocated once.
  thread_local simdjson::dom::parser parser;
  simdjson::padded_string padded(line);
  simdjson::dom::element root;
  if (auto err = parser.parse(padded).get(root); err)
    return fail(Error::client(ErrorCode::kInvalidRequest,
                              fmt::format("invalid JSON: {}", simdjson::error_message(err))));
  simdjson::dom::object obj;
  if (root.get_object().get(obj) != simdjson::SUCCESS)
    return fail(Error::client(ErrorCode::kInvalidRequest, "not a JSON object"));
  PromptRecord rec;
  simdjson::dom::element id;
  if (obj["id"].get(id) != simdjson::SUCCESS)
    return fail(Error::client(ErrorCode::kInvalidRequest, "missing \"id\""));
  if (!id.is_string() && !id.is_number())
    return fail(Error::client(ErrorCode::kInvalidRequest, "\"id\" must be a string or a number"));
  rec.id_json = simdjson::minify(id);
  std::string_view prompt;
  simdjson::dom::element pe;
  if (obj["prompt"].get(pe) != simdjson::SUCCESS)
    return fail(Error::client(ErrorCode::kInvalidRequest, "missing \"prompt\""));
  if (pe.get_string().get(prompt) != simdjson::SUCCESS)
    return fail(Error::client(ErrorCode::kInvalidRequest, "\"prompt\" must be a string"));
  rec.prompt.assign(prompt);
  std::string_view subject;
  if (obj["subject"].get_string().get(subject) == simdjson::SUCCESS) rec.subject.assign(subject);
  if (require_labels) {
    auto w = read_label(obj, "weak_correct");
    if (!w) return fail(w.error());
    auto s = read_label(obj, "strong_correct");
    if (!s) return fail(s.error());
    rec.weak_correct = *w;
    rec.strong_correct = *s;
    rec.has_labels = true;
  }
  return rec;
}

Status for_each_prompt_line(const std::string& path, bool require_labels,
                            const std::function<void(PromptRecord&&)>& on_record,
                            const std::function<void(size_t, const std::string&)>& on_error) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (path != "-") {
    file.open(path, std::ios::binary);
    if (!file)
      return fail(Error::client(ErrorCode::kNotFound, fmt::format("cannot open '{}'", path)));
    in = &file;
  }
  std::string line;
  size_t number = 0;
  while (std::getline(*in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (number == 1 && line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);  // UTF-8 BOM
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    auto rec = parse_prompt_line(line, require_labels);
    if (!rec) {
      on_error(number, rec.error().message);
      continue;
    }
    rec->line = number;
    on_record(std::move(*rec));
  }
  if (in->bad()) return fail(Error::internal(fmt::format("error reading '{}'", path)));
  return {};
}

Result<std::vector<PromptRecord>> read_prompt_file(const std::string& path, bool require_labels) {
  std::vector<PromptRecord> out;
  std::string first_error;
  auto st = for_each_prompt_line(
      path, require_labels, [&](PromptRecord&& r) { out.push_back(std::move(r)); },
      [&](size_t line, const std::string& msg) {
        if (first_error.empty()) first_error = fmt::format("{}:{}: {}", path, line, msg);
      });
  if (!st) return fail(st.error());
  if (!first_error.empty()) return fail(Error::client(ErrorCode::kInvalidRequest, first_error));
  return out;
}

}  // namespace tiergate::complexity
