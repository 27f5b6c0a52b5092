#pragma once
// A small, fast JSON writer appending to a std::string. The caller keeps the structure valid;
// strings are escaped (control characters, quotes, backslashes; UTF-8 passes through as is).

#include <cstdint>
#include <string>
#include <string_view>

namespace tiergate {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& begin_object() { sep(); out_ += '{'; first_ = true; return *this; }
  JsonWriter& end_object() { out_ += '}'; first_ = false; return *this; }
  JsonWriter& begin_array() { sep(); out_ += '['; first_ = true; return *this; }
  JsonWriter& end_array() { out_ += ']'; first_ = false; return *this; }
  JsonWriter& key(std::string_view k) {
    sep();
    append_string(out_, k);
    out_ += ':';
    first_ = true;  // the value follows without a comma
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
  JsonWriter& field(std::string_view k, const T& v) { key(k); return value(v); }

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
