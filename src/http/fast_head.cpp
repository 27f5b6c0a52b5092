#include "http/fast_head.h"

#include <array>
#include <boost/beast/http/verb.hpp>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <cstring>

namespace tiergate::http {

namespace {

using Table = std::array<bool, 256>;

// token (RFC 9110 5.6.2): field names and methods; the same set as Beast's.
constexpr Table kToken = [] {
  Table t{};
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) t[static_cast<unsigned char>(c)] = true;
  return t;
}();

// What this path takes in a field value or reason phrase: printable ASCII, space and tab (Beast
// also takes bytes from 0x80: those heads are declined and go to Beast).
constexpr Table kValue = [] {
  Table t{};
  for (int c = 0x20; c < 0x7f; ++c) t[c] = true;
  t['\t'] = true;
  return t;
}();

// A request target: visible ASCII (Beast's pathchar set, less bytes from 0x80).
constexpr Table kTarget = [] {
  Table t{};
  for (int c = 0x21; c < 0x7f; ++c) t[c] = true;
  return t;
}();

bool is_ows(char c) { return c == ' ' || c == '\t'; }

// `name` equals the lower-case `lower` in any case.
bool name_is(std::string_view name, std::string_view lower) {
  if (name.size() != lower.size()) return false;
  for (size_t i = 0; i < name.size(); ++i)
    if ((name[i] | 0x20) != lower[i]) return false;  // lower holds letters and '-' only
  return true;
}

// Decimal digits only, at most 19 (no overflow), at least one.
std::optional<uint64_t> parse_length(std::string_view v) {
  if (v.empty() || v.size() > 19) return std::nullopt;
  uint64_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  return n;
}

// The framing fields of a head, as the fast path reads them.
struct Framing {
  std::optional<uint64_t> content_length;
  bool close = false;       // Connection: close
  bool keep_alive = false;  // Connection: keep-alive
  bool connection_seen = false;
  std::string_view retry_after;
};

// Looks at one field for framing; false declines the head. Everything Beast gives a meaning of
// its own (Transfer-Encoding, Upgrade, Proxy-Connection, lists in Connection or Content-Length,
// repeats) is declined rather than interpreted twice.
bool read_framing(std::string_view name, std::string_view value, Framing& f) {
  switch (name.size()) {
    case 14:
      if (name_is(name, "content-length")) {
        if (f.content_length) return false;
        f.content_length = parse_length(value);
        return f.content_length.has_value();
      }
      return true;
    case 10:
      if (name_is(name, "connection")) {
        if (f.connection_seen) return false;
        f.connection_seen = true;
        if (name_is(value, "close"))
          f.close = true;
        else if (name_is(value, "keep-alive"))
          f.keep_alive = true;
        else
          return false;
      }
      return true;
    case 17:
      return !name_is(name, "transfer-encoding");
    case 16:
      return !name_is(name, "proxy-connection");
    case 7:
      return !name_is(name, "upgrade");
    case 11:
      if (name_is(name, "retry-after")) f.retry_after = value;
      return true;
    default:
      return true;
  }
}

// The first byte at or after p, before `limit`, that is no value byte (the CR that ends a line,
// as a rule); `limit` itself when there is none. Sixteen bytes a step where the buffer has them:
// a value byte is 0x20-0x7e or a tab, so a byte below 0x20 as a signed char (controls, and
// everything from 0x80), or 0x7f, that is not a tab stops the scan.
const char* value_end(const char* p, const char* limit) {
#if defined(__SSE2__)
  const __m128i space = _mm_set1_epi8(0x20);
  const __m128i del = _mm_set1_epi8(0x7f);
  const __m128i tab = _mm_set1_epi8('\t');
  while (limit - p >= 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i stop = _mm_andnot_si128(
        _mm_cmpeq_epi8(x, tab), _mm_or_si128(_mm_cmplt_epi8(x, space), _mm_cmpeq_epi8(x, del)));
    const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(stop));
    if (mask != 0) return p + __builtin_ctz(mask);
    p += 16;
  }
#endif
  while (p < limit && kValue[static_cast<unsigned char>(*p)]) ++p;
  return p;
}

// Reads the fields from `p` (the byte after the start line's CRLF) up to the blank line at
// `end` (the head's last CRLF CRLF begins at end - 2), calling on_field(name, value) for each.
// False when a field is not in the plain form.
// `buf_end` is the end of the buffer the head is in (the vector scan reads up to it).
template <class OnField>
bool read_fields(const char* p, const char* end, const char* buf_end, Framing& framing,
                 OnField&& on_field) {
  while (p < end) {
    const char* name_begin = p;
    while (kToken[static_cast<unsigned char>(*p)]) ++p;
    if (p == name_begin || *p != ':') return false;
    const std::string_view name(name_begin, static_cast<size_t>(p - name_begin));
    ++p;
    while (is_ows(*p)) ++p;
    const char* value_begin = p;
    p = value_end(p, buf_end);
    // The value ends at a CRLF; the blank line guarantees one before `end` + 2.
    if (p[0] != '\r' || p[1] != '\n') return false;
    const char* trimmed = p;
    while (trimmed > value_begin && is_ows(trimmed[-1])) --trimmed;
    p += 2;
    if (p < end && is_ows(*p)) return false;  // obs-fold
    const std::string_view value(value_begin, static_cast<size_t>(trimmed - value_begin));
    if (!read_framing(name, value, framing)) return false;
    on_field(name, value);
  }
  return p == end;
}

// The head's size (through the blank line) when it is whole within the first header_limit - 1
// bytes of buf; 0 otherwise. A head that ends right at the limit goes to Beast, which decides.
size_t head_size(std::string_view buf, size_t header_limit) {
  const size_t span = std::min(buf.size(), header_limit > 0 ? header_limit - 1 : 0);
  const char* const begin = buf.data();
  const char* const end = begin + span;
  const char* p = begin;
  for (;;) {
#if defined(__SSE2__)
    const __m128i cr = _mm_set1_epi8('\r');
    while (end - p >= 16) {
      const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(
          _mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)), cr)));
      if (mask != 0) {
        p += __builtin_ctz(mask);
        break;
      }
      p += 16;
    }
#endif
    while (p < end && *p != '\r') ++p;
    if (end - p < 4) return 0;
    if (std::memcmp(p, "\r\n\r\n", 4) == 0) return static_cast<size_t>(p - begin) + 4;
    ++p;
  }
}

// "HTTP/1.1" or "HTTP/1.0" at p: 11 or 10; 0 otherwise.
unsigned read_version(const char* p) {
  if (std::memcmp(p, "HTTP/1.", 7) != 0) return 0;
  return p[7] == '1' ? 11 : p[7] == '0' ? 10 : 0;
}

bool keep_alive(unsigned version, const Framing& f) {
  return version == 11 ? !f.close : f.keep_alive && !f.close;
}

}  // namespace

std::optional<FastRequestHead> parse_request_head(std::string_view buf, size_t header_limit,
                                                  uint64_t body_limit, Request& out) {
  const size_t size = head_size(buf, header_limit);
  if (size == 0) return std::nullopt;
  const char* p = buf.data();
  const char* const blank = p + size - 2;  // the blank line's CRLF
  // Start line: method SP target SP HTTP/1.x CRLF.
  const char* method_begin = p;
  while (kToken[static_cast<unsigned char>(*p)]) ++p;
  if (p == method_begin || *p != ' ') return std::nullopt;
  const std::string_view method(method_begin, static_cast<size_t>(p - method_begin));
  const char* target_begin = ++p;
  while (kTarget[static_cast<unsigned char>(*p)]) ++p;
  if (p == target_begin || *p != ' ') return std::nullopt;
  const std::string_view target(target_begin, static_cast<size_t>(p - target_begin));
  ++p;
  if (blank - p < 10) return std::nullopt;  // "HTTP/1.x\r\n" must end before the blank line
  const unsigned version = read_version(p);
  if (version == 0 || p[8] != '\r' || p[9] != '\n') return std::nullopt;
  p += 10;

  Request request;
  request.method_ = boost::beast::http::string_to_verb(method);
  request.version_ = version;
  request.set_target(target, size);
  Framing framing;
  const bool plain =
      read_fields(p, blank, buf.data() + buf.size(), framing,
                  [&](std::string_view n, std::string_view v) { request.add_field(n, v); });
  if (!plain) return std::nullopt;
  const uint64_t length = framing.content_length.value_or(0);
  if (length > body_limit) return std::nullopt;
  request.keep_alive_ = keep_alive(version, framing);
  out = std::move(request);
  return FastRequestHead{size, length};
}

std::optional<FastResponseHead> parse_response_head(std::string_view buf, size_t header_limit,
                                                    uint64_t body_limit) {
  const size_t size = head_size(buf, header_limit);
  if (size < 17) return std::nullopt;  // "HTTP/1.1 200 \r\n\r\n" at the least
  const char* p = buf.data();
  const char* const blank = p + size - 2;
  // Status line: HTTP/1.x SP 3DIGIT SP reason CRLF.
  const unsigned version = read_version(p);
  if (version == 0 || p[8] != ' ') return std::nullopt;
  p += 9;
  for (int i = 0; i < 3; ++i)
    if (p[i] < '0' || p[i] > '9') return std::nullopt;
  const unsigned status =
      static_cast<unsigned>((p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0'));
  if (p[3] != ' ') return std::nullopt;
  p += 4;
  p = value_end(p, blank);
  if (p >= blank || p[0] != '\r' || p[1] != '\n') return std::nullopt;
  p += 2;
  if (status < 200 || status == 204 || status == 304) return std::nullopt;

  Framing framing;
  if (!read_fields(p, blank, buf.data() + buf.size(), framing,
                   [](std::string_view, std::string_view) {}))
    return std::nullopt;
  if (!framing.content_length || *framing.content_length > body_limit) return std::nullopt;
  FastResponseHead head;
  head.head_size = size;
  head.status = status;
  head.content_length = *framing.content_length;
  head.keep_alive = keep_alive(version, framing);
  head.retry_after = framing.retry_after;
  return head;
}

}  // namespace tiergate::http
