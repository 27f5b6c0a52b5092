// Entity values in varied formats for the labelled corpus (see corpus.h).

#include <fmt/format.h>

#include "route/signals/privacy/corpus.h"
#include "route/signals/privacy/validators.h"

namespace tiergate::privacy::corpus {

uint64_t Rng::next() {
  // splitmix64
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

namespace {

constexpr const char* kFirst[] = {"jane",  "john",  "maria", "li",    "ahmed",  "olga",  "pierre",
                                  "sofia", "kenji", "amara", "lukas", "noah",   "emma",  "raj",
                                  "zoe",   "mateo", "anna",  "chen",  "fatima", "oliver"};
constexpr const char* kLast[] = {"doe",     "smith",  "garcia", "wang",   "khan",
                                 "ivanova", "dubois", "rossi",  "tanaka", "okafor",
                                 "mueller", "brown",  "nguyen", "patel",  "kowalski",
                                 "silva",   "jensen", "haddad", "lee",    "moreau"};
constexpr const char* kDomains[] = {"example.com",
                                    "mail.example.org",
                                    "corp-x.co.uk",
                                    "uni-heidelberg.de",
                                    "startup.io",
                                    "company.technology",
                                    "gmx.net",
                                    "posteo.de",
                                    "outlook.example",
                                    "health.example.gov",
                                    "sub.dept.example.edu",
                                    "shop.example.fr",
                                    "xn--bcher-kva.example"};
constexpr const char* kStreetNames[] = {
    "Main",   "Oak",      "Pine",      "Maple",  "Cedar", "Elm",      "Baker",        "Washington",
    "Lake",   "Hill",     "Park",      "Sunset", "Mill",  "Church",   "Pennsylvania", "Market",
    "Willow", "Highland", "Jefferson", "King",   "Queen", "Victoria", "Mission"};
constexpr const char* kSuffixes[] = {"Street",  "St",     "St.",       "Avenue", "Ave",   "Ave.",
                                     "Road",    "Rd",     "Boulevard", "Blvd",   "Lane",  "Ln",
                                     "Drive",   "Dr",     "Court",     "Way",    "Place", "Terrace",
                                     "Parkway", "Circle", "street",    "avenue", "road"};

const char kAlnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const char kUpperDigits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

std::string random_chars(Rng& r, size_t n, std::string_view alphabet) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += alphabet[r.below(alphabet.size())];
  return s;
}

std::string digits(Rng& r, size_t n) { return random_chars(r, n, "0123456789"); }

// Random token over an alphabet, guaranteed to contain upper, lower and digit (as real keys do
// with overwhelming probability at these lengths).
std::string mixed_token(Rng& r, size_t n, std::string_view alphabet = kAlnum) {
  for (;;) {
    std::string s = random_chars(r, n, alphabet);
    bool u = false, l = false, d = false;
    for (char c : s) {
      u = u || (c >= 'A' && c <= 'Z');
      l = l || (c >= 'a' && c <= 'z');
      d = d || (c >= '0' && c <= '9');
    }
    if (u && l && d) return s;
  }
}

std::string b64url(std::string_view in) {
  static const char* kChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : in) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kChars[(acc >> bits) & 63];
    }
  }
  if (bits > 0) out += kChars[(acc << (6 - bits)) & 63];
  return out;
}

char luhn_digit(const std::string& body) {
  for (char c = '0'; c <= '9'; ++c)
    if (luhn_valid(body + c)) return c;
  return '0';
}

std::string group(const std::string& d, std::initializer_list<int> sizes, char sep) {
  std::string out;
  size_t pos = 0;
  for (int n : sizes) {
    if (!out.empty()) out += sep;
    out += d.substr(pos, n);
    pos += n;
  }
  return out;
}

std::string email(Rng& r, std::string* f) {
  std::string first = r.pick(kFirst), last = r.pick(kLast);
  std::string local;
  switch (r.below(7)) {
    case 0:
      local = first + "." + last;
      *f = "email/first.last";
      break;
    case 1:
      local = first.substr(0, 1) + last;
      *f = "email/flast";
      break;
    case 2:
      local = first + "_" + last + digits(r, 2);
      *f = "email/underscore-digits";
      break;
    case 3:
      local = first + "+" + random_chars(r, 5, "abcdefghijklmnopqrstuvwxyz");
      *f = "email/plus-tag";
      break;
    case 4:
      local = first.substr(0, 1) + "." + r.pick(kFirst)[0] + "." + last;
      *f = "email/initials";
      break;
    case 5:
      local = first + digits(r, 4);
      *f = "email/digits";
      break;
    default:
      local = first + "-" + last;
      *f = "email/hyphen";
      break;
  }
  std::string s = local + "@" + r.pick(kDomains);
  if (r.chance(0.15)) {
    for (char& c : s)
      if (c >= 'a' && c <= 'z' && r.chance(0.3)) c = static_cast<char>(c - 32);
    *f += "+mixed-case";
  }
  return s;
}

std::string nanp(Rng& r) {
  return std::to_string(2 + r.below(8)) + digits(r, 2) + std::to_string(2 + r.below(8)) +
         digits(r, 6);
}

std::string phone(Rng& r, std::string* f) {
  const std::string n = nanp(r);
  switch (r.below(17)) {
    case 0:
      *f = "phone/e164";
      return "+1" + n;
    case 16:
      *f = "phone/us-bare";
      return n;  // planted only next to a word like "call"
    case 1:
      *f = "phone/us-intl-parens";
      return "+1 (" + n.substr(0, 3) + ") " + n.substr(3, 3) + "-" + n.substr(6);
    case 2:
      *f = "phone/us-intl-dashes";
      return "+1-" + group(n, {3, 3, 4}, '-');
    case 3:
      *f = "phone/us-parens";
      return "(" + n.substr(0, 3) + ") " + n.substr(3, 3) + "-" + n.substr(6);
    case 4:
      *f = "phone/us-dashes";
      return group(n, {3, 3, 4}, '-');
    case 5:
      *f = "phone/us-dots";
      return group(n, {3, 3, 4}, '.');
    case 6:
      *f = "phone/us-spaces";
      return group(n, {3, 3, 4}, ' ');
    case 7:
      *f = "phone/uk-intl";
      return "+44 " + std::to_string(20 + r.below(2) * 0) + " " + digits(r, 4) + " " + digits(r, 4);
    case 8:
      *f = "phone/uk-national";
      return r.chance(0.5) ? "020 " + digits(r, 4) + " " + digits(r, 4)
                           : "07" + digits(r, 3) + " " + digits(r, 6);
    case 9:
      *f = "phone/fr";
      {
        std::string d = "0" + std::to_string(1 + r.below(9)) + digits(r, 8);
        return r.chance(0.5) ? group(d, {2, 2, 2, 2, 2}, ' ') : group(d, {2, 2, 2, 2, 2}, '.');
      }
    case 10:
      *f = "phone/fr-intl";
      return "+33 " + std::to_string(1 + r.below(9)) + " " + group(digits(r, 8), {2, 2, 2, 2}, ' ');
    case 11:
      *f = "phone/de";
      return r.chance(0.5) ? "+49 (0)30 " + digits(r, 4) + " " + digits(r, 4)
                           : "0151 " + digits(r, 4) + " " + digits(r, 4);
    case 12:
      *f = "phone/in";
      return "+91 " + std::to_string(6 + r.below(4)) + digits(r, 4) + " " + digits(r, 5);
    case 13:
      *f = "phone/jp";
      return r.chance(0.5) ? "03-" + digits(r, 4) + "-" + digits(r, 4)
                           : "090-" + digits(r, 4) + "-" + digits(r, 4);
    case 14:
      *f = "phone/au";
      return r.chance(0.5) ? "(02) " + digits(r, 4) + " " + digits(r, 4)
                           : "04" + digits(r, 2) + " " + digits(r, 3) + " " + digits(r, 3);
    default:
      *f = "phone/intl-00";
      return "0044 20 " + digits(r, 4) + " " + digits(r, 4);
  }
}

std::string card(Rng& r, std::string* f) {
  struct Brand {
    const char* name;
    const char* prefix;
    int len;
  };
  static const Brand kBrands[] = {
      {"visa", "4", 16},        {"visa13", "4", 13}, {"visa19", "4", 19},  {"mastercard", "5", 16},
      {"mc2", "22", 16},        {"amex", "37", 15},  {"amex34", "34", 15}, {"discover", "6011", 16},
      {"discover65", "65", 16}, {"jcb", "35", 16},   {"diners", "36", 14}, {"unionpay", "62", 16},
      {"maestro", "6759", 16}};
  const Brand& b = r.pick(kBrands);
  std::string body = b.prefix;
  if (std::string(b.name) == "mastercard") body += std::to_string(1 + r.below(5));
  if (std::string(b.name) == "mc2") body += std::to_string(2 + r.below(6)) + "1";
  if (std::string(b.name) == "jcb") body += std::to_string(28 + r.below(62));
  while (static_cast<int>(body.size()) < b.len - 1) body += digits(r, 1);
  const std::string d = body + luhn_digit(body);
  *f = std::string("card/") + b.name;
  const uint64_t style = r.below(3);
  if (style == 2) {
    *f += "-bare";
    return d;
  }
  const char sep = style == 0 ? ' ' : '-';
  *f += style == 0 ? "-spaces" : "-dashes";
  if (b.len == 15) return group(d, {4, 6, 5}, sep);
  if (b.len == 14) return group(d, {4, 6, 4}, sep);
  if (b.len == 13) return group(d, {4, 4, 5}, sep);
  if (b.len == 19) return group(d, {4, 4, 4, 4, 3}, sep);
  return group(d, {4, 4, 4, 4}, sep);
}

std::string iban(Rng& r, std::string* f) {
  struct Country {
    const char* code;
    const char* bban;  // 'n' digit, 'a' upper letter, 'c' alnum
  };
  static const Country kCountries[] = {{"DE", "nnnnnnnnnnnnnnnnnn"},
                                       {"GB", "aaaannnnnnnnnnnnnn"},
                                       {"FR", "nnnnnnnnnnccccccccccnnn"},
                                       {"ES", "nnnnnnnnnnnnnnnnnnnn"},
                                       {"IT", "annnnnnnnnncccccccccccc"},
                                       {"NL", "aaaannnnnnnnnn"},
                                       {"BE", "nnnnnnnnnnnn"},
                                       {"CH", "nnnnncccccccccccc"},
                                       {"AT", "nnnnnnnnnnnnnnnn"},
                                       {"PL", "nnnnnnnnnnnnnnnnnnnnnnnn"},
                                       {"SE", "nnnnnnnnnnnnnnnnnnnn"},
                                       {"NO", "nnnnnnnnnnn"},
                                       {"IE", "aaaannnnnnnnnnnnnn"},
                                       {"PT", "nnnnnnnnnnnnnnnnnnnnn"},
                                       {"FI", "nnnnnnnnnnnnnn"},
                                       {"LU", "nnnccccccccccccc"},
                                       {"DK", "nnnnnnnnnnnnnn"},
                                       {"SA", "nncccccccccccccccccc"}};
  const Country& c = r.pick(kCountries);
  std::string bban;
  for (const char* p = c.bban; *p; ++p) {
    if (*p == 'n')
      bban += digits(r, 1);
    else if (*p == 'a')
      bban += random_chars(r, 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
    else if (*p == 'c')
      bban += random_chars(r, 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
  }
  std::string code = c.code;
  // Check digits: 98 - (BBAN + country + "00") mod 97.
  int rem = 0;
  for (char ch : bban + code + "00") {
    if (ch >= '0' && ch <= '9')
      rem = (rem * 10 + (ch - '0')) % 97;
    else
      rem = (rem * 100 + (ch - 'A' + 10)) % 97;
  }
  const std::string compact = code + fmt::format("{:02d}", 98 - rem) + bban;
  *f = "iban/" + code;
  const uint64_t style = r.below(10);
  if (style < 5) {
    std::string out;
    for (size_t i = 0; i < compact.size(); i += 4) {
      if (!out.empty()) out += ' ';
      out += compact.substr(i, 4);
    }
    *f += "-spaced";
    return out;
  }
  if (style < 9) {
    *f += "-compact";
    return compact;
  }
  std::string lower = compact;
  for (char& ch : lower)
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch + 32);
  *f += "-lowercase";
  return lower;
}

std::string ssn(Rng& r, std::string* f) {
  int area = 0;
  do area = 1 + static_cast<int>(r.below(899));
  while (area == 666);
  const std::string d = fmt::format("{:03d}{:02d}{:04d}", area, 1 + r.below(99), 1 + r.below(9999));
  switch (r.below(3)) {
    case 0:
      *f = "ssn/dashes";
      return group(d, {3, 2, 4}, '-');
    case 1:
      *f = "ssn/spaces";
      return group(d, {3, 2, 4}, ' ');
    default:
      *f = "ssn/bare";
      return d;
  }
}

std::string hex_group(Rng& r, size_t n) { return random_chars(r, n, "0123456789abcdef"); }

std::string ip(Rng& r, std::string* f) {
  auto octet = [&] { return std::to_string(r.below(256)); };
  switch (r.below(8)) {
    case 0:
      *f = "ip/v4-private";
      return "10." + octet() + "." + octet() + "." + octet();
    case 1:
      *f = "ip/v4-public";
      return std::to_string(1 + r.below(223)) + "." + octet() + "." + octet() + "." + octet();
    case 2:
      *f = "ip/v4-192";
      return "192.168." + octet() + "." + octet();
    case 3:
      *f = "ip/v6-full";
      {
        std::string s;
        for (int i = 0; i < 8; ++i) s += (i ? ":" : "") + hex_group(r, 4);
        if (s.find_first_of("0123456789") == std::string::npos) s[0] = '2';
        return s;
      }
    case 4:
      *f = "ip/v6-compressed";
      return "2001:db8:" + hex_group(r, 1 + r.below(4)) + "::" + std::to_string(1 + r.below(9999));
    case 5:
      *f = "ip/v6-link-local";
      return "fe80::" + hex_group(r, 3) + ":" + hex_group(r, 2) + "ff:fe" + hex_group(r, 2) + ":" +
             std::to_string(1000 + r.below(9000));
    case 6:
      *f = "ip/v6-mapped";
      return "::ffff:" + std::to_string(1 + r.below(223)) + "." + octet() + "." + octet() + "." +
             octet();
    default:
      *f = "ip/v6-upper";
      return "2001:DB8:" + std::to_string(10 + r.below(89)) +
             "A::" + std::to_string(1 + r.below(99)) + "F";
  }
}

std::string address(Rng& r, std::string* f) {
  switch (r.below(8)) {
    case 0:
    case 1:
    case 2:
      *f = "address/us";
      return std::to_string(1 + r.below(9999)) + " " + r.pick(kStreetNames) + " " +
             r.pick(kSuffixes);
    case 3:
      *f = "address/us-two-words";
      return std::to_string(1 + r.below(999)) + " " + r.pick(kStreetNames) + " " +
             r.pick(kStreetNames) + " " + r.pick(kSuffixes);
    case 4:
      *f = "address/us-ordinal";
      {
        const int n = 1 + static_cast<int>(r.below(99));
        const char* suf = (n % 10 == 1 && n != 11)   ? "st"
                          : (n % 10 == 2 && n != 12) ? "nd"
                          : (n % 10 == 3 && n != 13) ? "rd"
                                                     : "th";
        return std::to_string(1 + r.below(999)) + " " + std::to_string(n) + suf + " " +
               r.pick(kSuffixes);
      }
    case 5:
      *f = "address/de";
      {
        constexpr const char* kDe[] = {"Hauptstraße",  "Bahnhofstraße", "Lindenweg",
                                       "Schillerstr.", "Goetheplatz",   "Rosenallee",
                                       "Mühlenweg",    "Am Rosengarten"};
        const char* s = r.pick(kDe);
        if (std::string(s) == "Am Rosengarten") s = "Kirchgasse";
        return std::string(s) + " " + std::to_string(1 + r.below(150)) + (r.chance(0.2) ? "a" : "");
      }
    case 6:
      *f = "address/fr";
      {
        constexpr const char* kFr[] = {"rue de Rivoli",        "avenue des Champs-Élysées",
                                       "boulevard Haussmann",  "rue du Bac",
                                       "place de la Concorde", "rue Victor Hugo"};
        std::string s = r.pick(kFr);
        if (s.find("Élysées") != std::string::npos) s = "avenue de Wagram";
        return std::to_string(1 + r.below(200)) + (r.chance(0.3) ? ", " : " ") + s;
      }
    default:
      *f = "address/es-it";
      {
        constexpr const char* kEs[] = {"Calle Mayor",      "Calle de Alcalá", "Via Roma",
                                       "Avenida Paulista", "Piazza Navona",   "Corso Buenos Aires"};
        std::string s = r.pick(kEs);
        if (s == "Calle de Alcalá") s = "Calle de Serrano";
        return s + (r.chance(0.3) ? ", " : " ") + std::to_string(1 + r.below(300));
      }
  }
}

std::string api_key(Rng& r, std::string* f) {
  switch (r.below(12)) {
    case 0:
      *f = "api_key/aws-akia";
      return "AKIA" + random_chars(r, 16, kUpperDigits);
    case 1:
      *f = "api_key/aws-asia";
      return "ASIA" + random_chars(r, 16, kUpperDigits);
    case 2:
      *f = "api_key/aws-secret";
      return mixed_token(r, 40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+");
    case 3:
      *f = "api_key/github-ghp";
      return "ghp_" + mixed_token(r, 36);
    case 4:
      *f = "api_key/github-gho-ghs";
      return std::string(r.chance(0.5) ? "gho_" : "ghs_") + mixed_token(r, 36);
    case 5:
      *f = "api_key/github-pat";
      return "github_pat_" + mixed_token(r, 22) + "_" + mixed_token(r, 59);
    case 6:
      *f = "api_key/openai-legacy";
      return "sk-" + mixed_token(r, 48);
    case 7:
      *f = "api_key/openai-proj";
      return "sk-proj-" +
             mixed_token(r, 74,
                         "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") +
             "T3BlbkFJ" + mixed_token(r, 74);
    case 8:
      *f = "api_key/slack";
      return std::string("xox") + r.pick({'b', 'p', 'a'}) + "-" + digits(r, 12) + "-" +
             digits(r, 13) + "-" + mixed_token(r, 24);
    case 9:
      *f = "api_key/stripe";
      return std::string(r.pick({"sk", "rk", "pk"})) + (r.chance(0.5) ? "_live_" : "_test_") +
             mixed_token(r, 24 + r.below(76));
    case 10:
      *f = "api_key/google";
      return "AIza" +
             mixed_token(r, 35, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
    default:
      *f = "api_key/slack-webhook";
      return "https://hooks.slack.com/services/T" + random_chars(r, 8, kUpperDigits) + "/B" +
             random_chars(r, 8, kUpperDigits) + "/" + mixed_token(r, 24);
  }
}

std::string jwt(Rng& r, std::string* f) {
  static const char* kAlgs[] = {"HS256", "RS256", "ES256", "PS384", "EdDSA", "none"};
  const std::string alg = r.pick(kAlgs);
  std::string header;
  switch (r.below(3)) {
    case 0:
      header = fmt::format(R"({{"alg":"{}","typ":"JWT"}})", alg);
      break;
    case 1:
      header = fmt::format(R"({{"typ":"JWT","alg":"{}","kid":"{}"}})", alg, mixed_token(r, 8));
      break;
    default:
      header = fmt::format(R"({{"alg": "{}"}})", alg);
      break;
  }
  const std::string payload = fmt::format(
      R"({{"sub":"{}","name":"{} {}","iat":{},"exp":{}}})", digits(r, 8), r.pick(kFirst),
      r.pick(kLast), 1700000000 + r.below(10000000), 1710000000 + r.below(10000000));
  const std::string sig = alg == "none" ? "" : b64url(random_chars(r, 32 + r.below(32), kAlnum));
  *f = "jwt/" + alg;
  return b64url(header) + "." + b64url(payload) + "." + sig;
}

std::string pem(Rng& r, std::string* f) {
  static const char* kKinds[] = {"RSA PRIVATE KEY",     "EC PRIVATE KEY",        "PRIVATE KEY",
                                 "OPENSSH PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "DSA PRIVATE KEY"};
  const std::string kind = r.pick(kKinds);
  const std::string nl = r.chance(0.2) ? "\r\n" : "\n";
  std::string s = "-----BEGIN " + kind + "-----" + nl;
  const uint64_t lines = 2 + r.below(10);
  for (uint64_t i = 0; i < lines; ++i)
    s += random_chars(r, i + 1 == lines ? 4 + r.below(60) : 64,
                      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") +
         nl;
  s += "-----END " + kind + "-----";
  *f = "private_key/" + kind + (nl == "\r\n" ? "-crlf" : "");
  for (char& c : *f)
    if (c == ' ') c = '-';
  return s;
}

std::string password_value(Rng& r, bool url_safe) {
  static const char* kWords[] = {"Summer",    "winter",  "Dragon",   "monkey",   "Sunshine",
                                 "shadow",    "Letmein", "football", "Princess", "qwerty",
                                 "Tr0ub4dor", "correct", "horse",    "Battery"};
  // Symbols that need no quoting in a URL, JSON or a shell-style assignment.
  const std::string sym = url_safe ? "!*-_~" : "!*-_~^+=";
  switch (r.below(4)) {
    case 0:
      return std::string(r.pick(kWords)) + std::to_string(1990 + r.below(40)) +
             sym[r.below(sym.size())];
    case 1:
      return std::string(r.pick(kWords)) + digits(r, 1 + r.below(3));
    case 2:
      return random_chars(r, 10 + r.below(8), std::string(kAlnum) + sym);
    default:
      return mixed_token(r, 12 + r.below(12));
  }
}

std::string high_entropy(Rng& r, std::string* f) {
  switch (r.below(4)) {
    case 0:
      *f = "high_entropy/base62";
      return mixed_token(r, 24 + r.below(41));
    case 1:
      *f = "high_entropy/base64";
      {
        std::string s =
            mixed_token(r, 4 * (6 + r.below(10)),
                        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
        if (r.chance(0.5)) s.replace(s.size() - 1, 1, "=");
        return s;
      }
    case 2:
      *f = "high_entropy/base64url";
      return mixed_token(r, 32 + r.below(33),
                         "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
    default:
      *f = "high_entropy/base36-lower";
      {
        std::string s = random_chars(r, 32 + r.below(17), "abcdefghijklmnopqrstuvwxyz0123456789");
        s[r.below(s.size())] = '7';
        s[r.below(s.size())] = 'q';
        return s;
      }
  }
}

}  // namespace

std::vector<EntityType> plantable_types() {
  return {EntityType::kEmail,         EntityType::kPhone,    EntityType::kCard,
          EntityType::kIban,          EntityType::kSsn,      EntityType::kIpAddress,
          EntityType::kStreetAddress, EntityType::kApiKey,   EntityType::kJwt,
          EntityType::kPrivateKey,    EntityType::kPassword, EntityType::kHighEntropy};
}

std::string CorpusGenerator::entity_value(EntityType type, std::string* format) {
  std::string unused;
  std::string* f = format ? format : &unused;
  Rng& r = rng_;
  switch (type) {
    case EntityType::kEmail:
      return email(r, f);
    case EntityType::kPhone:
      return phone(r, f);
    case EntityType::kCard:
      return card(r, f);
    case EntityType::kIban:
      return iban(r, f);
    case EntityType::kSsn:
      return ssn(r, f);
    case EntityType::kIpAddress:
      return ip(r, f);
    case EntityType::kStreetAddress:
      return address(r, f);
    case EntityType::kApiKey:
      return api_key(r, f);
    case EntityType::kJwt:
      return jwt(r, f);
    case EntityType::kPrivateKey:
      return pem(r, f);
    case EntityType::kPassword:
      *f = "password";
      return password_value(r, true);
    case EntityType::kHighEntropy:
      return high_entropy(r, f);
    case EntityType::kCustom:
      break;
  }
  *f = "custom";
  return "CUST-" + digits(r, 8);
}

}  // namespace tiergate::privacy::corpus
