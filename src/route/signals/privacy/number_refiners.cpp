// Refiners for numbers: phone, card, IBAN, SSN, IPv4/IPv6, street address (refiners.h).

#include <algorithm>
#include <array>
#include <cstdint>

#include "route/signals/privacy/refiners.h"

namespace tiergate::privacy::refiners {

using T = EntityType;
using R = Refiner;

namespace {

constexpr std::string_view kCardWords[] = {"card",    "visa",   "mastercard", "amex", "discover",
                                           "credit",  "debit",  "cc",         "pan",  "payment",
                                           "pay",     "charge", "billing",    "exp",  "expiry",
                                           "expires", "cvv",    "cvc",        "jcb",  "maestro"};
constexpr std::string_view kNotCardWords[] = {
    "divide",   "compute",   "prime",    "primes", "product", "times",     "gcd",
    "base",     "sum",       "multiply", "factor", "mod",     "modulo",    "digits",
    "equals",   "plus",      "minus",    "round",  "write",   "order",     "invoice",
    "tracking", "reference", "ref",      "serial", "id",      "number of", "remainder"};
// Right after the number: "N times M", "N is the product of", "N in base 2", "N is a prime".
constexpr std::string_view kNotCardWordsAfter[] = {"times", "product", "prime",   "base",
                                                   "mod",   "divided", "squared", "factorial"};
constexpr std::string_view kSsnWords[] = {"ssn",    "social security", "ss#", "ss no",
                                          "socsec", "social sec",      "ssa"};

// A date written with separators: 2024-01-15, 15.01.2024, 01 15 2024.
bool date_shaped(const std::array<uint8_t, 16>& g, size_t n) {
  if (n != 3) return false;
  return (g[0] == 4 && g[1] <= 2 && g[2] <= 2) || (g[0] <= 2 && g[1] <= 2 && g[2] == 4);
}

bool refine_phone_at(std::string_view t, size_t b, size_t e, PhoneContext* region) {
  const char p = before(t, b), c = at(t, e);
  if (is_alnum(p) || is_one_of(p, "+._/-:#$") || is_alnum(c) || c == '_') return false;
  if (is_one_of(c, ".-/: ") && is_digit(at(t, e + 1))) return false;  // the number goes on
  std::array<uint8_t, 16> groups{};
  std::array<size_t, 16> starts{};
  size_t ngroups = 0, digits = 0;
  bool plus = t[b] == '+', dots = false, other_seps = false, open_paren = false;
  char first_digit = 0, second_digit = 0;
  size_t cur = 0;
  for (size_t i = b + (plus ? 1 : 0); i < e; ++i) {
    const char ch = t[i];
    if (is_digit(ch)) {
      if (digits == 0) first_digit = ch;
      if (digits == 1) second_digit = ch;
      if (cur == 0) {
        if (ngroups == starts.size()) return false;
        starts[ngroups] = i;
      }
      ++digits;
      ++cur;
      continue;
    }
    if (cur > 0) {
      if (ngroups == groups.size()) return false;
      groups[ngroups++] = static_cast<uint8_t>(cur);
      cur = 0;
    }
    if (ch == '.')
      dots = true;
    else
      other_seps = true;
    if (ch == '(') {
      if (open_paren) return false;
      open_paren = true;
    } else if (ch == ')') {
      if (!open_paren) return false;
      open_paren = false;
    } else if ((ch == ' ' || ch == '-' || ch == '.') && i + 1 < e && is_one_of(t[i + 1], " -.")) {
      return false;  // two separators in a row
    }
  }
  if (cur > 0) {
    if (ngroups == groups.size()) return false;
    groups[ngroups++] = static_cast<uint8_t>(cur);
  }
  if (open_paren || (dots && other_seps && t[b] != '+')) return false;
  if (digits < 7 || digits > 15) return false;
  const bool separated = ngroups > 1;
  if (date_shaped(groups, ngroups)) return false;
  // "Boston, MA 02110-1301": a ZIP+4 code after a US state's two capitals and white space (in
  // every GPL notice, often with the state at the end of the line before).
  if (ngroups == 2 && groups[0] == 5 && groups[1] == 4 && t[starts[1] - 1] == '-') {
    size_t k = b;
    while (k > 0 && b - k < 8 && is_one_of(t[k - 1], " \t\r\n")) --k;
    if (k < b && k >= 2 && t[k - 1] >= 'A' && t[k - 1] <= 'Z' && t[k - 2] >= 'A' &&
        t[k - 2] <= 'Z' && !is_alpha(before(t, k - 2)))
      return false;
  }
  if (plus) return first_digit != '0' && digits >= 8 && (separated || digits >= 10);
  if (first_digit == '0' && second_digit == '0' && groups[0] >= 2 && separated) {
    // 00 international prefix: 0044 20 7946 0958
    return digits - 2 >= 8 && digits - 2 <= 15;
  }
  if (separated) {
    size_t g0 = 0;
    if (ngroups == 4 && groups[0] == 1 && first_digit == '1') g0 = 1;  // 1 415 555 2671
    if (ngroups - g0 == 3 && groups[g0] == 3 && groups[g0 + 1] == 3 && groups[g0 + 2] == 4) {
      // North American plan: area code and exchange start with 2-9.
      if (t[starts[g0]] >= '2' && t[starts[g0 + 1]] >= '2') return true;
    }
    bool all_big = true;
    for (size_t i = 0; i < ngroups; ++i) all_big = all_big && groups[i] >= 2;
    // Trunk prefix 0: 020 7946 0958, 06 12 34 56 78, 0151 2345 6789, (02) 9876 5432.
    if (first_digit == '0' && all_big && digits >= 9 && digits <= 12) return true;
  }
  // Anything else needs a word like "call" or "phone" just before it.
  const size_t from = b > 40 ? b - 40 : 0;
  if (digits > 13) return false;
  if (region != nullptr && !region->possible(t)) return false;
  return has_phone_word(t, from, b);
}

// A bare number that is an operand: "x = N", "2^52 = N", "N * 3". An assignment to a named
// field ("pan=N", "card: N") is not arithmetic.
// The token before t[s] (after one space) is a short group of letters or digits: t[s] continues
// a longer grouped number ("DE09 4012 4930 ...", "3081 0997 5248 4153"), it does not start one.
bool continues_group(std::string_view t, size_t s) {
  if (s < 2 || t[s - 1] != ' ') return false;
  size_t k = s - 1;
  while (k > 0 && !is_one_of(t[k - 1], " \t\r\n")) --k;
  const size_t len = s - 1 - k;
  if (len < 1 || len > 4 || !is_digit(t[s - 2])) return false;
  for (size_t i = k; i < s - 1; ++i)
    if (!is_alnum(t[i])) return false;
  return true;
}

}  // namespace

// Hyperscan reports the leftmost start for each end, which may be a number before the phone
// number ("id 22571 0044 20 2625 9106") or an unclosed parenthesis: retry from each later group.
bool refine_phone(std::string_view t, size_t b, size_t e, size_t* ob, PhoneContext* region) {
  for (size_t s = b; s + 7 <= e; ++s) {
    if (s > b && !(is_one_of(t[s - 1], " (") && (is_digit(t[s]) || is_one_of(t[s], "+("))))
      continue;
    if (s > b && t[s - 1] == ' ' && is_digit(t[s - 2]) && t[s] != '+' && t[s] != '(') {
      // After another number, only a number with its own unambiguous shape starts here.
      bool spaced = false;
      for (size_t k = s; k < e && !spaced; ++k) spaced = t[k] == ' ';
      if (continues_group(t, s) || spaced) continue;
    }
    if (refine_phone_at(t, s, e, region)) {
      *ob = s;
      return true;
    }
  }
  return false;
}

namespace {

}  // namespace

bool PhoneContext::possible(std::string_view t) {
  if (state < 0) state = has_phone_word(t, from, to) ? 1 : 0;
  return state == 1;
}

namespace {

bool arithmetic_neighbour(std::string_view t, size_t b, size_t e) {
  size_t i = b;
  while (i > 0 && t[i - 1] == ' ') --i;
  const char p = before(t, i);
  if (is_one_of(p, "+-*/^%<>")) return true;
  if (p == '=') {
    size_t k = i - 1;
    while (k > 0 && t[k - 1] == ' ') --k;
    const char q = before(t, k);
    if (is_digit(q) || is_one_of(q, ")]^")) return true;
    if (is_alpha(q) && !is_alnum(before(t, k - 1))) return true;  // one-letter variable
  }
  size_t j = e;
  while (j < t.size() && t[j] == ' ') ++j;
  return is_one_of(at(t, j), "+-*/^%<>") || (at(t, j) == '=' && at(t, j + 1) != '>');
}

bool refine_card_at(std::string_view t, size_t b, size_t e) {
  const char p = before(t, b), c = at(t, e);
  if (is_alnum(p) || p == '_' || is_alnum(c) || c == '_') return false;
  if (is_one_of(p, ".-,") && is_digit(before(t, b - 1))) return false;
  if (is_one_of(c, ".-,") && is_digit(at(t, e + 1))) return false;
  std::array<char, 20> digits{};
  size_t n = 0, group = 0, ngroups = 0;
  char sep = 0;
  bool groups_ok = true;
  for (size_t i = b; i < e; ++i) {
    const char ch = t[i];
    if (is_digit(ch)) {
      if (n == digits.size()) return false;
      digits[n++] = ch;
      ++group;
      continue;
    }
    if (sep != 0 && ch != sep) return false;
    sep = ch;
    groups_ok = groups_ok && group >= 3 && (ngroups > 0 || group == 4);
    ++ngroups;
    group = 0;
  }
  groups_ok = groups_ok && group >= 3;
  if (sep != 0 && !groups_ok) return false;
  if (sep == ' ' && c == ' ') {
    // The grouped number goes on with another short group: part of something longer.
    size_t k = e + 1;
    while (k < t.size() && is_digit(t[k])) ++k;
    if (k > e + 1 && k - e - 1 <= 4 && !is_alnum(at(t, k))) return false;
  }
  std::string_view d(digits.data(), n);
  if (!card_brand_valid(d) || !luhn_valid(d)) return false;
  if (sep != 0) return true;
  // A bare digit run: a card if the text says so, not if it is an operand, an order or a
  // reference number.
  // Context is read within the sentence (line, JSON string) around the number.
  size_t from = b > 40 ? b - 40 : 0, to = std::min(t.size(), e + 24);
  for (size_t k = b; k > from; --k)
    if (is_one_of(t[k - 1], "\n?!\"\\") || (t[k - 1] == '.' && at(t, k) == ' ')) {
      from = k;
      break;
    }
  for (size_t k = e; k < to; ++k)
    if (is_one_of(t[k], "\n?!\"\\") || (t[k] == '.' && at(t, k + 1) == ' ')) {
      to = k;
      break;
    }
  if (has_context_word(t, from, to, kCardWords)) return true;
  if (arithmetic_neighbour(t, b, e) || has_context_word(t, from, b, kNotCardWords)) return false;
  return !has_context_word(t, e, std::min(to, e + 16), kNotCardWordsAfter);
}

}  // namespace

// As for phones: the leftmost start may be a number before the card number.
bool refine_card(std::string_view t, size_t b, size_t e, size_t* ob) {
  for (size_t s = b; s + 13 <= e; ++s) {
    if (s > b && !(t[s - 1] == ' ' && is_digit(t[s]))) continue;
    if (continues_group(t, s)) {
      bool spaced = false;
      for (size_t k = s; k < e && !spaced; ++k) spaced = t[k] == ' ';
      if (spaced) continue;
    }
    if (refine_card_at(t, s, e)) {
      *ob = s;
      return true;
    }
  }
  return false;
}

bool refine_iban(std::string_view t, size_t b, size_t e) {
  if (is_alnum(at(t, e)) || is_alnum(before(t, b))) return false;
  if (t[e - 1] == ' ' || t[e - 1] == '-') return false;
  std::array<char, 40> buf{};
  size_t n = 0;
  for (size_t i = b; i < e; ++i) {
    if (t[i] == ' ' || t[i] == '-') continue;
    if (n == buf.size()) return false;
    buf[n++] = t[i];
  }
  return iban_valid(std::string_view(buf.data(), n));
}

bool refine_ssn(std::string_view t, size_t b, size_t e, bool bare) {
  const char p = before(t, b), c = at(t, e);
  if (is_alnum(p) || is_one_of(p, "-+.$#/") || is_one_of(c, "-/") ||
      (c == '.' && is_digit(at(t, e + 1))))
    return false;
  std::array<char, 9> d{};
  size_t n = 0;
  char sep = 0;
  for (size_t i = b; i < e; ++i) {
    if (is_digit(t[i])) {
      if (n == d.size()) return false;
      d[n++] = t[i];
    } else if (sep != 0 && t[i] != sep) {
      return false;
    } else {
      sep = t[i];
    }
  }
  if (!ssn_valid(std::string_view(d.data(), n))) return false;
  if (!bare) return true;
  const size_t from = b > 48 ? b - 48 : 0;
  return has_context_word(t, from, b, kSsnWords);
}

bool refine_ipv4(std::string_view t, size_t b, size_t e) {
  const char p = before(t, b), c = at(t, e);
  if (is_alnum(p) || p == '.' || p == '-' || (c == '.' && is_digit(at(t, e + 1))) || c == '-')
    return false;
  if (!ipv4_valid(t.substr(b, e - b))) return false;
  // "version 1.2.3.4", "build 10.0.1.2": the word right before says it is a version.
  constexpr std::string_view kVersionWords[] = {"version", "ver",      "v", "release",
                                                "build",   "firmware", "v."};
  size_t k = b;
  while (k > 0 && is_one_of(t[k - 1], " :")) --k;
  size_t w = k;
  while (w > 0 && (is_alpha(t[w - 1]) || t[w - 1] == '.')) --w;
  return k == w || !has_context_word(t, w, k, kVersionWords);
}

bool refine_ipv6(std::string_view t, size_t b, size_t e) {
  const char p = before(t, b), c = at(t, e);
  if (is_alnum(p) || p == ':' || p == '.' || p == '_') return false;
  if (is_alnum(c) || c == ':' || c == '_' || (c == '.' && is_digit(at(t, e + 1)))) return false;
  std::string_view s = t.substr(b, e - b);
  bool digit = false;
  for (char ch : s) digit = digit || is_digit(ch);
  return digit && ipv6_valid(s);
}


}  // namespace tiergate::privacy::refiners
