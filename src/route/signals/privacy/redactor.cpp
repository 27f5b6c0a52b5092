#include "route/signals/privacy/redactor.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace tiergate::privacy {
namespace {

bool placeholder_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool read_hex4(std::string_view s, size_t i, uint32_t* out) {
  if (i + 4 > s.size()) return false;
  uint32_t v = 0;
  for (size_t k = 0; k < 4; ++k) {
    const int h = hex_value(s[i + k]);
    if (h < 0) return false;
    v = v * 16 + static_cast<uint32_t>(h);
  }
  *out = v;
  return true;
}

// JSON string-content unescape (best effort: an invalid escape is kept verbatim).
std::string json_unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 >= s.size()) {
      out += s[i];
      continue;
    }
    const char c = s[++i];
    switch (c) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'u': {
        uint32_t cp = 0, lo = 0;
        if (!read_hex4(s, i + 1, &cp)) {
          out += "\\u";
          break;
        }
        i += 4;
        if (cp >= 0xd800 && cp < 0xdc00 && i + 2 < s.size() && s[i + 1] == '\\' &&
            s[i + 2] == 'u' && read_hex4(s, i + 3, &lo) && lo >= 0xdc00 && lo < 0xe000) {
          cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
          i += 6;
        }
        append_utf8(out, cp);
        break;
      }
      default:
        out += c;  // \" \\ \/
    }
  }
  return out;
}

void json_escape_into(std::string& out, std::string_view s) {
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20)
          out += fmt::format("\\u{:04x}", c);
        else
          out += static_cast<char>(c);
    }
  }
}

size_t backslashes_before(std::string_view t, size_t i) {
  size_t n = 0;
  while (i > n && t[i - n - 1] == '\\') ++n;
  return n;
}

// Widens [b, e) in raw JSON so that it neither starts inside an escape sequence (after an
// escaping backslash) nor ends in the middle of one. False if the span crosses a string boundary
// (an unescaped quote inside): replacing it would break the JSON.
bool fix_json_span(std::string_view t, size_t* b, size_t* e) {
  if (backslashes_before(t, *b) % 2 == 1) --*b;
  size_t i = *b;
  while (i < *e) {
    if (t[i] == '\\') {
      size_t len = 2;
      if (i + 1 < t.size() && t[i + 1] == 'u') len = 6;
      i += len;
      continue;
    }
    if (t[i] == '"') return false;
    ++i;
  }
  *e = std::min(i, t.size());
  return true;
}

// Every "<LABEL_n>"-shaped token in the client's text: numbering skips them so that restoring
// never turns the client's own text into a value.
void collect_taken(std::string_view t, std::set<std::string, std::less<>>& taken) {
  for (size_t i = t.find('<'); i != std::string_view::npos; i = t.find('<', i + 1)) {
    size_t j = i + 1;
    while (j < t.size() && placeholder_char(t[j])) ++j;
    if (j < t.size() && t[j] == '>' && j > i + 1) taken.emplace(t.substr(i, j - i + 1));
  }
}

}  // namespace

Redactor::Redactor(std::shared_ptr<const Scanner> scanner) : scanner_(std::move(scanner)) {}

const std::string* Redactor::value_of(std::string_view placeholder) const {
  auto it = values_.find(std::string(placeholder));
  return it == values_.end() ? nullptr : &it->second;
}

std::string Redactor::placeholder_for(std::string_view label, std::string value) {
  auto it = placeholders_.find(value);
  if (it != placeholders_.end()) return it->second;
  int& n = next_number_[std::string(label)];
  std::string ph;
  do {
    ph = fmt::format("<{}_{}>", label, ++n);
  } while (taken_.count(ph) != 0);
  max_placeholder_size_ = std::max(max_placeholder_size_, ph.size());
  values_.emplace(ph, value);
  placeholders_.emplace(std::move(value), ph);
  return ph;
}

Result<PrivacyScan> Redactor::redact(api::ChatRequest& request) {
  // Raw JSON members, known by address, so values are keyed by their plain text and restored
  // with the right escaping. for_each_text stays the single list of fields to visit.
  std::vector<const std::string*> json_fields;
  for (const auto& m : request.messages) {
    for (const auto& p : m.content)
      if (p.kind != api::ContentPart::Kind::kText) json_fields.push_back(&p.raw_json);
    json_fields.push_back(&m.tool_calls_json);
  }
  json_fields.push_back(&request.tools_json);
  json_fields.push_back(&request.tool_choice_json);
  json_fields.push_back(&request.response_format_json);
  for (const auto& kv : request.extra_json) json_fields.push_back(&kv.second);

  request.for_each_text([&](std::string& text) { collect_taken(text, taken_); });

  PrivacyScan scan;
  std::vector<Entity> entities;
  Status status;
  request.for_each_text([&](std::string& text) {
    if (!status) return;
    if (auto st = scanner_->scan_into(text, entities); !st) {
      scan.failed = true;
      status = fail(std::move(st.error()));
      return;
    }
    if (entities.empty()) return;
    const bool json = std::find(json_fields.begin(), json_fields.end(), &text) != json_fields.end();
    std::string out;
    out.reserve(text.size());
    size_t pos = 0;
    for (const Entity& e : entities) {
      size_t b = e.begin, end = e.end;
      if (json && !fix_json_span(text, &b, &end)) {
        status = fail(Error::internal("privacy: a finding crosses a JSON string boundary"));
        scan.failed = true;
        return;
      }
      if (b < pos) b = pos;  // widened into the previous replacement
      if (b >= end) continue;
      out.append(text, pos, b - pos);
      std::string_view raw(text.data() + b, end - b);
      out += placeholder_for(e.label, json ? json_unescape(raw) : std::string(raw));
      scan.add(e.type);
      pos = end;
    }
    out.append(text, pos, std::string::npos);
    text = std::move(out);
  });
  if (!status) return fail(std::move(status.error()));
  return scan;
}

std::string Redactor::restore(std::string_view text) const {
  StreamRestorer r(*this, false);
  std::string out = r.push(text);
  out += r.finish();
  return out;
}

std::string Redactor::restore_json(std::string_view json) const {
  StreamRestorer r(*this, true);
  std::string out = r.push(json);
  out += r.finish();
  return out;
}

StreamRestorer::StreamRestorer(const Redactor& redactor, bool json)
    : redactor_(&redactor), json_(json) {}

std::string StreamRestorer::push(std::string_view chunk) {
  std::string out;
  if (pending_.empty() &&
      (redactor_->placeholder_count() == 0 || chunk.find('<') == std::string_view::npos)) {
    out.assign(chunk);
    return out;
  }
  pending_.append(chunk);
  drain(out, false);
  return out;
}

std::string StreamRestorer::finish() {
  std::string out;
  drain(out, true);
  return out;
}

void StreamRestorer::drain(std::string& out, bool final) {
  const std::string_view p = pending_;
  const size_t max = redactor_->max_placeholder_size();
  size_t i = 0;
  while (i < p.size()) {
    const size_t lt = p.find('<', i);
    if (lt == std::string_view::npos) {
      out.append(p.substr(i));
      i = p.size();
      break;
    }
    out.append(p.substr(i, lt - i));
    size_t j = lt + 1;
    while (j < p.size() && j - lt < max && placeholder_char(p[j])) ++j;
    if (j < p.size() && p[j] == '>') {
      if (const std::string* v = redactor_->value_of(p.substr(lt, j - lt + 1))) {
        if (json_)
          json_escape_into(out, *v);
        else
          out += *v;
        i = j + 1;
        continue;
      }
    } else if (j == p.size() && !final && j - lt < max) {
      // Could still become a placeholder: hold it back for the next chunk.
      pending_.erase(0, lt);
      return;
    }
    out += '<';
    i = lt + 1;
  }
  pending_.clear();
}

}  // namespace tiergate::privacy
