// The vendor-prefixed secrets (detectors.h: vendor_patterns), read by the byte pass at the
// literals its masks point at. They were Hyperscan patterns, and each of them gave a finding in
// the same way: the engine reported the ends of a match, the scanner took the run of token bytes
// [A-Za-z0-9_-] that ends at the last one, and kept it when no token byte stands on either side
// (refine_token). All of these patterns consist of token bytes, so that finding is the whole
// token run [rs, re), and there is one exactly when a match of the pattern ends at re. What is
// checked here is that: the literal, then that the bytes after it up to the run's end are of the
// pattern's class, with its minimum count. The same refiners then decide
// (tests/unit/privacy/anchored_patterns_test.cpp compares the findings with the engine's).

#include <string_view>

#include "route/signals/privacy/byte_pass.h"
#include "route/signals/privacy/refiners.h"
#include "route/signals/privacy/validators.h"

namespace tiergate::privacy::byte_pass {
namespace {

using R = Refiner;

bool token_at(std::string_view t, size_t i) { return i < t.size() && token_byte(t[i]); }

// Byte by byte: the literals are short, and most compares fail at the first or second byte.
bool literal_at(std::string_view t, size_t q, std::string_view literal) {
  if (q + literal.size() > t.size()) return false;
  for (size_t k = 0; k < literal.size(); ++k)
    if (t[q + k] != literal[k]) return false;
  return true;
}

// The run of token bytes around q, and where its last '_' and '-' are: "no '_' at or after p"
// reads last_underscore_end <= p.
struct KeyRun {
  size_t begin = 0, end = 0;
  size_t last_underscore_end = 0, last_dash_end = 0;  // one past the last '_' / '-'; 0: none
};

KeyRun key_run(std::string_view t, size_t q) {
  KeyRun r;
  r.begin = q;
  while (r.begin > 0 && token_at(t, r.begin - 1)) --r.begin;
  for (r.end = r.begin; token_at(t, r.end); ++r.end) {
    if (t[r.end] == '_') r.last_underscore_end = r.end + 1;
    if (t[r.end] == '-') r.last_dash_end = r.end + 1;
  }
  return r;
}

// The finding of the run, if the pattern's refiner keeps it. A run over 4096 bytes has none (the
// start search of the engine's hits, find_start, looked back 4096 bytes at most).
void add_run(Ctx& c, const KeyRun& r, R refiner) {
  if (r.end - r.begin > 4096) return;
  size_t ob = 0, oe = 0;
  if (refine(refiner, c.t, r.begin, r.end, c.o, &ob, &oe)) c.add(T::kApiKey, ob, oe);
}

bool upper_or_digit(char ch) { return (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'); }

// (?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{16}, and
// AIza[0-9A-Za-z_\-]{35}: fixed lengths, so the run must end right after.
void aws_or_google_at(Ctx& c, size_t q) {
  const std::string_view t = c.t;
  if (q + 20 > t.size()) return;
  static constexpr std::string_view kAws[] = {"AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA",
                                              "AROA", "AIPA", "ANPA", "ANVA", "APKA"};
  if (literal_at(t, q, "AIza")) {
    if (q + 39 > t.size() || token_at(t, q + 39)) return;
    for (size_t k = q + 4; k < q + 39; ++k)
      if (!token_at(t, k)) return;
    add_run(c, key_run(t, q), R::kToken);
    return;
  }
  bool aws = false;
  for (std::string_view p : kAws)
    aws = aws || (t[q + 1] == p[1] && t[q + 2] == p[2] && t[q + 3] == p[3]);
  if (!aws || token_at(t, q + 20)) return;
  for (size_t k = q + 4; k < q + 20; ++k)
    if (!upper_or_digit(t[k])) return;
  add_run(c, key_run(t, q), R::kToken);
}

// gh[pousr]_[A-Za-z0-9]{36,}: letters and digits from the literal's end to the run's end.
void github_at(Ctx& c, size_t q) {
  const std::string_view t = c.t;
  if (q + 4 > t.size() || t[q] != 'g' || t[q + 1] != 'h' ||
      !refiners::is_one_of(t[q + 2], "pousr") || t[q + 3] != '_')
    return;
  const KeyRun r = key_run(t, q);
  if (r.last_underscore_end <= q + 4 && r.last_dash_end <= q + 4 && r.end >= q + 4 + 36)
    add_run(c, r, R::kToken);
}

// github_pat_[A-Za-z0-9_]{50,}: no '-' after the literal.
void github_pat_at(Ctx& c, size_t q) {
  if (!literal_at(c.t, q, "github_pat_")) return;
  const KeyRun r = key_run(c.t, q);
  if (r.last_dash_end <= q + 11 && r.end >= q + 11 + 50) add_run(c, r, R::kToken);
}

// xox[abposr]-[A-Za-z0-9\-]{10,}.
void slack_at(Ctx& c, size_t q) {
  const std::string_view t = c.t;
  if (!literal_at(t, q, "xox") || q + 5 > t.size() || !refiners::is_one_of(t[q + 3], "abposr") ||
      t[q + 4] != '-')
    return;
  const KeyRun r = key_run(t, q);
  if (r.last_underscore_end <= q + 5 && r.end >= q + 5 + 10) add_run(c, r, R::kSlackToken);
}

// At the 'k', 'c' or 'b' before a '-' or '_': sk-[A-Za-z0-9_\-]{20,},
// (?:sk|rk|pk|whsec)_(?:live|test)_[A-Za-z0-9]{16,}, and github_pat_ at its "b_".
void stripe_openai_or_github_at(Ctx& c, size_t i) {
  const std::string_view t = c.t;
  if (t[i] == 'b') {
    if (i >= 5) github_pat_at(c, i - 5);
    return;
  }
  if (t[i] == 'k' && i > 0) {
    const size_t q = i - 1;
    if (t[q] == 's' && literal_at(t, i + 1, "-")) {
      const KeyRun r = key_run(t, q);
      if (r.end >= q + 3 + 20) add_run(c, r, R::kOpenAiKey);
      return;
    }
    if ((t[q] == 's' || t[q] == 'r' || t[q] == 'p') &&
        (literal_at(t, i + 1, "_live_") || literal_at(t, i + 1, "_test_"))) {
      const KeyRun r = key_run(t, q);
      if (r.last_underscore_end <= q + 8 && r.last_dash_end <= q + 8 && r.end >= q + 8 + 16)
        add_run(c, r, R::kToken);
    }
    return;
  }
  if (t[i] == 'c' && i >= 4 &&
      (literal_at(t, i - 4, "whsec_live_") || literal_at(t, i - 4, "whsec_test_"))) {
    const size_t q = i - 4;
    const KeyRun r = key_run(t, q);
    if (r.last_underscore_end <= q + 11 && r.last_dash_end <= q + 11 && r.end >= q + 11 + 16)
      add_run(c, r, R::kToken);
  }
}

bool alnum_at(std::string_view t, size_t i) { return i < t.size() && is_alnum(t[i]); }

// https://hooks\.slack\.com/services/[A-Za-z0-9]+/[A-Za-z0-9]+/[A-Za-z0-9]+ : the engine's last
// end is the end of the third segment; its start was found back from there (find_start).
void slack_webhook_at(Ctx& c, size_t i) {
  const std::string_view t = c.t;
  if (i < 5 || !literal_at(t, i - 5, "https://hooks.slack.com/services/")) return;
  size_t j = i - 5 + 33;
  for (int segment = 0; segment < 3; ++segment) {
    const size_t from = j;
    while (alnum_at(t, j)) ++j;
    if (j == from) return;
    if (segment < 2) {
      if (j >= t.size() || t[j] != '/') return;
      ++j;
    }
  }
  const size_t from = find_start(StartFinder::kUrl, t, j);
  size_t ob = 0, oe = 0;
  if (from < j && refine(R::kToken, t, from, j, c.o, &ob, &oe)) c.add(T::kApiKey, ob, oe);
}

// -----BEGIN[A-Z ]{0,40} PRIVATE KEY(?: BLOCK)?----- from the '-' before the 'B' at t[i + 1]:
// everything before the closing dashes is in [A-Z ], so they follow the longest run of it, which
// must end with " PRIVATE KEY" or " PRIVATE KEY BLOCK" after 0 to 40 bytes; one end.
void pem_begin_at(Ctx& c, size_t i) {
  const std::string_view t = c.t;
  if (i < 4 || !literal_at(t, i - 4, "-----BEGIN")) return;
  const size_t q = i - 4, u = q + 10;
  size_t m = 0;
  while (m <= 58 && u + m < t.size() && ((t[u + m] >= 'A' && t[u + m] <= 'Z') || t[u + m] == ' '))
    ++m;
  if (m > 58 || !literal_at(t, u + m, "-----")) return;
  const std::string_view run = t.substr(u, m);
  const bool key = (run.ends_with(" PRIVATE KEY") && m - 12 <= 40) ||
                   (run.ends_with(" PRIVATE KEY BLOCK") && m >= 18 && m - 18 <= 40);
  if (!key) return;
  const size_t end = u + m + 5;
  const size_t from = find_start(StartFinder::kPemBegin, t, end);
  size_t ob = 0, oe = 0;
  if (from < end && refine(R::kPemBlock, t, from, end, c.o, &ob, &oe))
    c.add(T::kPrivateKey, ob, oe);
}

}  // namespace

void vendor_key_at(Ctx& c, size_t i) {
  const bool api_keys = c.on(T::kApiKey);
  switch (c.t[i]) {
    case 'A':
      if (api_keys) aws_or_google_at(c, i);
      break;
    case 'g':
      if (api_keys) github_at(c, i);
      break;
    case 'x':
      if (api_keys) slack_at(c, i);
      break;
    case '-':
      if (c.on(T::kPrivateKey)) pem_begin_at(c, i);
      break;
    case ':':
      if (api_keys) slack_webhook_at(c, i);
      break;
    default:  // 'k', 'c' or 'b'
      if (api_keys) stripe_openai_or_github_at(c, i);
      break;
  }
}

}  // namespace tiergate::privacy::byte_pass
