// Street addresses around a house number, for the byte pass (byte_pass.h).

#include <array>
#include <span>
#include <utility>

#include "route/signals/privacy/byte_pass.h"
#include "route/signals/privacy/refiners.h"
#include "route/signals/privacy/validators.h"

namespace tiergate::privacy::byte_pass {
namespace {

using R = Refiner;
using refiners::is_one_of;

constexpr std::string_view kUsSuffixes[] = {
    "street",  "st",   "avenue",  "ave",   "av",       "road",    "rd",      "boulevard", "blvd",
    "lane",    "ln",   "drive",   "dr",    "court",    "ct",      "way",     "place",     "pl",
    "terrace", "ter",  "circle",  "cir",   "parkway",  "pkwy",    "highway", "hwy",       "square",
    "sq",      "loop", "trail",   "trl",   "crescent", "cres",    "close",   "alley",     "plaza",
    "row",     "mews", "gardens", "grove", "hill",     "broadway"};

static_assert(std::size(kUsSuffixes) <= 64);

// Per first letter a-z, the suffixes that start with it: one bit per index in kUsSuffixes.
constexpr std::array<uint64_t, 26> kUsSuffixesByFirst = [] {
  std::array<uint64_t, 26> by{};
  for (size_t k = 0; k < std::size(kUsSuffixes); ++k)
    by[static_cast<size_t>(kUsSuffixes[k][0] - 'a')] |= uint64_t{1} << k;
  return by;
}();

// Length of a street suffix word at t[i] (followed by a non-letter), or 0. Only the suffixes
// with the word's first letter are compared (most words start with a letter no suffix has).
size_t suffix_at(std::string_view t, size_t i) {
  if (i >= t.size() || !letter(t, i)) return 0;
  for (uint64_t ks = kUsSuffixesByFirst[static_cast<size_t>(low(t[i]) - 'a')]; ks != 0;
       ks &= ks - 1) {
    const std::string_view s = kUsSuffixes[__builtin_ctzll(ks)];
    if (istarts(t, i, s) && !letter(t, i + s.size())) return s.size();
  }
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
  static constexpr std::string_view kOrdinals[] = {"st", "nd", "rd", "th"};
  for (std::string_view o : kOrdinals)
    if (istarts(t, k, o) && !letter(t, k + 2)) return k + 2 - i;
  return 0;
}

}  // namespace

// 1600 Pennsylvania Avenue / 221B Baker Street / 350 5th Ave: house number, 1-4 words, suffix.
void scan_us_address(Ctx& c, size_t i, size_t digits_end) {
  const std::string_view t = c.t;
  if (digits_end - i > 5 || is_alnum(char_before(t, i))) return;
  // "Copyright 1991-1998 Thomas G. Lane": the end of a range of years is no house number.
  auto year = [&](size_t at) {
    return at + 4 <= t.size() && (t.substr(at, 2) == "19" || t.substr(at, 2) == "20") &&
           digit(t, at + 2) && digit(t, at + 3);
  };
  if (digits_end - i == 4 && i >= 5 && t[i - 1] == '-' && year(i) && year(i - 5) &&
      !digit(t, i - 6))
    return;
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

}  // namespace tiergate::privacy::byte_pass
