#include "route/signals/privacy/validators.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>

namespace tiergate::privacy {

bool luhn_valid(std::string_view digits) {
  if (digits.empty()) return false;
  int sum = 0;
  bool dbl = false;
  for (size_t i = digits.size(); i-- > 0;) {
    if (!is_digit(digits[i])) return false;
    int d = digits[i] - '0';
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
  }
  return sum % 10 == 0;
}

namespace {

int prefix_value(std::string_view digits, size_t n) {
  int v = 0;
  for (size_t i = 0; i < n && i < digits.size(); ++i) v = v * 10 + (digits[i] - '0');
  return v;
}

}  // namespace

bool card_brand_valid(std::string_view d) {
  const size_t n = d.size();
  if (n < 13 || n > 19) return false;
  const int p1 = prefix_value(d, 1), p2 = prefix_value(d, 2), p3 = prefix_value(d, 3),
            p4 = prefix_value(d, 4), p6 = prefix_value(d, 6);
  if (p1 == 4) return n == 13 || n == 16 || n == 19;                         // Visa
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return n == 16;  // Mastercard
  if (p2 == 34 || p2 == 37) return n == 15;                                  // Amex
  if (p4 == 6011 || p2 == 65 || (p3 >= 644 && p3 <= 649) || (p6 >= 622126 && p6 <= 622925))
    return n >= 16 && n <= 19;                              // Discover
  if (p4 >= 3528 && p4 <= 3589) return n >= 16 && n <= 19;  // JCB
  if ((p3 >= 300 && p3 <= 305) || p2 == 36 || p2 == 38 || p2 == 39 || p4 == 3095)
    return n >= 14 && n <= 19;              // Diners
  if (p2 == 62) return n >= 16 && n <= 19;  // UnionPay
  // Maestro: its published IIN ranges, not the whole 5x/6x space (which would flag one random
  // 16-digit number in a hundred as a card).
  if (p4 == 5018 || p4 == 5020 || p4 == 5038 || p4 == 5893 || p4 == 6304 || p4 == 6759 ||
      p4 == 6761 || p4 == 6762 || p4 == 6763)
    return n >= 13;
  return false;
}

namespace {

struct IbanCountry {
  char code[3];
  uint8_t length;
};
// ISO 13616 registry lengths.
constexpr IbanCountry kIbanCountries[] = {
    {"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20}, {"BE", 16}, {"BG", 22},
    {"BH", 22}, {"BR", 29}, {"BY", 28}, {"CH", 21}, {"CR", 22}, {"CY", 28}, {"CZ", 24}, {"DE", 22},
    {"DK", 18}, {"DO", 28}, {"EE", 20}, {"EG", 29}, {"ES", 24}, {"FI", 18}, {"FO", 18}, {"FR", 27},
    {"GB", 22}, {"GE", 22}, {"GI", 23}, {"GL", 18}, {"GR", 27}, {"GT", 28}, {"HR", 21}, {"HU", 28},
    {"IE", 22}, {"IL", 23}, {"IQ", 23}, {"IS", 26}, {"IT", 27}, {"JO", 30}, {"KW", 30}, {"KZ", 20},
    {"LB", 28}, {"LC", 32}, {"LI", 21}, {"LT", 20}, {"LU", 20}, {"LV", 21}, {"MC", 27}, {"MD", 24},
    {"ME", 22}, {"MK", 19}, {"MR", 27}, {"MT", 31}, {"MU", 30}, {"NL", 18}, {"NO", 15}, {"PK", 24},
    {"PL", 28}, {"PS", 29}, {"PT", 25}, {"QA", 29}, {"RO", 24}, {"RS", 22}, {"SA", 24}, {"SC", 31},
    {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27}, {"ST", 25}, {"SV", 28}, {"TL", 23}, {"TN", 24},
    {"TR", 26}, {"UA", 29}, {"VA", 22}, {"VG", 24}, {"XK", 20},
};

char upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c; }

}  // namespace

int iban_country_length(char a, char b) {
  a = upper(a);
  b = upper(b);
  for (const auto& c : kIbanCountries)
    if (c.code[0] == a && c.code[1] == b) return c.length;
  return 0;
}

bool iban_valid(std::string_view s) {
  if (s.size() < 15 || s.size() > 34) return false;
  const char c0 = upper(s[0]), c1 = upper(s[1]);
  if (!is_alpha(c0) || !is_alpha(c1) || !is_digit(s[2]) || !is_digit(s[3])) return false;
  bool known = false;
  for (const auto& c : kIbanCountries) {
    if (c.code[0] == c0 && c.code[1] == c1) {
      if (c.length != s.size()) return false;
      known = true;
      break;
    }
  }
  if (!known) return false;
  // Move the first four characters to the end; letters become 10..35; the number mod 97 is 1.
  int rem = 0;
  auto feed = [&](char c) -> bool {
    c = upper(c);
    if (is_digit(c)) {
      rem = (rem * 10 + (c - '0')) % 97;
    } else if (c >= 'A' && c <= 'Z') {
      rem = (rem * 100 + (c - 'A' + 10)) % 97;
    } else {
      return false;
    }
    return true;
  };
  for (size_t i = 4; i < s.size(); ++i)
    if (!feed(s[i])) return false;
  for (size_t i = 0; i < 4; ++i)
    if (!feed(s[i])) return false;
  return rem == 1;
}

bool ssn_valid(std::string_view d) {
  if (d.size() != 9) return false;
  for (char c : d)
    if (!is_digit(c)) return false;
  const int area = prefix_value(d, 3);
  const int group = prefix_value(d.substr(3), 2);
  const int serial = prefix_value(d.substr(5), 4);
  if (area == 0 || area == 666 || area >= 900) return false;
  return group != 0 && serial != 0;
}

bool ipv4_valid(std::string_view t) {
  int parts = 0;
  size_t i = 0;
  while (parts < 4) {
    size_t start = i;
    int v = 0;
    while (i < t.size() && is_digit(t[i]) && i - start < 3) v = v * 10 + (t[i++] - '0');
    const size_t len = i - start;
    if (len == 0 || v > 255 || (len > 1 && t[start] == '0')) return false;
    ++parts;
    if (parts == 4) break;
    if (i >= t.size() || t[i] != '.') return false;
    ++i;
  }
  return i == t.size();
}

bool ipv6_valid(std::string_view t) {
  if (t.size() < 2 || t.size() > 45) return false;
  int groups = 0;
  bool compressed = false;
  size_t i = 0;
  if (t.starts_with("::")) {
    compressed = true;
    i = 2;
    if (i == t.size()) return true;
  } else if (t[0] == ':') {
    return false;
  }
  while (i < t.size()) {
    // A trailing dotted quad counts as two groups.
    size_t j = i;
    while (j < t.size() && is_hex(t[j])) ++j;
    if (j < t.size() && t[j] == '.') {
      if (!ipv4_valid(t.substr(i))) return false;
      groups += 2;
      i = t.size();
      break;
    }
    const size_t len = j - i;
    if (len == 0 || len > 4) return false;
    ++groups;
    i = j;
    if (i == t.size()) break;
    if (t[i] != ':') return false;
    ++i;
    if (i < t.size() && t[i] == ':') {
      if (compressed) return false;
      compressed = true;
      ++i;
      if (i == t.size()) break;
    } else if (i == t.size()) {
      return false;  // a single trailing colon
    }
  }
  return compressed ? groups <= 7 : groups == 8;
}

double shannon_entropy(std::string_view text) {
  if (text.empty()) return 0;
  // H = log2(n) - sum(c * log2(c)) / n, with c * log2(c) from a table for small counts: this runs
  // on every long token of a prompt, so no per-symbol log2 call.
  static const auto kCLogC = [] {
    std::array<double, 256> t{};
    for (int c = 1; c < 256; ++c) t[c] = c * std::log2(static_cast<double>(c));
    return t;
  }();
  // Counts only over the range of byte values present (a token's are 43..122 of 256), summed in
  // the same order as over all 256.
  unsigned lo = 255, hi = 0;
  for (unsigned char c : text) {
    lo = std::min<unsigned>(lo, c);
    hi = std::max<unsigned>(hi, c);
  }
  std::array<uint32_t, 256> freq;
  std::fill(freq.begin() + lo, freq.begin() + hi + 1, 0u);
  for (unsigned char c : text) ++freq[c];
  double sum = 0;
  for (unsigned v = lo; v <= hi; ++v) {
    const uint32_t f = freq[v];
    if (f == 0) continue;
    sum += f < 256 ? kCLogC[f] : f * std::log2(static_cast<double>(f));
  }
  const double n = static_cast<double>(text.size());
  return std::log2(n) - sum / n;
}

long base64url_decode(std::string_view in, std::span<char> out) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-' || c == '+') return 62;
    if (c == '_' || c == '/') return 63;
    return -1;
  };
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  if (in.size() % 4 == 1) return -1;
  size_t n = 0;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    const int v = value(c);
    if (v < 0) return -1;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (n >= out.size()) return -1;
      out[n++] = static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return static_cast<long>(n);
}

bool jwt_header_valid(std::string_view seg) {
  std::array<char, 512> buf;
  if (seg.size() > 680) return false;
  const long n = base64url_decode(seg, buf);
  if (n < 2) return false;
  std::string_view json(buf.data(), static_cast<size_t>(n));
  size_t a = 0;
  while (a < json.size() &&
         (json[a] == ' ' || json[a] == '\n' || json[a] == '\r' || json[a] == '\t'))
    ++a;
  if (a >= json.size() || json[a] != '{') return false;
  if (json.find('}') == std::string_view::npos) return false;
  return json.find("\"alg\"") != std::string_view::npos;
}

bool escaped_at(std::string_view t, size_t i) {
  if (i >= t.size() || t[i] != '\\') return false;
  size_t run = 1;
  while (run <= i && t[i - run] == '\\') ++run;
  return run % 2 == 1;
}

bool context_word_at(std::string_view text, size_t i, size_t to,
                     std::span<const std::string_view> words) {
  const char c = upper(text[i]);
  if (!(is_alpha(c) || c == '#')) return false;
  if (is_alpha(char_before(text, i))) return false;
  for (std::string_view w : words) {
    if (upper(w[0]) != c || i + w.size() > to) continue;
    size_t k = 1;
    while (k < w.size() && upper(text[i + k]) == upper(w[k])) ++k;
    if (k != w.size()) continue;
    if (i + w.size() >= text.size() || !is_alpha(text[i + w.size()])) return true;
  }
  return false;
}

bool has_context_word(std::string_view text, size_t from, size_t to,
                      std::span<const std::string_view> words) {
  to = std::min(to, text.size());
  if (from >= to) return false;
  // The first letters of the words (upper-cased): most word starts in the window match none, and
  // are dismissed with one bit test instead of a loop over the list.
  uint64_t firsts = 0;
  for (std::string_view w : words) firsts |= uint64_t{1} << (static_cast<unsigned char>(upper(w[0])) & 63);
  for (size_t i = from; i < to; ++i) {
    const char c = upper(text[i]);
    // Only where a word starts.
    if (!((firsts >> (static_cast<unsigned char>(c) & 63)) & 1)) continue;
    if (context_word_at(text, i, to, words)) return true;
  }
  return false;
}

}  // namespace tiergate::privacy
