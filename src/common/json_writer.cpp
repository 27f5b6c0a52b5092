#include "common/json_writer.h"

#include <charconv>
#include <cmath>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace tiergate {

namespace {

// Index of the first byte of s[from, size) that JSON needs escaped (a control byte, '"' or '\\'),
// or s.size(). Sixteen bytes per step with SSE2 (x86-64's baseline): most strings have none, and a
// byte loop cost more than everything else in writing a small completion.
size_t next_escape(std::string_view s, size_t from) {
  size_t i = from;
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i control_max = _mm_set1_epi8(0x1f);
  auto special = [&](__m128i x) {
    // x <= 0x1f unsigned: max(x, 0x1f) == 0x1f.
    const __m128i control = _mm_cmpeq_epi8(_mm_max_epu8(x, control_max), control_max);
    return static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(
        control, _mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, backslash)))));
  };
  for (; i + 16 <= s.size(); i += 16) {
    const unsigned mask = special(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i)));
    if (mask != 0) return i + static_cast<size_t>(__builtin_ctz(mask));
  }
  if (i == s.size()) return i;
  // The last 1-15 bytes (most keys and short values are only this): copied into a block padded
  // with a byte that needs no escaping.
  alignas(16) char tail[16];
  std::memset(tail, 'a', sizeof tail);
  std::memcpy(tail, s.data() + i, s.size() - i);
  const unsigned mask = special(_mm_load_si128(reinterpret_cast<const __m128i*>(tail)));
  return mask != 0 ? i + static_cast<size_t>(__builtin_ctz(mask)) : s.size();
#else
  for (; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == '"' || c == '\\') return i;
  }
  return s.size();
#endif
}

}  // namespace

void JsonWriter::append_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  size_t i = next_escape(s, 0);
  if (i == s.size()) {  // nearly every string: nothing to escape, written in one step
    const size_t at = out.size();
    const size_t size = at + s.size() + 2;
    // The size is ours, not the callback's second argument: g++ 12's library passes the grown
    // capacity there.
    out.resize_and_overwrite(size, [&](char* p, size_t) {
      p[at] = '"';
      std::memcpy(p + at + 1, s.data(), s.size());
      p[size - 1] = '"';
      return size;
    });
    return;
  }
  out.reserve(out.size() + s.size() + 2);
  out += '"';
  size_t run = 0;  // start of the pending run of bytes that need no escaping
  for (; i < s.size(); i = next_escape(s, run)) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 15];
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

JsonWriter& JsonWriter::value(int64_t v) {
  sep();
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out_.append(buf, r.ptr);
  return *this;
}

JsonWriter& JsonWriter::value(double v) {
  sep();
  if (!std::isfinite(v)) {
    out_ += "null";
    return *this;
  }
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out_.append(buf, r.ptr);
  return *this;
}

}  // namespace tiergate
