// The byte pass (detectors.h: scan_numbers_and_tokens): numbers, IPv6, token runs and secret
// assignments found with SSE2 block masks and a byte-class table, then refined with the same
// refiners as the Hyperscan candidates. Every shortcut here rejects only what the refiner behind it
// would reject (tests/unit/privacy/byte_pass_test.cpp).

#include <emmintrin.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <span>
#include <utility>

#include "route/signals/privacy/detectors.h"
#include "route/signals/privacy/refiners.h"
#include "route/signals/privacy/validators.h"

namespace tiergate::privacy {
namespace {

using R = Refiner;
using T = EntityType;

enum : uint8_t { kDigit = 1, kToken = 2, kNumSep = 4, kLetter = 8, kStreetStart = 16 };

constexpr std::array<uint8_t, 256> kClass = [] {
  std::array<uint8_t, 256> c{};
  for (int i = '0'; i <= '9'; ++i) c[i] = kDigit | kToken;
  for (int i = 'a'; i <= 'z'; ++i) c[i] = kToken | kLetter;
  for (int i = 'A'; i <= 'Z'; ++i) c[i] = kToken | kLetter;
  // What may start the word after a house number: a capital, an ordinal's digit, the first
  // letter of a French street word (rue, avenue, boulevard, place, chemin, impasse, quai, allee).
  for (int i = 'A'; i <= 'Z'; ++i) c[i] |= kStreetStart;
  for (int i = '0'; i <= '9'; ++i) c[i] |= kStreetStart;
  for (char ch : std::string_view("rabpciq")) c[static_cast<unsigned char>(ch)] |= kStreetStart;
  c['+'] = kToken;
  c['/'] = kToken | kNumSep;
  c['_'] = kToken;
  c['-'] = kToken | kNumSep;
  c[' '] = kNumSep;
  c['.'] = kNumSep;
  c['('] = kNumSep;
  c[')'] = kNumSep;
  return c;
}();

uint8_t cls(std::string_view t, size_t i) {
  return i < t.size() ? kClass[static_cast<unsigned char>(t[i])] : 0;
}
bool digit(std::string_view t, size_t i) { return (cls(t, i) & kDigit) != 0; }
bool letter(std::string_view t, size_t i) { return (cls(t, i) & kLetter) != 0; }
// A loop, not string_view::find: find calls memchr, which costs more than the compare for the
// short sets used here (it was the largest single item in the profile). Always inlined: with a
// literal set the loop unrolls into a few compares.
[[gnu::always_inline]] inline bool is_one_of(char c, std::string_view set) {
  if (c == '\0') return false;
  for (char x : set)
    if (x == c) return true;
  return false;
}
char low(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool istarts(std::string_view t, size_t i, std::string_view w) {
  if (i + w.size() > t.size()) return false;
  for (size_t k = 0; k < w.size(); ++k)
    if (low(t[i + k]) != w[k]) return false;
  return true;
}

struct Ctx {
  std::string_view t;
  const RefineOptions& o;
  const std::array<bool, kEntityTypeCount>& enabled;
  std::vector<Finding>& out;
  bool on(T type) const { return enabled[static_cast<size_t>(type)]; }
  void add(T type, size_t b, size_t e) { out.push_back(Finding{type, b, e}); }
};

// The end of a numeric region starting at `b`: digits with single separators between them
// (space, - and . and parentheses around a group).
size_t region_end(std::string_view t, size_t b) {
  size_t j = b, last_digit = b;
  bool paren = false;
  if (j < t.size() && t[j] == '+') ++j;
  while (j < t.size()) {
    const char c = t[j];
    if (digit(t, j)) {
      last_digit = ++j;
      continue;
    }
    const char n = j + 1 < t.size() ? t[j + 1] : '\0';
    const bool n_digit = n >= '0' && n <= '9';
    if (c == '(' && (n_digit || n == '+')) {
      paren = true;
      ++j;
    } else if (c == ')' && paren && (n == ' ' || n == '-' || n_digit)) {
      paren = false;
      ++j;
    } else if ((c == ' ' || c == '-' || c == '.') && (n_digit || n == '(')) {
      ++j;
    } else {
      break;
    }
  }
  return last_digit;
}

// True when the region that region_end would read from the digit run t[d, de) is longer than
// the run: a separator or parenthesis after it that region_end may step over, or a '(' or '+'
// before it. Conservative: a true only costs the full region_end.
bool region_goes_on(std::string_view t, size_t d, size_t de) {
  if (d > 0 && (t[d - 1] == '(' || t[d - 1] == '+')) return true;
  if (de >= t.size()) return false;
  const char ch = t[de];
  if (ch != ' ' && ch != '-' && ch != '.' && ch != '(' && ch != ')') return false;
  const char nx = de + 1 < t.size() ? t[de + 1] : '\0';
  return (nx >= '0' && nx <= '9') || nx == '(' || nx == '+' || nx == ' ' || nx == '-';
}

// Digits, separators and group ends of one region: card, phone, SSN, IPv4 candidates.
void scan_region(Ctx& c, size_t rb, size_t re) {
  const std::string_view t = c.t;
  std::array<size_t, 64> ends;  // not zeroed: only [0, n) is read
  size_t n = 0;
  for (size_t k = rb + 1; k <= re && n < ends.size(); ++k)
    if (digit(t, k - 1) && (k == re || !digit(t, k))) ends[n++] = k;
  size_t digits = 0;
  for (size_t k = rb; k < re; ++k) digits += digit(t, k);

  // Whether a phone context word lies within 40 bytes before the region or inside it: searched
  // once, when a candidate first needs it, instead of at every start and end the sweep tries.
  refiners::PhoneContext phone_context{rb > 40 ? rb - 40 : 0, re};
  // Longest first per type; after a finding, only what lies before it.
  auto sweep = [&](T type, R refiner, size_t window, size_t min_digits) {
    if (!c.on(type) || digits < min_digits) return;
    size_t limit = re;
    for (size_t i = n; i-- > 0;) {
      const size_t e = ends[i];
      if (e > limit) continue;
      size_t s = rb;
      if (e - s > window) {
        s = e - window;
        while (s < e && !(digit(t, s) && !digit(t, s - 1))) ++s;  // a group start
        if (s > 0 && (t[s - 1] == '(' || t[s - 1] == '+')) --s;
      }
      size_t ob = 0, oe = 0;
      const bool ok = refiner == R::kPhone ? refiners::refine_phone(t, s, e, &ob, &phone_context)
                                           : refine(refiner, t, s, e, c.o, &ob, &oe);
      if (refiner == R::kPhone) oe = e;
      if (ok) {
        c.add(type, ob, oe);
        limit = ob;
      }
    }
  };
  sweep(T::kCard, R::kCard, 40, 13);
  sweep(T::kPhone, R::kPhone, 28, 7);

  for (size_t i = 0; i < n; ++i) {
    const size_t e = ends[i];
    size_t ob = 0, oe = 0;
    // SSN: ddd?dd?dddd with one separator kind, or nine bare digits.
    if (c.on(T::kSsn) && e >= rb + 9) {
      if (e >= rb + 11 && !digit(t, e) && !letter(t, e)) {
        const size_t s = e - 11;
        const bool shape = digit(t, s) && digit(t, s + 1) && digit(t, s + 2) &&
                           (t[s + 3] == ' ' || t[s + 3] == '-') && digit(t, s + 4) &&
                           digit(t, s + 5) && (t[s + 6] == ' ' || t[s + 6] == '-') &&
                           digit(t, s + 7) && digit(t, s + 8) && digit(t, s + 9) &&
                           digit(t, s + 10) && (s == 0 || !digit(t, s - 1));
        if (shape && refine(R::kSsnSeparated, t, s, e, c.o, &ob, &oe)) c.add(T::kSsn, ob, oe);
      }
      const size_t s = e - 9;
      bool bare = !letter(t, e) && (s == 0 || !((cls(t, s - 1) & (kDigit | kLetter))));
      for (size_t k = s; k < e && bare; ++k) bare = digit(t, k);
      if (bare && refine(R::kSsnBare, t, s, e, c.o, &ob, &oe)) c.add(T::kSsn, ob, oe);
    }
    // IPv4: back over digits and dots from the group end.
    if (c.on(T::kIpAddress) && i >= 3 && !letter(t, e)) {
      size_t s = e;
      while (s > rb && s + 15 > e && (digit(t, s - 1) || t[s - 1] == '.')) --s;
      int dots = 0;
      for (size_t k = s; k < e; ++k) dots += t[k] == '.';
      if (dots == 3 && digit(t, s) && refine(R::kIpv4, t, s, e, c.o, &ob, &oe))
        c.add(T::kIpAddress, ob, oe);
    }
  }
}

// IBAN at a digit run preceded by two letters: read exactly the country's length.
void scan_iban(Ctx& c, size_t i) {
  const std::string_view t = c.t;
  if (i < 2 || !letter(t, i - 2) || !letter(t, i - 1) || !digit(t, i + 1)) return;
  if (is_alnum(char_before(t, i - 2))) return;
  const int len = iban_country_length(t[i - 2], t[i - 1]);
  if (len == 0) return;
  size_t k = i - 2;
  int got = 0;
  while (k < t.size() && got < len) {
    if (is_alnum(t[k])) {
      ++got;
      ++k;
    } else if ((t[k] == ' ' || t[k] == '-') && got > 0 && k + 1 < t.size() && is_alnum(t[k + 1])) {
      ++k;
    } else {
      break;
    }
  }
  size_t ob = 0, oe = 0;
  if (got == len && refine(R::kIban, t, i - 2, k, c.o, &ob, &oe)) c.add(T::kIban, ob, oe);
}

constexpr std::string_view kUsSuffixes[] = {
    "street",  "st",   "avenue",  "ave",   "av",       "road",    "rd",      "boulevard", "blvd",
    "lane",    "ln",   "drive",   "dr",    "court",    "ct",      "way",     "place",     "pl",
    "terrace", "ter",  "circle",  "cir",   "parkway",  "pkwy",    "highway", "hwy",       "square",
    "sq",      "loop", "trail",   "trl",   "crescent", "cres",    "close",   "alley",     "plaza",
    "row",     "mews", "gardens", "grove", "hill",     "broadway"};

// Length of a street suffix word at t[i] (followed by a non-letter), or 0.
size_t suffix_at(std::string_view t, size_t i) {
  for (auto s : kUsSuffixes)
    if (istarts(t, i, s) && !letter(t, i + s.size())) return s.size();
  return 0;
}

// A street-name word at t[i]: Capitalised (letters, ' and -, maybe a final '.'), or an ordinal
// (5th, 21st). Returns its length, or 0.
size_t street_word(std::string_view t, size_t i) {
  if (i < t.size() && t[i] >= 'A' && t[i] <= 'Z') {
    size_t k = i + 1;
    while (k < t.size() && (letter(t, k) || t[k] == '\'' || t[k] == '-')) ++k;
    if (k < t.size() && t[k] == '.') ++k;
    return k - i;
  }
  size_t k = i;
  while (k < t.size() && k - i < 3 && digit(t, k)) ++k;
  if (k == i) return 0;
  for (std::string_view o : {"st", "nd", "rd", "th"})
    if (istarts(t, k, o) && !letter(t, k + 2)) return k + 2 - i;
  return 0;
}

// 1600 Pennsylvania Avenue / 221B Baker Street / 350 5th Ave: house number, 1-4 words, suffix.
void scan_us_address(Ctx& c, size_t i, size_t digits_end) {
  const std::string_view t = c.t;
  if (digits_end - i > 5 || is_alnum(char_before(t, i))) return;
  size_t k = digits_end;
  if (k < t.size() && letter(t, k) && !letter(t, k + 1)) ++k;  // 221B
  if (k < t.size() && t[k] == ',') ++k;
  size_t best = 0;
  for (int words = 0; words < 5; ++words) {
    if (k >= t.size() || t[k] != ' ') break;
    const size_t w = k + 1;
    if (words >= 1) {
      if (const size_t sl = suffix_at(t, w)) {
        size_t e = w + sl;
        if (e < t.size() && t[e] == '.') ++e;
        best = e;
      }
    }
    if (words == 4) break;
    const size_t wl = street_word(t, w);
    if (wl == 0) break;
    k = w + wl;
  }
  size_t ob = 0, oe = 0;
  if (best && refine(R::kStreetAddress, t, i, best, c.o, &ob, &oe))
    c.add(T::kStreetAddress, i, best);
}

// 10 rue de Rivoli / 5, avenue des Champs
void scan_fr_address(Ctx& c, size_t i, size_t digits_end) {
  const std::string_view t = c.t;
  if (digits_end - i > 4 || is_alnum(char_before(t, i))) return;
  size_t k = digits_end;
  if (k < t.size() && t[k] == ',') ++k;
  if (k >= t.size() || t[k] != ' ') return;
  ++k;
  static constexpr std::string_view kFr[] = {"rue",
                                             "avenue",
                                             "boulevard",
                                             "bd",
                                             "place",
                                             "chemin",
                                             "impasse",
                                             "quai",
                                             "allee",
                                             "all\xc3\xa9"
                                             "e"};
  if (k >= t.size() || !is_one_of(low(t[k]), "rabpciq")) return;
  size_t kw = 0;
  for (std::string_view w : kFr)
    if (istarts(t, k, w) && k + w.size() < t.size() && t[k + w.size()] == ' ') kw = w.size();
  if (kw == 0) return;
  k += kw + 1;
  static constexpr std::string_view kFrParticles[] = {"de la ", "de l'", "du ",
                                                      "des ",   "de ",   "d'"};
  for (std::string_view p : kFrParticles)
    if (istarts(t, k, p)) {
      k += p.size();
      break;
    }
  size_t end = 0;
  for (int words = 0; words < 3; ++words) {
    if (k >= t.size() || !(t[k] >= 'A' && t[k] <= 'Z')) break;
    size_t e = k + 1;
    while (e < t.size() && (letter(t, e) || t[e] == '-' || t[e] == '\'')) ++e;
    end = e;
    if (e + 1 >= t.size() || t[e] != ' ') break;
    k = e + 1;
  }
  if (end) c.add(T::kStreetAddress, i, end);
}

// Hauptstraße 5 / Lindenweg 12a: a Capitalised word with a German street suffix, then the number.
void scan_de_address(Ctx& c, size_t i, size_t digits_end) {
  const std::string_view t = c.t;
  if (digits_end - i > 4 || i < 2 || t[i - 1] != ' ') return;
  size_t e = digits_end;
  if (e < t.size() && t[e] >= 'a' && t[e] <= 'z') ++e;
  if (e < t.size() && is_alnum(t[e])) return;
  size_t w = i - 1;  // the space
  static constexpr std::string_view kDe[] = {
      "stra\xc3\x9f"
      "e",
      "strasse",
      "str.",
      "weg",
      "platz",
      "allee",
      "gasse",
      "damm",
      "ring",
      "ufer"};
  if (!is_one_of(t[w - 1], "e.gzmr")) return;  // the last letter of every suffix
  // The street name is one Capitalised word: tested first, it turns away "the 30", "are 5".
  size_t s = w;
  while (s > 0 && char_before(t, s) == t[s - 1] &&  // not the n of an escaped newline
         (letter(t, s - 1) || static_cast<unsigned char>(t[s - 1]) >= 0x80 ||
          (t[s - 1] == '.' && s == w)))
    --s;
  if (s == w || !(t[s] >= 'A' && t[s] <= 'Z') || is_alnum(char_before(t, s))) return;
  bool suffix = false;
  for (std::string_view suf : kDe)
    suffix = suffix || (w > suf.size() && t.substr(w - suf.size(), suf.size()) == suf);
  if (!suffix) return;
  const std::string_view word = t.substr(s, w - s);
  for (std::string_view suf : kDe)
    if (word.size() > suf.size() && word.ends_with(suf)) {
      c.add(T::kStreetAddress, s, e);
      return;
    }
}

// Calle Mayor 12 / Via Roma 1 / Avenida Paulista, 12: keyword, maybe a particle, one or two
// Capitalised words, maybe a comma, the number. Read backwards from the number, word by word.
void scan_es_address(Ctx& c, size_t i, size_t digits_end) {
  const std::string_view t = c.t;
  if (digits_end - i > 4 || i < 6 || t[i - 1] != ' ' || (!is_alpha(t[i - 2]) && t[i - 2] != ','))
    return;
  if (digits_end < t.size() && is_alnum(t[digits_end])) return;
  {
    // The street name right before the number is Capitalised: most numbers fail here.
    size_t q = t[i - 2] == ',' ? i - 2 : i - 1;
    while (q > 0 && is_alpha(t[q - 1])) --q;
    if (!(t[q] >= 'A' && t[q] <= 'Z')) return;
  }
  static constexpr std::string_view kKeywords[] = {"calle", "avenida", "plaza", "paseo",  "carrer",
                                                   "rua",   "via",     "viale", "piazza", "corso"};
  static constexpr std::string_view kParticles[] = {"de la", "del", "de", "di",
                                                    "della", "do",  "da"};
  // Up to five words before the number: [start, end) pairs, nearest first.
  std::array<std::pair<size_t, size_t>, 5> words;  // only [0, n) is read
  size_t n = 0, k = i - 1;                         // t[k] is the space before the number
  if (t[k - 1] == ',') --k;
  while (n < words.size() && k > 0 && (t[k] == ' ' || t[k] == ',')) {
    const size_t e = k;
    size_t s = e;
    while (s > 0 && is_alpha(t[s - 1]) && char_before(t, s) == t[s - 1]) --s;
    if (s == e) break;
    words[n++] = {s, e};
    if (s == 0 || t[s - 1] != ' ') break;
    k = s - 1;
  }
  auto is_one = [&](std::pair<size_t, size_t> w, std::span<const std::string_view> list) {
    const std::string_view v = t.substr(w.first, w.second - w.first);
    for (auto x : list)
      if (v.size() == x.size() && istarts(t, w.first, x)) return true;
    return false;
  };
  auto capital = [&](std::pair<size_t, size_t> w) {
    return t[w.first] >= 'A' && t[w.first] <= 'Z';
  };
  // names: words[0] (and words[1]); then an optional particle; then the keyword.
  for (size_t names = 1; names <= 2 && names < n; ++names) {
    bool ok = true;
    for (size_t w = 0; w < names; ++w) ok = ok && capital(words[w]);
    if (!ok) break;
    size_t kwi = names;
    if (kwi < n && is_one(words[kwi], kParticles)) ++kwi;
    if (kwi < n && is_one(words[kwi], kKeywords) && !is_alpha(char_before(t, words[kwi].first))) {
      c.add(T::kStreetAddress, words[kwi].first, digits_end);
      return;
    }
  }
}

// IPv6 around the colon at t[i]: the run of hex digits, colons and dots (for an embedded IPv4)
// with at least two colons, longest valid end first. Returns the end of the run.
size_t scan_ipv6(Ctx& c, size_t i) {
  const std::string_view t = c.t;
  auto part = [&](size_t k) { return is_hex(t[k]) || t[k] == ':' || t[k] == '.'; };
  size_t s = i, e = i;
  while (s > 0 && i - s < 45 && part(s - 1)) --s;
  while (e < t.size() && e - s < 45 && part(e)) ++e;
  int colons = 0;
  for (size_t k = s; k < e; ++k) colons += t[k] == ':';
  if (colons < 2) return e;
  while (s < i && t[s] == '.') ++s;
  // What refine_ipv6 would reject at every end, checked once: the character before the run, a
  // run without a decimal digit ("std::map", "abc::def"), and a run with neither "::" nor the
  // six colons of a full address (times, "a:b:c").
  const char p = char_before(t, s);
  if (is_alnum(p) || p == ':' || p == '.' || p == '_') return e;
  bool has_digit = false, double_colon = false;
  for (size_t k = s; k < e; ++k) {
    has_digit = has_digit || digit(t, k);
    double_colon = double_colon || (t[k] == ':' && k + 1 < e && t[k + 1] == ':');
  }
  if (!has_digit || (!double_colon && colons < 6)) return e;
  for (size_t end = e; end > i; --end) {
    size_t ob = 0, oe = 0;
    if (refine(R::kIpv6, t, s, end, c.o, &ob, &oe)) {
      c.add(T::kIpAddress, ob, oe);
      break;
    }
  }
  return e;
}

}  // namespace

namespace {

// Per 64 bytes: which are digits, ':' and token characters, with SSE2 (x86-64 baseline).
struct BlockMasks {
  uint64_t digit = 0, colon = 0, equals = 0, token = 0;
  // What may stand right before the separator of a secret assignment (assignment_at): the last
  // letter of a key word (s d e n t y, either case), a space, a tab or a quote.
  uint64_t key_end = 0;
  uint64_t p = 0, a = 0, s = 0;  // 'p', 'a', 's' in either case: "pass" starts
};

BlockMasks block_masks(const char* p) {
  BlockMasks m;
  for (int q = 0; q < 4; ++q) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * q));
    const __m128i dig = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('0' - 1)),
                                      _mm_cmplt_epi8(x, _mm_set1_epi8('9' + 1)));
    const __m128i lx = _mm_or_si128(x, _mm_set1_epi8(0x20));
    const __m128i let = _mm_and_si128(_mm_cmpgt_epi8(lx, _mm_set1_epi8('a' - 1)),
                                      _mm_cmplt_epi8(lx, _mm_set1_epi8('z' + 1)));
    const __m128i sym = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('+')), _mm_cmpeq_epi8(x, _mm_set1_epi8('/'))),
        _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('_')), _mm_cmpeq_epi8(x, _mm_set1_epi8('-'))));
    const __m128i col = _mm_cmpeq_epi8(x, _mm_set1_epi8(':'));
    const __m128i eq = _mm_cmpeq_epi8(x, _mm_set1_epi8('='));
    const int shift = 16 * q;
    auto lis = [&](char ch) { return _mm_cmpeq_epi8(lx, _mm_set1_epi8(ch)); };
    auto is = [&](char ch) { return _mm_cmpeq_epi8(x, _mm_set1_epi8(ch)); };
    const __m128i key_letter = _mm_and_si128(
        let, _mm_or_si128(_mm_or_si128(_mm_or_si128(lis('s'), lis('d')), lis('e')),
                          _mm_or_si128(_mm_or_si128(lis('n'), lis('t')), lis('y'))));
    const __m128i key_end = _mm_or_si128(
        key_letter, _mm_or_si128(_mm_or_si128(is(' '), is('\t')), _mm_or_si128(is('"'), is('\''))));
    m.key_end |= static_cast<uint64_t>(static_cast<uint16_t>(_mm_movemask_epi8(key_end))) << shift;
    m.p |= static_cast<uint64_t>(static_cast<uint16_t>(_mm_movemask_epi8(lis('p')))) << shift;
    m.a |= static_cast<uint64_t>(static_cast<uint16_t>(_mm_movemask_epi8(lis('a')))) << shift;
    m.s |= static_cast<uint64_t>(static_cast<uint16_t>(_mm_movemask_epi8(lis('s')))) << shift;
    m.digit |= static_cast<uint64_t>(static_cast<uint16_t>(_mm_movemask_epi8(dig))) << shift;
    m.colon |= static_cast<uint64_t>(static_cast<uint16_t>(_mm_movemask_epi8(col))) << shift;
    m.equals |= static_cast<uint64_t>(static_cast<uint16_t>(_mm_movemask_epi8(eq))) << shift;
    m.token |= static_cast<uint64_t>(static_cast<uint16_t>(
                   _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(dig, let), sym))))
               << shift;
  }
  return m;
}

// Bits of positions that start `len` (1..64) consecutive set bits in the 128-bit window
// lo | hi << 64, for the low 64 positions.
uint64_t run_starts(uint64_t lo, uint64_t hi, size_t len) {
  unsigned __int128 w = static_cast<unsigned __int128>(hi) << 64 | lo;
  unsigned __int128 r = w;
  size_t have = 1;
  while (have * 2 <= len) {
    r &= r >> have;
    have *= 2;
  }
  if (have < len) r &= r >> (len - have);  // runs of `have` starting at i and at i + len - have
  return static_cast<uint64_t>(r);
}

}  // namespace

void scan_numbers_and_tokens(std::string_view t, const RefineOptions& o,
                             const std::array<bool, kEntityTypeCount>& enabled,
                             std::vector<Finding>& out) {
  Ctx c{t, o, enabled, out};
  const bool numbers = c.on(T::kCard) || c.on(T::kPhone) || c.on(T::kSsn) || c.on(T::kIpAddress) ||
                       c.on(T::kIban) || c.on(T::kStreetAddress);
  const bool tokens = c.on(T::kHighEntropy);
  const bool ipv6 = c.on(T::kIpAddress);
  const bool passwords = c.on(T::kPassword), api_keys = c.on(T::kApiKey);
  const size_t n = t.size();
  const size_t min_len = std::min<size_t>(std::max<size_t>(o.entropy_min_length, 1), 64);
  size_t region_done = 0, v6_done = 0, token_done = 0;

  // One digit run starting at d: IBAN, addresses, and the numeric region it begins.
  auto on_digit_run = [&](size_t d, size_t de) {
    if (c.on(T::kIban) && d >= 2 && letter(t, d - 1)) scan_iban(c, d);
    if (c.on(T::kStreetAddress) && de - d <= 5) {
      // The first tests of the four readers, shared: after the number a street word may follow
      // (US, FR: [letter][,] then a space and a capital, a digit or r/a/b/p/c/i/q), before it a
      // street name may stand (DE, ES: a space). Most numbers pass neither.
      const char a = de < n ? t[de] : '\0', b = de + 1 < n ? t[de + 1] : '\0';
      const bool word_after = (a == ' ' && (cls(t, de + 1) & kStreetStart)) || (a == ',' && b == ' ') ||
                              (letter(t, de) && !letter(t, de + 1));
      if (word_after) {
        scan_us_address(c, d, de);
        scan_fr_address(c, d, de);
      }
      if (d >= 2 && t[d - 1] == ' ') {
        scan_de_address(c, d, de);
        scan_es_address(c, d, de);
      }
    }
    if (d >= region_done && de - d < 7 && !region_goes_on(t, d, de)) {
      // Most numbers: a short run that no separator extends, so its region is the run itself
      // (fewer than 7 digits, no dot): nothing to check.
      region_done = de;
    } else if (d >= region_done) {
      size_t rb = d;
      if (rb > 0 && (t[rb - 1] == '(' || t[rb - 1] == '+')) --rb;
      if (rb > 0 && t[rb] == '(' && t[rb - 1] == '+') --rb;
      const size_t re = region_end(t, rb);
      // Phones, cards and SSNs have 7+ digits; an IPv4 address has three dots. A date alone
      // (2024-03-15, 15.01.2024, 01 15 2024: 8 digits in 4-2-2 or 2-2-4) is none of them: the
      // phone check rejects its shape, and without its first or last group 6 digits are left.
      size_t digits = 0, dots = 0, groups = 0;
      std::array<uint8_t, 3> sizes{};
      for (size_t k = d; k < re; ++k) {
        if (digit(t, k)) {
          if (!digit(t, k - 1)) ++groups;
          if (groups <= 3) ++sizes[groups - 1];
          ++digits;
        }
        dots += t[k] == '.';
      }
      const bool date = rb == d && digits == 8 && groups == 3 &&
                        ((sizes[0] == 4 && sizes[1] == 2) || (sizes[0] == 2 && sizes[2] == 4));
      if ((digits >= 7 || dots >= 3) && !date) scan_region(c, rb, re);
      region_done = re;
    }
  };
  // The token run containing position p (>= min_len long): the generic-secret check.
  auto on_long_token = [&](size_t p) {
    size_t b = p, e = p;
    while (b > 0 && (cls(t, b - 1) & kToken)) --b;
    while (e < n && (cls(t, e) & kToken)) ++e;
    token_done = e;
    size_t pe = e;
    while (pe < n && t[pe] == '=') ++pe;
    size_t ob = 0, oe = 0;
    if (refine(R::kHighEntropy, t, b, pe, o, &ob, &oe)) c.add(T::kHighEntropy, ob, oe);
  };

  // 64 bytes at a time; the last block is padded with zeros (no class).
  std::array<char, 64> tail{};
  auto masks_at = [&](size_t pos) -> BlockMasks {
    if (pos >= n) return {};
    if (pos + 64 <= n) return block_masks(t.data() + pos);
    tail.fill('\0');
    std::memcpy(tail.data(), t.data() + pos, n - pos);
    return block_masks(tail.data());
  };
  BlockMasks cur = masks_at(0);
  uint64_t prev_digit_top = 0;    // was the byte before this block a digit
  uint64_t prev_key_end_top = 0;  // ... a key_end character
  for (size_t pos = 0; pos < n; pos += 64) {
    const BlockMasks next = masks_at(pos + 64);
    if (numbers) {
      uint64_t starts = cur.digit & ~((cur.digit << 1) | prev_digit_top);
      while (starts) {
        const size_t off = static_cast<size_t>(__builtin_ctzll(starts));
        starts &= starts - 1;
        // The run's end from the masks when it ends in this block or the next.
        const unsigned __int128 digits =
            (static_cast<unsigned __int128>(next.digit) << 64 | cur.digit) >> off;
        const uint64_t lo = static_cast<uint64_t>(~digits);
        size_t de = pos + off;
        if (lo != 0) {
          de += static_cast<size_t>(__builtin_ctzll(lo));
        } else {
          while (de < n && digit(t, de)) ++de;
        }
        on_digit_run(pos + off, std::min(de, n));
      }
    }
    if (ipv6) {
      uint64_t colons = cur.colon;
      while (colons) {
        const size_t i = pos + static_cast<size_t>(__builtin_ctzll(colons));
        colons &= colons - 1;
        if (i >= v6_done) v6_done = scan_ipv6(c, i);
      }
    }
    if (passwords || api_keys) {
      uint64_t seps = (cur.colon | cur.equals) & (cur.key_end << 1 | prev_key_end_top);
      while (seps) {
        const size_t q = pos + static_cast<size_t>(__builtin_ctzll(seps));
        seps &= seps - 1;
        size_t ob = 0, oe = 0;
        T type{};
        if (refiners::assignment_at(t, q, passwords, api_keys, &ob, &oe, &type)) c.add(type, ob, oe);
      }
    }
    if (passwords) {
      // "pass" in any case: the flag "--pass[word]" and "password is X".
      uint64_t pass = cur.p & (cur.a >> 1 | next.a << 63) & (cur.s >> 2 | next.s << 62) &
                      (cur.s >> 3 | next.s << 61);
      while (pass) {
        const size_t i = pos + static_cast<size_t>(__builtin_ctzll(pass));
        pass &= pass - 1;
        size_t ob = 0, oe = 0;
        if (refiners::password_word_at(t, i, &ob, &oe)) c.add(T::kPassword, ob, oe);
      }
    }
    if (tokens) {
      uint64_t long_runs = run_starts(cur.token, next.token, min_len);
      while (long_runs) {
        const size_t off = static_cast<size_t>(__builtin_ctzll(long_runs));
        const size_t p = pos + off;
        long_runs &= long_runs - 1;
        if (p < token_done) continue;
        // A run that starts here and ends within 64 bytes, without a digit, is no secret
        // (refine_high_entropy wants a digit): most are identifiers and paths. Told from the masks.
        const uint64_t rest = static_cast<uint64_t>(
            ~((static_cast<unsigned __int128>(next.token) << 64 | cur.token) >> off));
        if (rest != 0 && (p == 0 || !(cls(t, p - 1) & kToken))) {
          const size_t len = static_cast<size_t>(__builtin_ctzll(rest));
          const uint64_t digits = static_cast<uint64_t>(
              (static_cast<unsigned __int128>(next.digit) << 64 | cur.digit) >> off);
          if ((digits & ((uint64_t{1} << len) - 1)) == 0) {
            token_done = p + len;
            continue;
          }
        }
        on_long_token(p);
      }
    }
    prev_digit_top = cur.digit >> 63;
    prev_key_end_top = cur.key_end >> 63;
    cur = next;
  }
}

}  // namespace tiergate::privacy
