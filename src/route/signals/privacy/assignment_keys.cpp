// Secret assignments found at their separator ("password = v", "DB_PASSWORD: v", "\"apiKey\": \"v\"",
// "client_secret => v"): the byte pass visits every '=' and ':' and asks here whether the key
// before it names a password or an API key, token or secret (refiners.h: assignment_at).
//
// These were two case-insensitive Hyperscan patterns, (password|passwd|passphrase|pwd|pass) and
// (api_key|access_token|...|token|secret), each followed by (\\*["'])?[ \t]*(=>|:=|=|:). Their
// short key words ("pass", "pwd", "token") are common inside ordinary words, and the two patterns
// alone halved the engine's speed on long text (0.8 -> 1.3 GB/s without them on the generated
// text). Read backwards from the separator instead, a separator that no key word precedes costs a
// few compares. Same matches: the key is a suffix of the word before the separator (any case),
// after optional backslashes and a quote and then spaces or tabs; the match ends after the
// separator ("=>" and ":=" whole), and the finding is the refined value, as before.

#include "route/signals/privacy/refiners.h"

namespace tiergate::privacy::refiners {
namespace {

// text[0, k) ends with `word` (lower case), in any case.
bool ends_with_word(std::string_view t, size_t k, std::string_view word) {
  if (k < word.size() || k > t.size()) return false;
  for (size_t i = 0; i < word.size(); ++i)
    if (lower(t[k - word.size() + i]) != word[i]) return false;
  return true;
}

// Skips an optional '_' or '-' before t[k] (the [_\-]? of the old pattern).
size_t skip_joiner(std::string_view t, size_t k) {
  return k > 0 && (t[k - 1] == '_' || t[k - 1] == '-') ? k - 1 : k;
}

bool password_key_ends_at(std::string_view t, size_t k) {
  for (std::string_view w : {"password", "passwd", "passphrase", "pwd", "pass"})
    if (ends_with_word(t, k, w)) return true;
  return false;
}

// api[_-]?key, secret[_-]?key, secret[_-]?access[_-]?key, ...token, ...secret.
bool api_key_ends_at(std::string_view t, size_t k) {
  if (ends_with_word(t, k, "token") || ends_with_word(t, k, "secret")) return true;
  if (!ends_with_word(t, k, "key")) return false;
  const size_t j = skip_joiner(t, k - 3);
  if (ends_with_word(t, j, "api") || ends_with_word(t, j, "secret")) return true;
  return ends_with_word(t, j, "access") && ends_with_word(t, skip_joiner(t, j - 6), "secret");
}

}  // namespace

bool assignment_at(std::string_view t, size_t q, bool passwords, bool api_keys, size_t* ob,
                   size_t* oe, EntityType* type) {
  // "byte_pass::Level", "token::kind": a scope, not an assignment.
  if (t[q] == ':' && ((q + 1 < t.size() && t[q + 1] == ':') || (q > 0 && t[q - 1] == ':')))
    return false;
  // Back over [ \t]*, then an optional quote with the backslashes before it.
  size_t k = q;
  while (k > 0 && (t[k - 1] == ' ' || t[k - 1] == '\t')) --k;
  if (k > 0 && (t[k - 1] == '"' || t[k - 1] == '\'')) {
    --k;
    while (k > 0 && t[k - 1] == '\\') --k;
  }
  // Every key word ends in one of these letters: most separators stop here.
  if (k == 0) return false;
  const char last = lower(t[k - 1]);
  if (last != 's' && last != 'd' && last != 'e' && last != 'n' && last != 't' && last != 'y')
    return false;
  Refiner refiner;
  if (passwords && password_key_ends_at(t, k)) {
    refiner = Refiner::kPasswordValue;
    *type = EntityType::kPassword;
  } else if (api_keys && api_key_ends_at(t, k)) {
    refiner = Refiner::kKeyValue;
    *type = EntityType::kApiKey;
  } else {
    return false;
  }
  // The match ends after the separator; "=>" and ":=" count whole.
  size_t end = q + 1;
  if (end < t.size() && ((t[q] == '=' && t[end] == '>') || (t[q] == ':' && t[end] == '=')))
    ++end;
  const size_t b = find_start(StartFinder::kKey, t, end);
  return refine_assignment(refiner, t, b, end, ob, oe) && *ob < *oe;
}

bool password_word_at(std::string_view t, size_t i, size_t* ob, size_t* oe) {
  // "--pass" / "--password" followed by '=' or ' ' (a command-line flag): was
  // --pass(?:word)?[= ].
  if (i >= 2 && t[i - 2] == '-' && t[i - 1] == '-') {
    size_t e = i + 4;
    if (ends_with_word(t, e + 4, "word")) e += 4;
    if (e < t.size() && (t[e] == '=' || t[e] == ' ')) {
      const size_t b = find_start(StartFinder::kKey, t, e + 1);
      if (refine_assignment(Refiner::kPasswordValue, t, b, e + 1, ob, oe) && *ob < *oe) return true;
    }
  }
  // "password is X" in prose: was (?:password|passcode|passphrase)[ \t]+(?:is|was).
  size_t k = 0;
  for (std::string_view w : {"password", "passcode", "passphrase"})
    if (ends_with_word(t, i + w.size(), w)) k = i + w.size();
  if (k == 0 || k >= t.size() || (t[k] != ' ' && t[k] != '\t')) return false;
  while (k < t.size() && (t[k] == ' ' || t[k] == '\t')) ++k;
  size_t e = 0;
  if (ends_with_word(t, k + 2, "is")) e = k + 2;
  if (ends_with_word(t, k + 3, "was")) e = k + 3;
  if (e == 0) return false;
  const size_t b = find_start(StartFinder::kKey, t, e);
  return refine_assignment(Refiner::kPasswordIs, t, b, e, ob, oe) && *ob < *oe;
}

}  // namespace tiergate::privacy::refiners
