// Refiners for secrets: vendor tokens, JWT, PEM blocks, assignments, URL passwords and generic
// high-entropy tokens (refiners.h).

#include <immintrin.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <string>

#include "route/signals/privacy/avx2_bytes.h"
#include "route/signals/privacy/refiners.h"

namespace tiergate::privacy::refiners {

using T = EntityType;
using R = Refiner;


bool refine_address(std::string_view t, size_t b, size_t e) {
  // Words that start a title or a count ("3 The Long Way", "9 Supreme Court") rather than a
  // street name.
  constexpr std::string_view kStop[] = {
      "The",    "A",       "An",    "Of",      "And",      "In",     "On",   "To",
      "For",    "Supreme", "High",  "Federal", "District", "Best",   "Top",  "Easy",
      "Simple", "Quick",   "More",  "Other",   "Great",    "Steps",  "Ways", "Times",
      "Days",   "Years",   "Hours", "Minutes", "Weeks",    "Months", "Data", "Step"};
  if (is_alnum(before(t, b))) return false;
  size_t i = b;
  while (i < e && (is_alnum(t[i]) || t[i] == ',')) ++i;
  while (i < e && t[i] == ' ') ++i;
  size_t j = i;
  while (j < e && t[j] != ' ') ++j;
  std::string_view first = t.substr(i, j - i);
  for (auto w : kStop)
    if (first == w) return false;
  return !is_alnum(at(t, e));
}

bool refine_token(std::string_view t, size_t b, size_t e) {
  return !is_token_char(before(t, b)) && !is_token_char(at(t, e));
}

namespace {

struct Classes {
  bool lower = false, upper = false, digit = false, symbol = false;
  int count() const { return lower + upper + digit + symbol; }
};

Classes classes_of(std::string_view s) {
  Classes c;
  for (char ch : s) {
    if (ch >= 'a' && ch <= 'z')
      c.lower = true;
    else if (ch >= 'A' && ch <= 'Z')
      c.upper = true;
    else if (is_digit(ch))
      c.digit = true;
    else
      c.symbol = true;
  }
  return c;
}

}  // namespace

bool refine_openai(std::string_view t, size_t b, size_t e) {
  if (!refine_token(t, b, e)) return false;
  std::string_view body = t.substr(b + 3, e - b - 3);
  for (std::string_view pre : {"proj-", "svcacct-", "admin-", "ant-"})
    if (body.starts_with(pre)) body.remove_prefix(pre.size());
  if (body.size() < 20) return false;
  Classes c = classes_of(body);
  return c.lower && c.upper && c.digit;
}

bool refine_slack(std::string_view t, size_t b, size_t e) {
  if (!refine_token(t, b, e) || e - b < 15) return false;
  return classes_of(t.substr(b + 5, e - b - 5)).digit;
}

bool refine_jwt(std::string_view t, size_t b, size_t e) {
  if (!refine_token(t, b, e) || at(t, e) == '.') return false;
  const size_t dot = t.find('.', b);
  return jwt_header_valid(t.substr(b, dot - b));
}

void refine_pem(std::string_view t, size_t b, size_t e, size_t* out_end) {
  size_t end = t.find("-----END", e);
  if (end != std::string_view::npos) {
    const size_t close = t.find("-----", end + 8);
    if (close != std::string_view::npos) {
      *out_end = close + 5;
      return;
    }
  }
  // No END line: the body, as far as it looks like base64 or escaped newlines, goes with it.
  size_t i = e;
  while (i < t.size()) {
    const char ch = t[i];
    if (is_alnum(ch) || is_one_of(ch, "+/= \r\n\t")) {
      ++i;
    } else if (ch == '\\' && is_one_of(at(t, i + 1), "nrt")) {
      i += 2;
    } else {
      break;
    }
  }
  *out_end = i;
}

namespace {

constexpr ByteSet kBareValueEnd(" \t\r\n,;&\"'<>)]}\\");
constexpr ByteSet kMask("*xX.#-_\xe2\x80\xa2");  // and the bytes of U+2022 (bullet)
constexpr ByteSet kCodeOpen("([{$");
constexpr ByteSet kWordEnd(" \t\r\n\"'<>");
constexpr ByteSet kUrlPasswordEnd("@/ \t\r\n\"'<>");

// The value of an assignment starting at `v`: quoted plainly ("x"), quoted inside a JSON string
// (\"x\"), inside JSON inside JSON (\\\"x\\\"), or bare. Sets [*vb, *ve).
void assignment_value(std::string_view t, size_t v, size_t* vb, size_t* ve) {
  size_t i = v, depth = 0;
  while (at(t, i + depth) == '\\') ++depth;
  if (is_one_of(at(t, i + depth), depth > 0 ? "\"'" : "\"'`")) {
    // The closing quote is the same quote behind the same number of backslashes; an escaped
    // quote inside the value has more (or, at depth 0, an odd number).
    const char q = t[i + depth];
    i += depth + 1;
    *vb = i;
    size_t end = std::string_view::npos;
    while (i < t.size() && t[i] != '\n') {
      size_t run = 0;
      while (i + run < t.size() && t[i + run] == '\\') ++run;
      if (at(t, i + run) == q && (depth == 0 ? run % 2 == 0 : run == depth)) {
        end = depth == 0 ? i + run : i;
        break;
      }
      i += run + 1;
    }
    *ve = end != std::string_view::npos ? end : std::min(i, t.size());
    return;
  }
  *vb = i;
  while (i < t.size() && !kBareValueEnd.has(t[i])) ++i;
  while (i > *vb && is_one_of(t[i - 1], ".:?")) --i;
  *ve = i;
}

bool placeholder_like(std::string_view v) {
  if (v.empty()) return true;
  if ((v.front() == '<' && v.back() == '>') || v.starts_with("${") || v.starts_with("{{") ||
      v.starts_with("%(") || v.starts_with("$(") || v.starts_with("process.env") ||
      v.starts_with("os.environ") || v.starts_with("env:") || v.starts_with("$"))
    return true;
  bool all_mask = true;
  for (char ch : v) all_mask = all_mask && kMask.has(ch);
  if (all_mask) return true;
  constexpr std::string_view kStop[] = {
      "null",         "none",          "nil",          "true",        "false",
      "undefined",    "str",           "string",       "int",         "bool",
      "password",     "passwd",        "pwd",          "required",    "optional",
      "empty",        "redacted",      "hidden",       "secret",      "your_password",
      "yourpassword", "your-password", "your_api_key", "yourapikey",  "your-api-key",
      "your_token",   "changeme",      "example",      "placeholder", "token",
      "api_key",      "apikey",        "mask",         "masked",      "n/a",
      "todo",         "tbd",           "string;",      "text",        "varchar"};
  for (auto w : kStop)
    if (iequals(v, w)) return true;
  return false;
}

bool code_like(std::string_view v) {
  // Unquoted expressions in code: calls, indexing, attribute access, variables, keywords.
  constexpr std::string_view kKeywords[] = {
      "await", "new",    "yield",    "lambda",  "function", "async", "typeof", "self",
      "this",  "input",  "getpass",  "request", "req",      "args",  "params", "form",
      "data",  "config", "settings", "env",     "options",  "opts",  "user",   "credentials",
      "creds", "kwargs", "prompt",   "value",   "val"};
  for (auto k : kKeywords)
    if (iequals(v, k)) return true;
  bool letters_only = true, has_dot = false, lower = false, upper = false;
  for (char ch : v) {
    if (kCodeOpen.has(ch)) return true;
    if (ch == '.')
      has_dot = true;
    else if (!is_alpha(ch) && ch != '_')
      letters_only = false;
    lower = lower || (ch >= 'a' && ch <= 'z');
    upper = upper || (ch >= 'A' && ch <= 'Z');
  }
  // os.environ.get / user_password / DB_PASSWORD, not Pass_Word9.
  return letters_only && (has_dot || (v.find('_') != v.npos && lower != upper));
}

}  // namespace

bool refine_assignment(Refiner r, std::string_view t, size_t b, size_t e, size_t* ob, size_t* oe) {
  // "PASS: name" is a test result (automake, TAP, "--- PASS: TestX" in Go), not a password.
  if (r == R::kPasswordValue && e >= 1 && t[e - 1] == ':' && t.substr(b, 4) == "PASS" &&
      !(b + 4 < t.size() && (is_alpha(t[b + 4]) || t[b + 4] == '_')))
    return false;
  while (e < t.size() && (t[e] == ' ' || t[e] == '\t')) ++e;
  if (r == R::kPasswordIs && e < t.size() && t[e] == ':') {
    ++e;
    while (e < t.size() && (t[e] == ' ' || t[e] == '\t')) ++e;
  }
  // "pwd" and "pass" are words of their own ("bypass: true" is not a password); b is where the
  // key word starts (StartFinder::kKey).
  size_t key_end = b;
  while (key_end < t.size() && (is_alpha(t[key_end]) || t[key_end] == '_')) ++key_end;
  std::string_view key = t.substr(b, key_end - b);
  bool short_key = false;
  for (std::string_view k : {"pass", "pwd"}) {
    if (key.size() >= k.size() && iequals(key.substr(key.size() - k.size()), k)) {
      const size_t rest = key.size() - k.size();
      short_key = rest > 0 && key[rest - 1] != '_';
    }
  }
  if (r == R::kPasswordValue && short_key) return false;
  // A key inside a string of its own ('Password: ' in a prompt, "token=" in a message): the
  // quote after the separator closes that string and opens no value.
  if (b > 0 && (t[b - 1] == '"' || t[b - 1] == '\'') && e < t.size() && t[e] == t[b - 1] &&
      key_end < t.size() && t[key_end] != t[b - 1])
    return false;
  size_t vb = 0, ve = 0;
  assignment_value(t, e, &vb, &ve);
  const bool quoted = vb > e;
  std::string_view v = t.substr(vb, ve - vb);
  if (v.size() > 256 || placeholder_like(v)) return false;
  const Classes c = classes_of(v);
  switch (r) {
    case R::kPasswordValue:
      if (v.size() < (quoted ? 3u : 4u)) return false;
      if (!quoted) {
        if (code_like(v)) return false;
        // A lower-case word after "password:" is prose ("Password: reset it"), unless it ends
        // the line (YAML, .env, logs): "password: sunshine".
        size_t k0 = e;
        while (k0 > 0 && (t[k0 - 1] == ' ' || t[k0 - 1] == '\t')) --k0;
        const bool colon = k0 > 0 && t[k0 - 1] == ':';
        if (c.count() == 1 && c.lower && colon) {
          size_t k = ve;
          while (k < t.size() && (t[k] == ' ' || t[k] == '\t')) ++k;
          if (k < t.size() && t[k] != '\n' && t[k] != '\r' && t[k] != '"' && t[k] != ',')
            return false;
        }
      }
      break;
    case R::kKeyValue:
      if (v.size() < 8 || !c.digit || !(c.lower || c.upper)) return false;
      if (!quoted && code_like(v)) return false;
      break;
    case R::kPasswordIs: {
      // Prose: "my password is Summer2024!" but not "the password is incorrect".
      if (quoted) break;
      size_t i = vb;
      while (i < t.size() && !kWordEnd.has(t[i])) ++i;
      while (i > vb && is_one_of(t[i - 1], ".,;:?)")) --i;
      ve = i;
      v = t.substr(vb, ve - vb);
      if (v.size() < 6 || classes_of(v).count() < 2) return false;
      break;
    }
    default:
      return false;
  }
  *ob = vb;
  *oe = ve;
  return true;
}

bool refine_url_password(std::string_view t, size_t e, size_t* ob, size_t* oe) {
  size_t i = e;
  while (i < t.size() && i - e < 128 && !kUrlPasswordEnd.has(t[i])) ++i;
  if (at(t, i) != '@' || i == e) return false;
  std::string_view v = t.substr(e, i - e);
  if (placeholder_like(v)) return false;
  *ob = e;
  *oe = i;
  return true;
}

namespace {

// Share of adjacent letter pairs that are common in English, in percent (100 if none).
int common_pair_percent(std::string_view s);

// The byte classes of a value of at most 64 bytes, bit k for byte k: the tests of a long token read
// these instead of looping over its bytes once per test (most generic-token candidates are names
// and paths of 20-64 bytes). AVX-512 or AVX2 where the CPU has it, else SSE2 (every x86-64 CPU).
struct ShortMasks {
  uint64_t lower = 0, upper = 0, digit = 0, hex_letter = 0, dash = 0, slash = 0, separator = 0;
};

// Bits 0 to n - 1.
uint64_t low_bits(size_t n) { return n >= 64 ? ~uint64_t{0} : (uint64_t{1} << n) - 1; }

#define TIERGATE_AVX512 gnu::target("avx512f,avx512bw")

// The bytes of `in` with lo <= v <= hi (unsigned).
[[TIERGATE_AVX512]] inline uint64_t avx512_range(__mmask64 in, __m512i v, char lo, char hi) {
  return _cvtmask64_u64(_mm512_mask_cmple_epu8_mask(in, _mm512_sub_epi8(v, _mm512_set1_epi8(lo)),
                                                    _mm512_set1_epi8(static_cast<char>(hi - lo))));
}

[[TIERGATE_AVX512]] inline uint64_t avx512_is(__mmask64 in, __m512i v, char c) {
  return _cvtmask64_u64(_mm512_mask_cmpeq_epi8_mask(in, v, _mm512_set1_epi8(c)));
}

// With AVX-512: one masked load (the bytes past s are neither read nor set) and a compare per
// class. REQUIRES: s.size() <= 64.
[[TIERGATE_AVX512]] ShortMasks avx512_short_masks(std::string_view s) {
  const __mmask64 in = _cvtu64_mask64(low_bits(s.size()));
  const __m512i x = _mm512_maskz_loadu_epi8(in, s.data());
  ShortMasks m;
  m.lower = avx512_range(in, x, 'a', 'z');
  m.upper = avx512_range(in, x, 'A', 'Z');
  m.digit = avx512_range(in, x, '0', '9');
  m.hex_letter = avx512_range(in, _mm512_or_si512(x, _mm512_set1_epi8(0x20)), 'a', 'f');
  m.dash = avx512_is(in, x, '-');
  m.slash = avx512_is(in, x, '/');
  m.separator = m.dash | m.slash | avx512_is(in, x, '_') | avx512_is(in, x, '+') |
                avx512_is(in, x, '=');
  return m;
}

#undef TIERGATE_AVX512

// With AVX2: the 64 bytes at p as two halves, a compare per class. REQUIRES: 64 readable bytes
// at p.
[[TIERGATE_AVX2]] ShortMasks avx2_short_masks(const char* p) {
  ShortMasks m;
  for (int half = 0; half < 2; ++half) {
    const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32 * half));
    const int shift = 32 * half;
    const auto bits = [shift](int movemask) {
      return static_cast<uint64_t>(static_cast<uint32_t>(movemask)) << shift;
    };
    const __m256i dash = avx2::is(x, '-'), slash = avx2::is(x, '/');
    const __m256i separator = _mm256_or_si256(
        _mm256_or_si256(dash, slash),
        _mm256_or_si256(_mm256_or_si256(avx2::is(x, '_'), avx2::is(x, '+')), avx2::is(x, '=')));
    m.lower |= bits(_mm256_movemask_epi8(avx2::in_range(x, 'a', 'z')));
    m.upper |= bits(_mm256_movemask_epi8(avx2::in_range(x, 'A', 'Z')));
    m.digit |= bits(_mm256_movemask_epi8(avx2::in_range(x, '0', '9')));
    m.hex_letter |= bits(
        _mm256_movemask_epi8(avx2::in_range(_mm256_or_si256(x, _mm256_set1_epi8(0x20)), 'a', 'f')));
    m.dash |= bits(_mm256_movemask_epi8(dash));
    m.slash |= bits(_mm256_movemask_epi8(slash));
    m.separator |= bits(_mm256_movemask_epi8(separator));
  }
  return m;
}

// With SSE2: the 64 bytes at p, 16 at a time, a compare per class. REQUIRES: 64 readable bytes
// at p.
ShortMasks sse2_short_masks(const char* p) {
  ShortMasks m;
  for (int q = 0; q < 4; ++q) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * q));
    // Signed compares: bytes >= 0x80 (and the zero padding) are in no range.
    auto range = [](__m128i v, char lo, char hi) {
      return _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(static_cast<char>(lo - 1))),
                           _mm_cmplt_epi8(v, _mm_set1_epi8(static_cast<char>(hi + 1))));
    };
    auto is = [&](char ch) { return _mm_cmpeq_epi8(x, _mm_set1_epi8(ch)); };
    auto bits = [&](__m128i v) {
      return static_cast<uint64_t>(static_cast<uint16_t>(_mm_movemask_epi8(v))) << (16 * q);
    };
    const __m128i dash = is('-'), slash = is('/');
    m.lower |= bits(range(x, 'a', 'z'));
    m.upper |= bits(range(x, 'A', 'Z'));
    m.digit |= bits(range(x, '0', '9'));
    m.hex_letter |= bits(range(_mm_or_si128(x, _mm_set1_epi8(0x20)), 'a', 'f'));
    m.dash |= bits(dash);
    m.slash |= bits(slash);
    m.separator |= bits(_mm_or_si128(_mm_or_si128(dash, slash),
                                     _mm_or_si128(_mm_or_si128(is('_'), is('+')), is('='))));
  }
  return m;
}

// The masks of s's first 64 bytes at `level`. `readable`: the end of the memory that may be read,
// at or after the end of s. Without AVX-512, the 64 bytes from s are read where they are when they
// end before it (most tokens lie inside a longer text), else from a zero-padded copy: the loads
// after a copy's short stores cost a store-forwarding stall each, which made the copy the larger
// part of this function in the profile.
ShortMasks short_masks(std::string_view s, const char* readable, byte_pass::SimdLevel level) {
  if (level == byte_pass::SimdLevel::kAvx512Vbmi) return avx512_short_masks(s.substr(0, 64));
  alignas(16) std::array<char, 64> buf;
  const char* p = s.data();
  if (readable - p < 64) {
    buf.fill(0);
    std::memcpy(buf.data(), s.data(), std::min<size_t>(s.size(), 64));
    p = buf.data();
  }
  ShortMasks m = level == byte_pass::SimdLevel::kAvx2 ? avx2_short_masks(p) : sse2_short_masks(p);
  const uint64_t in = low_bits(s.size());  // the bytes past s: read in place, or the padding
  for (uint64_t* mask : {&m.lower, &m.upper, &m.digit, &m.hex_letter, &m.dash, &m.slash, &m.separator})
    *mask &= in;
  return m;
}

bool common_bigram(char a, char b);

// A segment of hex digits in one case this long or longer, with more than three turns between
// letters and digits, is a hash ("commit/2d6710a1f9dd4f76...", "blob/3f9a8b7/src"): in a path it
// counts as a segment that is not plain, as a hex token alone is no secret (refine_high_entropy).
// Shorter ones, and hashes outside a path, keep the turns test.
constexpr size_t kMinHashSegment = 7;

// A segment with a case change may be CamelCase ("HttpClient", "BoostCon09Full",
// "bufferAccountRequest52"): no lowercase letter alone between capitals, digits, separators
// ("JdkQm2Lp" has three), at most three turns, and at least this share (percent) of its letter
// pairs common in English (about one in six of random letters' is). Not plain.
constexpr int kMinCamelCommonPercent = 40;

// The CamelCase test of a segment (its bits `seg` in a part; lower: the part's small letters).
bool camel_segment(std::string_view part, uint64_t seg, uint64_t lower) {
  if ((lower & seg & ~(lower << 1) & ~(lower >> 1)) != 0) return false;  // a lone small letter
  const size_t first = static_cast<size_t>(__builtin_ctzll(seg));
  const size_t size = static_cast<size_t>(64 - __builtin_clzll(seg)) - first;
  return common_pair_percent(part.substr(first, size)) >= kMinCamelCommonPercent;
}

// What simple_segments counts, added up over the parts of a value.
struct SegmentCounts {
  size_t segments = 0, plain = 0;
  size_t hex = 0, camel = 0;     // hash and CamelCase segments (kMinHashSegment, camel_segment)
  size_t pairs = 0, common = 0;  // letter pairs, common ones: counted until a '/' is seen
  bool slash = false;
};

// Adds to `c` the segments of the bytes `keep` of a part of a value (`part`, with the masks m of
// its first 64 bytes); the part ends at a separator or at the value's end, so that no segment is
// cut. False when a segment is not simple: the segments are the runs of letters and digits, and
// each one's tests are a few masks.
bool add_segments(std::string_view part, const ShortMasks& m, uint64_t keep, SegmentCounts& c) {
  const uint64_t lower = m.lower & keep, upper = m.upper & keep;
  const uint64_t alpha = lower | upper, body = alpha | (m.digit & keep);
  if ((keep & ~body & ~m.separator) != 0) return false;  // a byte in no segment, not between
  uint64_t starts = body & ~(body << 1), ends = body & ~(body >> 1);  // first, last bytes
  const uint64_t later = body & ~starts;  // bytes after the first of their segment
  const uint64_t turns_at = (alpha ^ (alpha << 1)) & later, later_upper = upper & later;
  const uint64_t hex = m.digit | m.hex_letter;
  for (; starts != 0; starts &= starts - 1, ends &= ends - 1) {
    const uint64_t seg = ((ends & -ends) * 2 - 1) & ~((starts & -starts) - 1);
    uint64_t turns = turns_at & seg;
    const bool plain = (turns & (turns - 1)) == 0;  // at most one
    for (int k = 0; k < 3; ++k) turns &= turns - 1;
    ++c.segments;
    if ((lower & seg) != 0 && (later_upper & seg) != 0) {  // a case change: simple as CamelCase
      if (turns != 0 || !camel_segment(part, seg, lower)) return false;
      ++c.camel;
      continue;
    }
    if (turns != 0) {  // more than three: simple only as a hash
      if ((seg & ~hex) != 0 || __builtin_popcountll(seg) < kMinHashSegment) return false;
      ++c.hex;
      continue;
    }
    c.plain += plain;
  }
  c.slash = c.slash || (m.slash & keep) != 0;
  if (c.slash) return true;  // a path: its pairs do not count
  for (uint64_t pairs = alpha & alpha >> 1; pairs != 0; pairs &= pairs - 1) {
    const size_t k = static_cast<size_t>(__builtin_ctzll(pairs));
    ++c.pairs;
    c.common += common_bigram(part[k], part[k + 1]);
  }
  return true;
}

// simple_segments_bytewise from masks, 64 bytes at a time. `first`: the masks of s's first 64
// bytes; `readable` and `level` as for short_masks.
bool simple_segments(std::string_view s, const ShortMasks& first, const char* readable,
                     byte_pass::SimdLevel level) {
  SegmentCounts c;
  ShortMasks m = first;
  for (size_t at = 0; at < s.size();) {
    const std::string_view part = s.substr(at, 64);
    if (at > 0) m = short_masks(part, readable, level);
    size_t used = part.size();
    if (at + used < s.size()) {
      // Not the last part: it ends at its last separator, and the next part starts after it.
      if (m.separator == 0) return simple_segments_bytewise(s);  // a segment of 64+ bytes
      used = static_cast<size_t>(64 - __builtin_clzll(m.separator));
    }
    if (!add_segments(part, m, low_bits(used), c)) return false;
    at += used;
  }
  auto percent = [&] {
    if (c.slash) return common_pair_percent(s);  // its pairs were not all counted
    return c.pairs == 0 ? 100 : static_cast<int>(c.common * 100 / c.pairs);
  };
  if (c.hex != 0 && !c.slash) return false;
  if (c.segments == 1) return percent() >= 40;
  return c.segments >= 2 && c.plain * 2 >= c.segments && (c.slash || percent() >= 30);
}

}  // namespace

// An identifier or a path made of simple segments (snake_case, kebab-case, SCREAMING_CASE, a file
// path): split at _ - / + =, segments that are each a number or letters in one case (or
// Capitalised) with digits in at most four runs of letters and digits, half of them or more a
// word, a number or a word and a number ("cpython-311-x86_64-linux-gnu",
// "_GLIBCXX_SIMD_HAVE_AVX512F", "fpcsrc/utils/pas2js/dist/rtl"), and, unless it is a path, at
// least 30% of the letter pairs common in English. The entropy of such a name counts its alphabet,
// not randomness. A random token is none of it: base64 mixes the cases within a segment, base36
// letters and digits, and one-case random letters ("XKQZP-VBNMR-WRTP3") have few common pairs
// (about one in six).
// One segment ("PFNGLVERTEXATTRIB4FVPROC", a C macro or typedef) is a name only with more
// English in it (40%: random one-case letters reach it about once in a thousand 20-letter runs,
// and a random token's digits make more than three runs). A path ('/') needs none: its directory
// names are often abbreviations ("fpcsrc/gtk2"). In a path a segment may also be a hash: 7+ hex
// digits in one case, however they turn ("github.com/openai/openai-node/commit/2d6710a1f9dd...",
// a CHANGELOG's links), not plain; a hex token alone is no secret either. Random base64 and
// base62 mix the cases, and base36 has letters past f. And any segment may be CamelCase
// ("packages/web3/src/utils/HttpClient", "accountBufferRequest72": kMinCamelCommonPercent), not
// plain: random base62 leaves lowercase letters alone between capitals and has few common pairs
// (none of 300,000 generated secrets is turned away by it: docs/BENCHMARKS.md).
bool simple_segments_bytewise(std::string_view s) {
  static constexpr ByteSet kSeparator("_-/+="), kHex("0123456789abcdefABCDEF");
  size_t segments = 0, plain = 0, hashes = 0, camels = 0, start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i < s.size() && !kSeparator.has(s[i])) continue;
    std::string_view seg = s.substr(start, i - start);
    start = i + 1;
    if (seg.empty()) continue;
    ++segments;
    // One case: no capital after the first byte once there is a small letter.
    bool lower = false, later_upper = false, hex = true, lone_small = false;
    size_t turns = 0, small_run = 0;
    for (size_t k = 0; k < seg.size(); ++k) {
      const bool alpha = is_alpha(seg[k]), small = seg[k] >= 'a' && seg[k] <= 'z';
      if (!alpha && !is_digit(seg[k])) return false;
      lower = lower || small;
      later_upper = later_upper || (k > 0 && seg[k] >= 'A' && seg[k] <= 'Z');
      turns += k > 0 && alpha != is_alpha(seg[k - 1]);
      hex = hex && kHex.has(seg[k]);
      lone_small = lone_small || (!small && small_run == 1);
      small_run = small ? small_run + 1 : 0;
    }
    lone_small = lone_small || small_run == 1;
    if (lower && later_upper) {  // a case change: simple only as CamelCase
      if (turns > 3 || lone_small || common_pair_percent(seg) < kMinCamelCommonPercent)
        return false;
      ++camels;
      continue;
    }
    if (turns > 3) {
      if (!hex || seg.size() < kMinHashSegment) return false;
      ++hashes;
    } else {
      plain += turns <= 1;
    }
  }
  const bool path = s.find('/') != s.npos;
  if (hashes != 0 && !path) return false;
  if (segments == 1) return common_pair_percent(s) >= 40;
  return segments >= 2 && plain * 2 >= segments && (path || common_pair_percent(s) >= 30);
}

bool simple_segments_at_level(byte_pass::SimdLevel level, std::string_view s,
                              const char* readable) {
  const char* end = readable ? readable : s.data() + s.size();
  return simple_segments(s, short_masks(s.substr(0, 64), end, level), end, level);
}

bool simple_segments(std::string_view s) {
  return simple_segments_at_level(byte_pass::best_simd_level(), s);
}

namespace {

// Common English letter pairs: identifiers are made of words, random tokens are not.
bool common_bigram(char a, char b) {
  static constexpr std::string_view kPairs[] = {
      "th", "he", "in", "er", "an", "re", "on", "at", "en", "nd", "ti", "es", "or", "te", "of",
      "ed", "is", "it", "al", "ar", "st", "to", "nt", "ng", "se", "ha", "as", "ou", "io", "le",
      "ve", "co", "me", "de", "hi", "ri", "ro", "ic", "ne", "ea", "ra", "ce", "li", "ch", "ll",
      "be", "ma", "si", "om", "ur", "ca", "el", "ta", "la", "ns", "di", "fo", "ho", "pe", "ec",
      "pr", "no", "ct", "us", "ac", "ot", "il", "tr", "ly", "nc", "et", "ut", "ss", "so", "rs",
      "un", "lo", "wa", "ge", "ie", "wh", "ee", "wi", "em", "ad", "ol", "rt", "po", "we", "na",
      "ul", "ni", "ts", "mo", "ow", "pa", "im", "mi", "ai", "sh", "ir", "su", "id", "os", "iv",
      "ia", "am", "fi", "ci", "vi", "pl", "ig", "tu", "ev", "ld", "ry", "mp", "fe", "bl", "ab"};
  static constexpr std::array<bool, 26 * 26> table = [] {
    std::array<bool, 26 * 26> t{};
    for (auto p : kPairs) t[(p[0] - 'a') * 26 + (p[1] - 'a')] = true;
    return t;
  }();
  return table[(lower(a) - 'a') * 26 + (lower(b) - 'a')];
}

int common_pair_percent(std::string_view s) {
  size_t pairs = 0, common = 0;
  for (size_t k = 0; k + 1 < s.size(); ++k) {
    if (!is_alpha(s[k]) || !is_alpha(s[k + 1])) continue;
    ++pairs;
    common += common_bigram(s[k], s[k + 1]);
  }
  return pairs == 0 ? 100 : static_cast<int>(common * 100 / pairs);
}

// An alphabet written out ("0123456789ABCDEFGHIJKLMNOPQRSTUV", a base32 or base64 table in
// code, "0123456789abcdef"): half of its byte pairs or more are successive codes. Random bytes
// make such a pair about once in 64.
bool alphabet_run(std::string_view s) {
  size_t successive = 0;
  for (size_t k = 0; k + 1 < s.size(); ++k)
    successive += static_cast<unsigned char>(s[k + 1]) == static_cast<unsigned char>(s[k]) + 1;
  return successive * 2 >= s.size() - 1;
}

// A hexadecimal integer literal of C and the languages after it, with its suffix
// ("0xb5026f5aa96619e9ULL", "0xFFFFu", "0x7fffffffL"): a number, like the hex it is.
bool hex_literal(std::string_view s) {
  if (s.size() < 3 || s[0] != '0' || (s[1] | 0x20) != 'x') return false;
  size_t k = 2;
  while (k < s.size() && is_hex(s[k])) ++k;
  const size_t digits_end = k;
  while (k < s.size() && ((s[k] | 0x20) == 'u' || (s[k] | 0x20) == 'l')) ++k;
  return digits_end > 2 && k == s.size() && k - digits_end <= 3;
}

// A UUID (8-4-4-4-12 hex digits, one case) in s, with no letter or digit right before or after
// it: the offset of the first, or npos.
size_t find_uuid(std::string_view s) {
  static constexpr size_t kSize = 36;
  for (size_t i = 0; i + kSize <= s.size(); ++i) {
    if (s[i + 8] != '-' || s[i + 13] != '-' || s[i + 18] != '-' || s[i + 23] != '-') continue;
    if ((i > 0 && is_alnum(s[i - 1])) || (i + kSize < s.size() && is_alnum(s[i + kSize]))) continue;
    bool hex = true, lower = false, upper = false;
    for (size_t k = i; k < i + kSize && hex; ++k) {
      if (k == i + 8 || k == i + 13 || k == i + 18 || k == i + 23) continue;
      hex = is_hex(s[k]);
      lower = lower || (s[k] >= 'a' && s[k] <= 'f');
      upper = upper || (s[k] >= 'A' && s[k] <= 'F');
    }
    if (hex && !(lower && upper)) return i;
  }
  return std::string_view::npos;
}

// A name around a UUID ("asio-58CCDC44-6264-4842-90C2-F3C545CB8AA7-", the name of a mutex or a
// pipe; "job_1bee5efc-de03-4f6e-a155-aff853a494fa"): a UUID alone is no secret (it is hex), and
// neither is a name made of one and pieces too short to be a secret themselves (under
// `min_length`). A UUID next to a long random piece is left to the other tests.
bool uuid_name(std::string_view s, size_t min_length) {
  const size_t at = find_uuid(s);
  return at != std::string_view::npos && at < min_length && s.size() - (at + 36) < min_length;
}

// Made of words (camelCase, snake_case, SCREAMING_CASE, paths): two thirds of the characters
// sit in words of 3+ letters, split the way identifiers are ("HTTPServer" -> HTTP, Server; "getX"
// -> get, X), and most letter pairs inside those words are among the 120 most common in English.
// About one in six pairs of random letters is; about three in four of identifiers' are (threshold:
// 60%).
// `has_lower`: s has a letter a-z.
bool wordy(std::string_view s, bool has_lower) {
  auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
  size_t in_words = 0, pairs = 0, common = 0, start = 0;
  bool in_word = false, all_caps = true;  // all_caps: the word so far
  auto close = [&](size_t end) {
    // Next to lower case, a capital run longer than an acronym (HTTP, JSON) is not a word.
    const bool acronym_ok = !(all_caps && has_lower && end - start > 4);
    if (in_word && end - start >= 3 && acronym_ok) {
      in_words += end - start;
      for (size_t k = start; k + 1 < end; ++k) {
        ++pairs;
        common += common_bigram(s[k], s[k + 1]);
      }
    }
    in_word = false;
  };
  for (size_t i = 0; i < s.size(); ++i) {
    if (!is_alpha(s[i])) {
      close(i);
      continue;
    }
    const bool boundary =
        in_word && upper(s[i]) &&
        (!upper(s[i - 1]) || (i + 1 < s.size() && is_alpha(s[i + 1]) && !upper(s[i + 1])));
    if (boundary) close(i);
    if (!in_word) {
      in_word = true;
      start = i;
      all_caps = true;
    }
    all_caps = all_caps && upper(s[i]);
  }
  close(s.size());
  return in_words * 3 >= s.size() * 2 && pairs >= 4 && common * 100 >= pairs * 60;
}

// True when t[b..] is the value of a key that names a secret ("X-Request-Signature: v",
// "session_token=v", "\"apiKey\": \"v\""). Such a value is a secret at a lower entropy: a short
// random token is often an unlucky draw (32 base-36 characters can measure under 3.5 bits).
bool after_secret_key(std::string_view t, size_t b) {
  auto skip_back = [&](size_t i) {
    while (i > 0 && is_one_of(t[i - 1], " \t\"'")) --i;
    return i;
  };
  size_t i = skip_back(b);
  if (i == 0 || !is_one_of(t[i - 1], ":=")) return false;
  const size_t end = skip_back(i - 1);
  size_t start = end;
  while (start > 0 && end - start < 48 && (is_alnum(t[start - 1]) || is_one_of(t[start - 1], "-_.")))
    --start;
  std::array<char, 48> buf;
  for (size_t k = start; k < end; ++k) buf[k - start] = lower(t[k]);
  const std::string_view key(buf.data(), end - start);
  static constexpr std::string_view kWords[] = {"signature", "token",  "secret", "apikey",
                                                "api_key",   "api-key", "auth",   "session",
                                                "credential", "passw",  "bearer", "cookie"};
  for (auto w : kWords)
    if (key.find(w) != std::string::npos) return true;
  return false;
}

}  // namespace

bool refine_high_entropy(std::string_view t, size_t b, size_t e, const RefineOptions& o) {
  if (is_one_of(at(t, e), "=") || is_alnum(at(t, e))) return false;
  std::string_view s = t.substr(b, e - b);
  while (!s.empty() && s.back() == '=') s.remove_suffix(1);
  while (!s.empty() && is_one_of(s.front(), "-_/+")) s.remove_prefix(1);
  if (s.size() < o.entropy_min_length || s.size() > 4096) return false;
  // The cheap rejections first: most long tokens are identifiers without a digit. They read the
  // masks of the first 64 bytes (all of most values), a longer value is read once more, with a
  // table and an OR per byte.
  const char* readable = t.data() + t.size();
  const byte_pass::SimdLevel level = o.simd_level;
  const ShortMasks m = short_masks(s.substr(0, 64), readable, level);
  bool all_hex = false, lower = false, upper = false, digit = false;
  if (s.size() <= 64) {
    all_hex = (low_bits(s.size()) & ~(m.digit | m.hex_letter | m.dash)) == 0;
    lower = m.lower != 0;
    upper = m.upper != 0;
    digit = m.digit != 0;
  } else {
    enum : uint8_t { kLower = 1, kUpper = 2, kDigit = 4, kNotHex = 8 };
    static constexpr std::array<uint8_t, 256> kBits = [] {
      std::array<uint8_t, 256> a{};
      for (int c = 0; c < 256; ++c) a[c] = kNotHex;
      for (int c = 'a'; c <= 'z'; ++c) a[c] = kLower | (c <= 'f' ? 0 : kNotHex);
      for (int c = 'A'; c <= 'Z'; ++c) a[c] = kUpper | (c <= 'F' ? 0 : kNotHex);
      for (int c = '0'; c <= '9'; ++c) a[c] = kDigit;
      a['-'] = 0;
      return a;
    }();
    unsigned bits = 0;
    for (char ch : s) bits |= kBits[static_cast<unsigned char>(ch)];
    all_hex = !(bits & kNotHex);
    lower = bits & kLower;
    upper = bits & kUpper;
    digit = bits & kDigit;
  }
  if (all_hex || hex_literal(s)) return false;  // hashes, git SHAs, UUIDs, hex dumps, 0x...ULL
  if (!digit || !(lower || upper)) return false;
  if (!(lower && upper) && s.size() < 24) return false;
  if (simple_segments(s, m, readable, level) || wordy(s, lower) || alphabet_run(s) ||
      uuid_name(s, o.entropy_min_length))
    return false;
  const double threshold = after_secret_key(t, b) ? o.entropy_threshold - 0.5 : o.entropy_threshold;
  return shannon_entropy(s) >= threshold;
}

}  // namespace tiergate::privacy::refiners
