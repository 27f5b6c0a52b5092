#pragma once
// The built-in detectors: one Hyperscan pattern per format, each paired with a refiner that turns
// an engine candidate into a finding (checksums, ranges, boundaries, context words) and fixes the
// exact span. Hyperscan has no look-around, so boundaries are checked here, not in the patterns.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "route/signals/privacy/entity.h"

namespace tiergate::privacy {

enum class Refiner : uint8_t {
  kNone,          // accept the engine span as is (custom regex)
  kWord,          // custom dictionary word: not glued to letters or digits
  kEmail,
  kPhone,
  kCard,
  kIban,
  kSsnSeparated,  // 123-45-6789, 123 45 6789
  kSsnBare,       // 123456789 near a context word
  kIpv4,
  kIpv6,
  kStreetAddress,
  kToken,         // fixed-prefix vendor token: whole token, not glued to token characters
  kOpenAiKey,
  kSlackToken,
  kJwt,
  kPemBlock,
  kPasswordValue,  // value after "password=" / "pwd:" / "--password "
  kKeyValue,       // value after "api_key=" / "token:" / "Bearer "
  kPasswordIs,     // value after "my password is"
  kUrlPassword,    // password of scheme://user:password@host
  kHighEntropy,
};

struct PatternSpec {
  const char* regex;  // Hyperscan syntax
  unsigned flags;     // extra HS_FLAG_* (SOM_LEFTMOST is always added)
  EntityType type;
  Refiner refiner;
  // False: only the longest match per start matters (tokens, runs). True: the refiner may accept
  // a shorter end when the longest fails (numbers followed by more digits or words).
  bool all_ends;
};

// The built-in table, in a fixed order (pattern ids index it).
std::span<const PatternSpec> builtin_patterns();

struct RefineOptions {
  double entropy_threshold = 3.5;  // bits per character, generic tokens
  size_t entropy_min_length = 20;  // characters, generic tokens
};

// Checks the candidate text[begin, end) the engine reported and sets the finding's span (which
// for assignments is the value after the match). False: not an entity.
bool refine(Refiner refiner, std::string_view text, size_t begin, size_t end,
            const RefineOptions& options, size_t* out_begin, size_t* out_end);

// Which finding wins when spans overlap: the higher. Secrets above personal data above the
// generic entropy heuristic.
int entity_priority(EntityType type);

}  // namespace tiergate::privacy
