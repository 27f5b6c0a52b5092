#include "route/signals/privacy/detectors.h"

#include <hs/hs.h>

#include <array>
#include <string>

#include "route/signals/privacy/refiners.h"

namespace tiergate::privacy {
namespace {

using T = EntityType;
using R = Refiner;
using S = StartFinder;
constexpr unsigned kCaseless = HS_FLAG_CASELESS;

// Matched by the byte pass (vendor_keys.cpp); `regex` says what is matched.
constexpr PatternSpec kVendorPatterns[] = {
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
    {R"(-----BEGIN[A-Z ]{0,40} PRIVATE KEY(?: BLOCK)?-----)", 0, T::kPrivateKey, R::kPemBlock,
     S::kPemBegin, false},
};

// Matched by the byte pass (anchored_patterns.cpp), in AnchoredPattern order.
constexpr PatternSpec kAnchored[kAnchoredPatternCount] = {
    // E-mail: from the '@' (the local part is found backwards, StartFinder::kEmail).
    {R"(@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,24})", 0, T::kEmail, R::kEmail, S::kEmail,
     true},
    // Assignments: the match ends at the separator; the value follows (spaces skipped). Keys
    // before '=' and ':' ("password = v", "api_key: v") are read by the byte pass too
    // (assignment_keys.cpp): their short caseless key words slowed the engine down by half.
    {R"(://[^\s:/@"'<>]{1,64}:)", 0, T::kPassword, R::kUrlPassword, S::kKey, false},
    // JWT: up to the second dot; the refiner reads the signature segment. (With the segment in
    // the pattern, the engine reported an end at each of its characters.)
    {R"(eyJ[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{2,}\.)", 0, T::kJwt, R::kJwt, S::kJwt, false},
    {R"(bearer[ \t])", kCaseless, T::kApiKey, R::kKeyValue, S::kKey, false},
};

}  // namespace

using namespace refiners;

std::span<const PatternSpec> vendor_patterns() { return kVendorPatterns; }

std::span<const PatternSpec, kAnchoredPatternCount> anchored_patterns() { return kAnchored; }

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
      static constexpr ByteSet kKeyGap(" \t:=>\"'\\-");
      while (s > 0 && end - s < 16 && kKeyGap.has(t[s - 1])) --s;
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
      while (e < t.size() && is_token_char(t[e])) ++e;  // the signature segment
      *oe = e;
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
