#include "route/signals/privacy/detectors.h"

#include <hs/hs.h>

#include <array>
#include <string>

#include "route/signals/privacy/validators.h"

namespace tiergate::privacy {
namespace {

using T = EntityType;
using R = Refiner;
using S = StartFinder;
constexpr unsigned kCaseless = HS_FLAG_CASELESS;

constexpr PatternSpec kPatterns[] = {
    // E-mail: from the '@' (the local part is found backwards, StartFinder::kEmail).
    {R"(@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,24})", 0, T::kEmail, R::kEmail, S::kEmail,
     true},
    // Secrets with a vendor prefix.
    {R"((?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{16})", 0, T::kApiKey,
     R::kToken, S::kToken, false},
    {R"(gh[pousr]_[A-Za-z0-9]{36,})", 0, T::kApiKey, R::kToken, S::kToken, false},
    {R"(github_pat_[A-Za-z0-9_]{50,})", 0, T::kApiKey, R::kToken, S::kToken, false},
    {R"(sk-[A-Za-z0-9_\-]{20,})", 0, T::kApiKey, R::kOpenAiKey, S::kToken, false},
    {R"(xox[abposr]-[A-Za-z0-9\-]{10,})", 0, T::kApiKey, R::kSlackToken, S::kToken, false},
    {R"(https://hooks\.slack\.com/services/[A-Za-z0-9]+/[A-Za-z0-9]+/[A-Za-z0-9]+)", 0, T::kApiKey,
     R::kToken, S::kUrl, false},
    {R"((?:sk|rk|pk|whsec)_(?:live|test)_[A-Za-z0-9]{16,})", 0, T::kApiKey, R::kToken, S::kToken,
     false},
    {R"(AIza[0-9A-Za-z_\-]{35})", 0, T::kApiKey, R::kToken, S::kToken, false},
    {R"(eyJ[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{2,}\.[A-Za-z0-9_\-]*)", 0, T::kJwt, R::kJwt, S::kJwt,
     false},
    {R"(-----BEGIN[A-Z ]{0,40} PRIVATE KEY(?: BLOCK)?-----)", 0, T::kPrivateKey, R::kPemBlock,
     S::kPemBegin, false},
    // Assignments: the match ends at the separator; the value follows (spaces skipped).
    {R"((?:password|passwd|passphrase|pwd|pass)(?:\\*["'])?[ \t]*(?:=>|:=|=|:))", kCaseless,
     T::kPassword, R::kPasswordValue, S::kKey, false},
    {R"(--pass(?:word)?[= ])", kCaseless, T::kPassword, R::kPasswordValue, S::kKey, false},
    {R"((?:password|passcode|passphrase)[ \t]+(?:is|was))", kCaseless, T::kPassword, R::kPasswordIs,
     S::kKey, false},
    {R"(://[^\s:/@"'<>]{1,64}:)", 0, T::kPassword, R::kUrlPassword, S::kKey, false},
    {R"((?:api[_\-]?key|access[_\-]?token|auth[_\-]?token|secret[_\-]?key|client[_\-]?secret|)"
     R"(secret[_\-]?access[_\-]?key|private[_\-]?token|refresh[_\-]?token|api[_\-]?token|)"
     R"(token|secret)(?:\\*["'])?[ \t]*(?:=>|:=|=|:))",
     kCaseless, T::kApiKey, R::kKeyValue, S::kKey, false},
    {R"(bearer[ \t])", kCaseless, T::kApiKey, R::kKeyValue, S::kKey, false},
};

char at(std::string_view t, size_t i) { return i < t.size() ? t[i] : '\0'; }
char before(std::string_view t, size_t i) { return char_before(t, i); }
// A loop, not string_view::find: find calls memchr, which costs more than the compare for the
// short sets used here (it was the largest single item in the profile).
bool is_one_of(char c, std::string_view set) {
  if (c == '\0') return false;
  for (char x : set)
    if (x == c) return true;
  return false;
}
bool is_token_char(char c) { return is_alnum(c) || c == '_' || c == '-'; }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

constexpr std::string_view kPhoneWords[] = {
    "phone",    "tel",      "telephone", "mobile",  "cell",   "call", "fax",
    "whatsapp", "sms",      "text",      "contact", "reach",  "dial", "ph",
    "hotline",  "landline", "my number", "numero",  "telefon"};
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

bool refine_phone_at(std::string_view t, size_t b, size_t e) {
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
  return digits <= 13 && has_context_word(t, from, b, kPhoneWords);
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

// Hyperscan reports the leftmost start for each end, which may be a number before the phone
// number ("id 22571 0044 20 2625 9106") or an unclosed parenthesis: retry from each later group.
bool refine_phone(std::string_view t, size_t b, size_t e, size_t* ob) {
  for (size_t s = b; s + 7 <= e; ++s) {
    if (s > b && !(is_one_of(t[s - 1], " (") && (is_digit(t[s]) || is_one_of(t[s], "+("))))
      continue;
    if (s > b && t[s - 1] == ' ' && is_digit(t[s - 2]) && t[s] != '+' && t[s] != '(') {
      // After another number, only a number with its own unambiguous shape starts here.
      bool spaced = false;
      for (size_t k = s; k < e && !spaced; ++k) spaced = t[k] == ' ';
      if (continues_group(t, s) || spaced) continue;
    }
    if (refine_phone_at(t, s, e)) {
      *ob = s;
      return true;
    }
  }
  return false;
}

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
  while (i < t.size() && !is_one_of(t[i], " \t\r\n,;&\"'<>)]}\\")) ++i;
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
  for (char ch : v) all_mask = all_mask && is_one_of(ch, "*xX.#-_•");
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
    if (is_one_of(ch, "([{$")) return true;
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

bool refine_assignment(Refiner r, std::string_view t, size_t b, size_t e, size_t* ob, size_t* oe) {
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
      while (i < t.size() && !is_one_of(t[i], " \t\r\n\"'<>")) ++i;
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
  while (i < t.size() && i - e < 128 && !is_one_of(t[i], "@/ \t\r\n\"'<>")) ++i;
  if (at(t, i) != '@' || i == e) return false;
  std::string_view v = t.substr(e, i - e);
  if (placeholder_like(v)) return false;
  *ob = e;
  *oe = i;
  return true;
}

// Share of adjacent letter pairs that are common in English, in percent (100 if none).
int common_pair_percent(std::string_view s);

// snake_case / kebab-case / path made of words: case-consistent segments (lower, UPPER or
// Capitalised letters, maybe a short number) whose letter pairs are mostly common English.
bool word_segments(std::string_view s) {
  size_t segments = 0, start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i < s.size() && !is_one_of(s[i], "_-/+=")) continue;
    std::string_view seg = s.substr(start, i - start);
    start = i + 1;
    if (seg.empty()) continue;
    ++segments;
    size_t letters = 0, uppers = 0;
    while (letters < seg.size() && is_alpha(seg[letters])) {
      uppers += seg[letters] >= 'A' && seg[letters] <= 'Z';
      ++letters;
    }
    if (letters == 0 || seg.size() - letters > 4) return false;
    for (size_t k = letters; k < seg.size(); ++k)
      if (!is_digit(seg[k])) return false;
    const bool first_upper = seg[0] >= 'A' && seg[0] <= 'Z';
    if (!(uppers == 0 || uppers == letters || (uppers == 1 && first_upper))) return false;
  }
  return segments >= 2 && common_pair_percent(s) >= 60;
}

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
  static const auto table = [] {
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

// Made of words (camelCase, snake_case, SCREAMING_CASE, paths): two thirds of the characters
// sit in words of 3+ letters, split the way identifiers are ("HTTPServer" -> HTTP, Server; "getX"
// -> get, X), and most letter pairs inside those words are among the 120 most common in English.
// About one in six pairs of random letters is; about three in four of identifiers' are (threshold:
// 60%).
bool wordy(std::string_view s) {
  auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
  bool has_lower = false;
  for (char c : s) has_lower = has_lower || (c >= 'a' && c <= 'z');
  size_t in_words = 0, pairs = 0, common = 0, start = 0;
  bool in_word = false;
  auto close = [&](size_t end) {
    bool all_caps = true;
    for (size_t k = start; k < end; ++k) all_caps = all_caps && upper(s[k]);
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
    }
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
  std::string key(t.substr(start, end - start));
  for (auto& c : key) c = lower(c);
  static constexpr std::string_view kWords[] = {"signature", "token",  "secret", "apikey",
                                                "api_key",   "api-key", "auth",   "session",
                                                "credential", "passw",  "bearer", "cookie"};
  for (auto w : kWords)
    if (key.find(w) != std::string::npos) return true;
  return false;
}

bool refine_high_entropy(std::string_view t, size_t b, size_t e, const RefineOptions& o) {
  if (is_one_of(at(t, e), "=") || is_alnum(at(t, e))) return false;
  std::string_view s = t.substr(b, e - b);
  while (!s.empty() && s.back() == '=') s.remove_suffix(1);
  while (!s.empty() && is_one_of(s.front(), "-_/+")) s.remove_prefix(1);
  if (s.size() < o.entropy_min_length || s.size() > 4096) return false;
  // One pass for the cheap rejections: most long tokens are identifiers without a digit.
  bool all_hex = true, lower = false, upper = false, digit = false;
  for (char ch : s) {
    if (ch >= 'a' && ch <= 'z') {
      lower = true;
      all_hex = all_hex && ch <= 'f';
    } else if (ch >= 'A' && ch <= 'Z') {
      upper = true;
      all_hex = all_hex && ch <= 'F';
    } else if (ch >= '0' && ch <= '9') {
      digit = true;
    } else if (ch != '-') {
      all_hex = false;
    }
  }
  if (all_hex) return false;  // hashes, git SHAs, UUIDs, hex dumps
  if (!digit || !(lower || upper)) return false;
  if (!(lower && upper) && s.size() < 24) return false;
  if (word_segments(s)) return false;
  if (wordy(s)) return false;
  const double threshold = after_secret_key(t, b) ? o.entropy_threshold - 0.5 : o.entropy_threshold;
  return shannon_entropy(s) >= threshold;
}

}  // namespace

std::span<const PatternSpec> builtin_patterns() { return kPatterns; }

size_t find_start(StartFinder f, std::string_view t, size_t end) {
  size_t s = std::min(end, t.size());
  switch (f) {
    case S::kEngine:
      return s;
    case S::kEmail: {
      while (s > 0 && end - s < 320 && t[s - 1] != '@') --s;
      if (s == 0 || t[s - 1] != '@') return end;
      --s;  // the '@'
      const size_t at_sign = s;
      while (s > 0 && at_sign - s < 64 && (is_alnum(t[s - 1]) || is_one_of(t[s - 1], "._%+-"))) --s;
      return s;
    }
    case S::kHexColon:
      while (s > 0 && end - s < 45 && (is_hex(t[s - 1]) || t[s - 1] == ':' || t[s - 1] == '.')) --s;
      return s;
    case S::kToken: {
      const size_t floor = end > 4096 ? end - 4096 : 0;
      while (s > floor && is_token_char(t[s - 1])) --s;
      return s;
    }
    case S::kJwt: {
      const size_t floor = end > 8192 ? end - 8192 : 0;
      while (s > floor && (is_token_char(t[s - 1]) || t[s - 1] == '.')) --s;
      const size_t eyj = t.substr(s, end - s).find("eyJ");
      return eyj == std::string_view::npos ? end : s + eyj;
    }
    case S::kUrl: {
      const size_t from = end > 256 ? end - 256 : 0;
      const size_t h = t.substr(from, end - from).rfind("https://");
      return h == std::string_view::npos ? end : from + h;
    }
    case S::kPemBegin: {
      const size_t from = end > 80 ? end - 80 : 0;
      const size_t h = t.substr(from, end - from).rfind("-----BEGIN");
      return h == std::string_view::npos ? end : from + h;
    }
    case S::kKey: {
      while (s > 0 && end - s < 16 && is_one_of(t[s - 1], " \t:=>\"'\\-")) --s;
      while (s > 0 && end - s < 64 && (is_alpha(t[s - 1]) || t[s - 1] == '_') &&
             char_before(t, s) == t[s - 1])  // stop at the n of an escaped newline
        --s;
      return s;
    }
  }
  return s;
}

int entity_priority(EntityType type) {
  switch (type) {
    case T::kPrivateKey:
      return 100;
    case T::kJwt:
      return 95;
    case T::kApiKey:
      return 90;
    case T::kPassword:
      return 85;
    case T::kCustom:
      return 80;
    case T::kIban:
      return 72;  // a longer, checksummed span that may contain a Luhn-valid run
    case T::kCard:
      return 70;
    case T::kSsn:
      return 66;
    case T::kEmail:
      return 60;
    case T::kIpAddress:
      return 55;
    case T::kPhone:
      return 50;
    case T::kStreetAddress:
      return 45;
    case T::kHighEntropy:
      return 10;
  }
  return 0;
}

bool refine(Refiner r, std::string_view t, size_t b, size_t e, const RefineOptions& o, size_t* ob,
            size_t* oe) {
  if (b >= e || e > t.size()) return false;
  *ob = b;
  *oe = e;
  switch (r) {
    case R::kNone:
      return true;
    case R::kWord: {
      const bool left_ok = !is_alnum(t[b]) || !is_alnum(before(t, b));
      const bool right_ok = !is_alnum(t[e - 1]) || !is_alnum(at(t, e));
      return left_ok && right_ok;
    }
    case R::kEmail: {
      size_t s = b;
      while (s < e && is_one_of(t[s], ".-")) ++s;
      const size_t at_sign = t.find('@', s);
      if (at_sign == s || at_sign >= e || at_sign - s > 64) return false;
      // user@host inside a URL (scheme://user:password@host, ssh://git@host) is not an address.
      if (before(t, s) == '/') return false;
      if (before(t, s) == ':' && !(s >= 7 && iequals(t.substr(s - 7, 6), "mailto"))) {
        const size_t from = s > 80 ? s - 80 : 0;
        const size_t scheme = t.substr(from, s - from).rfind("://");
        if (scheme != std::string_view::npos &&
            t.substr(from + scheme, s - from - scheme).find_first_of(" \t\n\\\"") == t.npos)
          return false;
      }
      if (t[at_sign - 1] == '.' || t.substr(s, at_sign - s).find("..") != t.npos) return false;
      const char c = at(t, e);
      if (is_alnum(c) || c == '-' || c == '_' || (c == '.' && is_alnum(at(t, e + 1)))) return false;
      if (t[at_sign + 1] == '-' || t[e - 1] == '-') return false;
      *ob = s;
      return true;
    }
    case R::kPhone:
      return refine_phone(t, b, e, ob);
    case R::kCard:
      return refine_card(t, b, e, ob);
    case R::kIban:
      return refine_iban(t, b, e);
    case R::kSsnSeparated:
      return refine_ssn(t, b, e, false);
    case R::kSsnBare:
      return refine_ssn(t, b, e, true);
    case R::kIpv4:
      return refine_ipv4(t, b, e);
    case R::kIpv6:
      return refine_ipv6(t, b, e);
    case R::kStreetAddress:
      return refine_address(t, b, e);
    case R::kToken:
      return refine_token(t, b, e);
    case R::kOpenAiKey:
      return refine_openai(t, b, e);
    case R::kSlackToken:
      return refine_slack(t, b, e);
    case R::kJwt:
      return refine_jwt(t, b, e);
    case R::kPemBlock:
      refine_pem(t, b, e, oe);
      return true;
    case R::kPasswordValue:
    case R::kKeyValue:
    case R::kPasswordIs:
      return refine_assignment(r, t, b, e, ob, oe);
    case R::kUrlPassword:
      return refine_url_password(t, e, ob, oe);
    case R::kHighEntropy:
      return refine_high_entropy(t, b, e, o);
  }
  return false;
}

}  // namespace tiergate::privacy
