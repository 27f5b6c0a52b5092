#include "route/signals/privacy/detectors.h"

#include <hs/hs.h>

#include <array>
#include <string>

#include "route/signals/privacy/validators.h"

namespace tiergate::privacy {
namespace {

using T = EntityType;
using R = Refiner;
constexpr unsigned kCaseless = HS_FLAG_CASELESS;

// Street suffixes (US/UK) for the address pattern.
#define TG_STREET_SUFFIX                                                                      \
  "(?:Street|St|Avenue|Ave|Av|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|" \
  "Terrace|Ter|Circle|Cir|Parkway|Pkwy|Highway|Hwy|Square|Sq|Loop|Trail|Trl|Crescent|Cres|"   \
  "Close|Alley|Plaza|Row|Mews|Gardens|Grove|Hill|Broadway)"

constexpr PatternSpec kPatterns[] = {
    {R"([A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,24})", 0, T::kEmail,
     R::kEmail, true},
    {R"([+(]?\d[\d \-.()]{5,24}\d)", 0, T::kPhone, R::kPhone, true},
    {R"(\d(?:[ \-]?\d){12,18})", 0, T::kCard, R::kCard, true},
    {R"(\b[A-Za-z]{2}\d{2}(?:[ \-]?[A-Za-z0-9]){11,30})", 0, T::kIban, R::kIban, true},
    {R"(\b\d{3}[ \-]\d{2}[ \-]\d{4}\b)", 0, T::kSsn, R::kSsnSeparated, false},
    {R"(\b\d{9}\b)", 0, T::kSsn, R::kSsnBare, false},
    {R"(\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b)", 0, T::kIpAddress, R::kIpv4, false},
    {R"([0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:\.\d{1,3}){0,3})", 0, T::kIpAddress, R::kIpv6,
     true},
    // 1600 Pennsylvania Avenue, 221B Baker Street, 350 5th Ave
    {"\\b\\d{1,5}[A-Za-z]?,?(?: (?:[A-Z][A-Za-z'\\-]*\\.?|\\d{1,3}(?:st|nd|rd|th))){1,4} "
     "(?i:" TG_STREET_SUFFIX ")\\b",
     0, T::kStreetAddress, R::kStreetAddress, false},
    // Hauptstraße 5, Lindenweg 12a
    {"\\b[A-Z](?:[a-z]|\\xc3[\\xa4\\xb6\\xbc\\x9f])+(?:stra(?:ss|\\xc3\\x9f)e|str\\.|weg|platz|"
     "allee|gasse|damm|ring|ufer) \\d{1,4}[a-z]?\\b",
     0, T::kStreetAddress, R::kStreetAddress, false},
    // 10 rue de Rivoli, 5 avenue des Champs
    {R"(\b\d{1,4},? (?i:rue|avenue|boulevard|bd|place|chemin|impasse|quai|all(?:e|\xc3\xa9)e) )"
     R"((?:(?i:de la|de l'|du|des|de|d')\s?)?[A-Z][A-Za-z\-']+)",
     0, T::kStreetAddress, R::kStreetAddress, false},
    // Calle Mayor 12, Via Roma 1
    {R"(\b(?i:calle|avenida|plaza|paseo|carrer|rua|via|viale|piazza|corso) )"
     R"((?:(?i:de la|del|de|di|della|do|da)\s)?[A-Z][A-Za-z]+(?: [A-Z][A-Za-z]+)?,? \d{1,4}\b)",
     0, T::kStreetAddress, R::kStreetAddress, false},
    // Secrets with a vendor prefix.
    {R"(\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{16})", 0, T::kApiKey,
     R::kToken, false},
    {R"(\bgh[pousr]_[A-Za-z0-9]{36,})", 0, T::kApiKey, R::kToken, false},
    {R"(\bgithub_pat_[A-Za-z0-9_]{50,})", 0, T::kApiKey, R::kToken, false},
    {R"(\bsk-[A-Za-z0-9_\-]{20,})", 0, T::kApiKey, R::kOpenAiKey, false},
    {R"(\bxox[abposr]-[A-Za-z0-9\-]{10,})", 0, T::kApiKey, R::kSlackToken, false},
    {R"(https://hooks\.slack\.com/services/[A-Za-z0-9]+/[A-Za-z0-9]+/[A-Za-z0-9]+)", 0, T::kApiKey,
     R::kToken, false},
    {R"(\b(?:sk|rk|pk|whsec)_(?:live|test)_[A-Za-z0-9]{16,})", 0, T::kApiKey, R::kToken, false},
    {R"(\bAIza[0-9A-Za-z_\-]{35})", 0, T::kApiKey, R::kToken, false},
    {R"(\beyJ[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{2,}\.[A-Za-z0-9_\-]*)", 0, T::kJwt, R::kJwt, false},
    {R"(-----BEGIN[A-Z ]{0,40} PRIVATE KEY(?: BLOCK)?-----)", 0, T::kPrivateKey, R::kPemBlock,
     false},
    // Assignments: the match ends where the value starts.
    {R"((?:password|passwd|passphrase|\bpwd|\bpass)(?:\\?["'])?[ \t]*(?:=>|:=|=|:)[ \t]*)",
     kCaseless, T::kPassword, R::kPasswordValue, false},
    {R"(--pass(?:word)?[= ])", kCaseless, T::kPassword, R::kPasswordValue, false},
    {R"(\b(?:password|passcode|passphrase)[ \t]+(?:is|was)[ \t]*:?[ \t]*)", kCaseless,
     T::kPassword, R::kPasswordIs, false},
    {R"(\b[a-z][a-z0-9+.\-]{1,15}://[^\s:/@"'<>]{1,64}:)", kCaseless, T::kPassword,
     R::kUrlPassword, false},
    {R"((?:api[_\-]?key|access[_\-]?token|auth[_\-]?token|secret[_\-]?key|client[_\-]?secret|)"
     R"(secret[_\-]?access[_\-]?key|private[_\-]?token|refresh[_\-]?token|api[_\-]?token|)"
     R"(\btoken|\bsecret)(?:\\?["'])?[ \t]*(?:=>|:=|=|:)[ \t]*)",
     kCaseless, T::kApiKey, R::kKeyValue, false},
    {R"(\bbearer[ \t]+)", kCaseless, T::kApiKey, R::kKeyValue, false},
    {R"([A-Za-z0-9+/_\-]{20,}=*)", 0, T::kHighEntropy, R::kHighEntropy, false},
};

char at(std::string_view t, size_t i) { return i < t.size() ? t[i] : '\0'; }
char before(std::string_view t, size_t i) { return i > 0 && i <= t.size() ? t[i - 1] : '\0'; }
bool is_one_of(char c, std::string_view set) { return c != '\0' && set.find(c) != set.npos; }
bool is_token_char(char c) { return is_alnum(c) || c == '_' || c == '-'; }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

constexpr std::string_view kPhoneWords[] = {
    "phone", "tel", "telephone", "mobile", "cell", "call", "fax", "whatsapp", "sms", "text",
    "contact", "reach", "dial", "ph", "hotline", "landline", "number", "numero", "telefon"};
constexpr std::string_view kSsnWords[] = {"ssn", "social security", "ss#", "ss no", "socsec",
                                          "social sec", "ssa"};

// A date written with separators: 2024-01-15, 15.01.2024, 01 15 2024.
bool date_shaped(const std::array<uint8_t, 16>& g, size_t n) {
  if (n != 3) return false;
  return (g[0] == 4 && g[1] <= 2 && g[2] <= 2) || (g[0] <= 2 && g[1] <= 2 && g[2] == 4);
}

bool refine_phone(std::string_view t, size_t b, size_t e) {
  const char p = before(t, b), c = at(t, e);
  if (is_alnum(p) || is_one_of(p, "+._/-:#$") || is_alnum(c) || c == '_') return false;
  if (is_one_of(c, ".-/: ") && is_digit(at(t, e + 1))) return false;  // the number goes on
  if (t[b] == '(' && p == '(') return false;
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
    if (ch == '.') dots = true;
    else other_seps = true;
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

bool refine_card(std::string_view t, size_t b, size_t e) {
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
  std::string_view d(digits.data(), n);
  if (!card_brand_valid(d) || !luhn_valid(d)) return false;
  return sep != 0 || !arithmetic_neighbour(t, b, e);
}

bool refine_iban(std::string_view t, size_t b, size_t e) {
  if (is_alnum(at(t, e))) return false;
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
  if (is_one_of(p, "-+.$#/") || is_one_of(c, "-/") || (c == '.' && is_digit(at(t, e + 1))))
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
  if (p == '.' || p == '-' || (c == '.' && is_digit(at(t, e + 1))) || c == '-') return false;
  if (!ipv4_valid(t.substr(b, e - b))) return false;
  constexpr std::string_view kVersionWords[] = {"version", "ver", "v", "release", "build",
                                                "firmware", "v."};
  const size_t from = b > 16 ? b - 16 : 0;
  return !has_context_word(t, from, b, kVersionWords);
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
  constexpr std::string_view kStop[] = {"The", "A", "An", "Of", "And", "In", "On", "To", "For",
                                        "Supreme", "High", "Federal", "District", "Best", "Top",
                                        "Easy", "Simple", "Quick", "More", "Other", "Great",
                                        "Steps", "Ways", "Times", "Days", "Years", "Hours",
                                        "Minutes", "Weeks", "Months", "Hill", "Data", "Step"};
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
    if (ch >= 'a' && ch <= 'z') c.lower = true;
    else if (ch >= 'A' && ch <= 'Z') c.upper = true;
    else if (is_digit(ch)) c.digit = true;
    else c.symbol = true;
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

// The value of an assignment starting at `v`: quoted (plainly, or as \" inside JSON-in-JSON) or
// bare. Sets [*vb, *ve).
void assignment_value(std::string_view t, size_t v, size_t* vb, size_t* ve) {
  size_t i = v;
  if (at(t, i) == '\\' && is_one_of(at(t, i + 1), "\"'")) {
    const char q = t[i + 1];
    i += 2;
    *vb = i;
    while (i < t.size()) {
      if (t[i] == '\\') {
        size_t run = 0;
        while (i + run < t.size() && t[i + run] == '\\') ++run;
        if (at(t, i + run) == q && run == 1) break;
        i += run + 1;
        continue;
      }
      if (t[i] == '\n') break;
      ++i;
    }
    *ve = std::min(i, t.size());
    return;
  }
  if (is_one_of(at(t, i), "\"'`")) {
    const char q = t[i];
    ++i;
    *vb = i;
    while (i < t.size() && t[i] != q && t[i] != '\n') {
      if (t[i] == '\\') ++i;
      ++i;
    }
    *ve = std::min(i, t.size());
    return;
  }
  *vb = i;
  while (i < t.size() && !is_one_of(t[i], " \t\r\n,;&\"'<>)]}\\")) ++i;
  while (i > *vb && is_one_of(t[i - 1], ".:!?")) --i;
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
      "null", "none", "nil", "true", "false", "undefined", "str", "string", "int", "bool",
      "password", "passwd", "pwd", "required", "optional", "empty", "redacted", "hidden",
      "secret", "your_password", "yourpassword", "your-password", "your_api_key", "yourapikey",
      "your-api-key", "your_token", "changeme", "example", "placeholder", "token", "api_key",
      "apikey", "mask", "masked", "n/a", "todo", "tbd", "string;", "text", "varchar"};
  for (auto w : kStop)
    if (iequals(v, w)) return true;
  return false;
}

bool code_like(std::string_view v) {
  // Unquoted expressions in code: calls, indexing, attribute access, variables.
  bool letters_only = true, has_dot = false;
  for (char ch : v) {
    if (is_one_of(ch, "([{$")) return true;
    if (ch == '.') has_dot = true;
    else if (!is_alpha(ch) && ch != '_') letters_only = false;
  }
  return letters_only && (has_dot || v.find('_') != v.npos);
}

bool refine_assignment(Refiner r, std::string_view t, size_t e, size_t* ob, size_t* oe) {
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
        if (c.count() == 1 && c.lower) return false;  // a lower-case word in prose: "Password: reset"
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

bool word_segments(std::string_view s) {
  // snake_case / kebab-case / path made of words: each segment letters, maybe a short number.
  size_t seg = 0, letters = 0, digits = 0, segments = 0;
  auto close = [&]() {
    bool ok = seg == 0 || (letters > 0 && digits <= 4 && letters + digits == seg);
    if (seg > 0) ++segments;
    seg = letters = digits = 0;
    return ok;
  };
  for (char ch : s) {
    if (is_one_of(ch, "_-/+=")) {
      if (!close()) return false;
      continue;
    }
    ++seg;
    if (is_alpha(ch)) {
      if (digits > 0) return false;  // letters after digits: not a word
      ++letters;
    } else {
      ++digits;
    }
  }
  return close() && segments >= 2;
}

bool refine_high_entropy(std::string_view t, size_t b, size_t e, const RefineOptions& o) {
  if (is_one_of(at(t, e), "=") || is_alnum(at(t, e))) return false;
  std::string_view s = t.substr(b, e - b);
  while (!s.empty() && s.back() == '=') s.remove_suffix(1);
  while (!s.empty() && is_one_of(s.front(), "-_/+")) s.remove_prefix(1);
  if (s.size() < o.entropy_min_length || s.size() > 4096) return false;
  bool all_hex = true;
  size_t dashes = 0, transitions = 0;
  int prev = -1;
  for (char ch : s) {
    if (ch == '-') ++dashes;
    else all_hex = all_hex && is_hex(ch);
    const int cls = (ch >= 'a' && ch <= 'z') ? 0 : (ch >= 'A' && ch <= 'Z') ? 1 : is_digit(ch) ? 2 : 3;
    if (prev >= 0 && cls != prev) ++transitions;
    prev = cls;
  }
  if (all_hex) return false;  // hashes, git SHAs, UUIDs, hex dumps
  const Classes c = classes_of(s);
  if (!c.digit || !(c.lower || c.upper)) return false;
  if (!(c.lower && c.upper) && s.size() < 24) return false;
  if (word_segments(s)) return false;
  if (transitions * 10 < (s.size() - 1) * 2) return false;
  // Identifiers are made of words: camelCase humps and snake_case parts are lower-case runs.
  size_t in_words = 0, run = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i < s.size() && s[i] >= 'a' && s[i] <= 'z') {
      ++run;
      continue;
    }
    if (run >= 3) in_words += run;
    run = 0;
  }
  if (in_words * 2 >= s.size()) return false;
  return shannon_entropy(s) >= o.entropy_threshold;
}

}  // namespace

std::span<const PatternSpec> builtin_patterns() { return kPatterns; }

int entity_priority(EntityType type) {
  switch (type) {
    case T::kPrivateKey: return 100;
    case T::kJwt: return 95;
    case T::kApiKey: return 90;
    case T::kPassword: return 85;
    case T::kCustom: return 80;
    case T::kCard: return 70;
    case T::kIban: return 68;
    case T::kSsn: return 66;
    case T::kEmail: return 60;
    case T::kIpAddress: return 55;
    case T::kPhone: return 50;
    case T::kStreetAddress: return 45;
    case T::kHighEntropy: return 10;
  }
  return 0;
}

bool refine(Refiner r, std::string_view t, size_t b, size_t e, const RefineOptions& o,
            size_t* ob, size_t* oe) {
  if (b >= e || e > t.size()) return false;
  *ob = b;
  *oe = e;
  switch (r) {
    case R::kNone: return true;
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
      if (before(t, s) == ':') {
        const size_t from = s > 80 ? s - 80 : 0;
        const size_t scheme = t.substr(from, s - from).rfind("://");
        if (scheme != std::string_view::npos &&
            t.substr(from + scheme, s - from - scheme).find_first_of(" \t\n") == t.npos)
          return false;
      }
      if (t[at_sign - 1] == '.' || t.substr(s, at_sign - s).find("..") != t.npos) return false;
      const char c = at(t, e);
      if (is_alnum(c) || c == '-' || c == '_' || (c == '.' && is_alnum(at(t, e + 1)))) return false;
      if (t[at_sign + 1] == '-' || t[e - 1] == '-') return false;
      *ob = s;
      return true;
    }
    case R::kPhone: return refine_phone(t, b, e);
    case R::kCard: return refine_card(t, b, e);
    case R::kIban: return refine_iban(t, b, e);
    case R::kSsnSeparated: return refine_ssn(t, b, e, false);
    case R::kSsnBare: return refine_ssn(t, b, e, true);
    case R::kIpv4: return refine_ipv4(t, b, e);
    case R::kIpv6: return refine_ipv6(t, b, e);
    case R::kStreetAddress: return refine_address(t, b, e);
    case R::kToken: return refine_token(t, b, e);
    case R::kOpenAiKey: return refine_openai(t, b, e);
    case R::kSlackToken: return refine_slack(t, b, e);
    case R::kJwt: return refine_jwt(t, b, e);
    case R::kPemBlock: refine_pem(t, b, e, oe); return true;
    case R::kPasswordValue:
    case R::kKeyValue:
    case R::kPasswordIs: return refine_assignment(r, t, e, ob, oe);
    case R::kUrlPassword: return refine_url_password(t, e, ob, oe);
    case R::kHighEntropy: return refine_high_entropy(t, b, e, o);
  }
  return false;
}

}  // namespace tiergate::privacy
