#pragma once
// A small, fast JSON writer appending to a std::string. The caller keeps the structure valid;
// strings are escaped (control characters, quotes, backslashes; UTF-8 passes through as is).

#include <cstdint>
#include <string>
#include <string_view>

namespace tiergate {

// An object key known at compile time: a string literal with nothing to escape (checked when it
// is compiled), written as it is. Keys from elsewhere go through JsonWriter::dynamic_key.
class JsonKey {
 public:
  template <size_t N>
  consteval JsonKey(const char (&s)[N]) : data_(s), size_(N - 1) {  // NOLINT: implicit on purpose
    for (size_t i = 0; i + 1 < N; ++i)
      if (static_cast<unsigned char>(s[i]) < 0x20 || s[i] == '"' || s[i] == '\\')
        throw "a JsonKey must need no escaping";
  }
  std::string_view view() const { return {data_, size_}; }

 private:
  const char* data_;
  size_t size_;
};

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& begin_object() { sep(); out_ += '{'; first_ = true; return *this; }
  JsonWriter& end_object() { out_ += '}'; first_ = false; return *this; }
  JsonWriter& begin_array() { sep(); out_ += '['; first_ = true; return *this; }
  JsonWriter& end_array() { out_ += ']'; first_ = false; return *this; }
  JsonWriter& key(JsonKey k) {
    sep();
    out_ += '"';
    out_ += k.view();
    out_ += "\":";
    first_ = true;  // the value follows without a comma
    return *this;
  }
  // A key from data (a tier's name, a pass-through field): escaped.
  JsonWriter& dynamic_key(std::string_view k) {
    sep();
    append_string(out_, k);
    out_ += ':';
    first_ = true;
    return *this;
  }
  JsonWriter& value(std::string_view v) { sep(); append_string(out_, v); return *this; }
  JsonWriter& value(const char* v) { return value(std::string_view(v)); }
  JsonWriter& value(const std::string& v) { return value(std::string_view(v)); }
  JsonWriter& value(int64_t v);
  JsonWriter& value(int v) { return value(static_cast<int64_t>(v)); }
  JsonWriter& value(double v);
  JsonWriter& value(bool v) { sep(); out_ += v ? "true" : "false"; return *this; }
  JsonWriter& null() { sep(); out_ += "null"; return *this; }
  // Appends already-serialised JSON as a value.
  JsonWriter& raw(std::string_view json) { sep(); out_ += json; return *this; }

  template <typename T>
  JsonWriter& field(JsonKey k, const T& v) { key(k); return value(v); }

  static void append_string(std::string& out, std::string_view s);

 private:
  void sep() {
    if (!first_) out_ += ',';
    first_ = false;
  }
  std::string& out_;
  bool first_ = true;
};

}  // namespace tiergate
