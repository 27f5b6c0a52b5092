#pragma once
// The built-in detectors: a byte-class pass for numbers, tokens, assignments and the literal-led
// formats (each given as the regex it matches), each candidate checked by a refiner that turns it
// into a finding (checksums, ranges, boundaries, context words) and fixes the exact span.
// Boundaries are checked by the refiners, not in the patterns (Hyperscan, which ran them once and
// runs the custom ones, has no look-around).

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "route/signals/privacy/block_masks.h"
#include "route/signals/privacy/entity.h"

namespace tiergate::privacy {

enum class Refiner : uint8_t {
  kNone,  // accept the engine span as is (custom regex)
  kWord,  // custom dictionary word: not glued to letters or digits
  kEmail,
  kPhone,
  kCard,
  kIban,
  kSsnSeparated,  // 123-45-6789, 123 45 6789
  kSsnBare,       // 123456789 near a context word
  kIpv4,
  kIpv6,
  kStreetAddress,
  kToken,  // fixed-prefix vendor token: whole token, not glued to token characters
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

// How to find where a match starts from its end. The built-in patterns were compiled without
// HS_FLAG_SOM_LEFTMOST (start-of-match tracking made the database four times slower: 13 vs 51
// MB/s); the start is recovered from the text around the end, and the byte pass does the same.
enum class StartFinder : uint8_t {
  kEngine,    // reported by Hyperscan (SOM): custom entities only
  kEmail,     // back to '@', then over the local part
  kHexColon,  // back over hex digits, ':' and '.' (IPv6)
  kToken,     // back over token characters [A-Za-z0-9_-]
  kJwt,       // back over token characters and dots, to the first "eyJ"
  kUrl,       // back to "https://"
  kPemBegin,  // back to "-----BEGIN"
  kKey,       // the key of an assignment: back over separators, quotes, then the key word
};

struct PatternSpec {
  const char* regex;  // Hyperscan syntax
  unsigned flags;     // extra HS_FLAG_*
  EntityType type;
  Refiner refiner;
  StartFinder start;
  // False: only the longest match per start matters (tokens, runs). True: the refiner may accept
  // a shorter end when the longest fails (numbers followed by more digits or words).
  bool all_ends;
};

// Every built-in pattern is matched by the byte pass; Hyperscan runs only for custom entities.
//
// The secrets with a vendor prefix (AWS, GitHub, OpenAI, Slack, Stripe, Google API keys; PEM
// private keys): the byte pass finds each at its literal and appends the finding the engine's
// matches gave (vendor_keys.cpp). One Hyperscan pass for these nine cost 2-3 ms per 16 MiB of
// real text, about a sixth of the whole scan. `regex` says what is matched (and is the tests'
// reference).
std::span<const PatternSpec> vendor_patterns();

// The patterns whose literals ('@', "://", "eyJ", caseless "bearer") are common: they cost the
// engine more than all the others together (7.5 -> 2.5 ms on 16 MiB of generated text without
// them). The byte pass reports each end the engine would report (an AnchoredHit); the scanner
// groups and refines those hits like the engine's. In AnchoredPattern order.
enum class AnchoredPattern : uint8_t { kEmail, kUrlPassword, kJwt, kBearer };
inline constexpr size_t kAnchoredPatternCount = 4;
std::span<const PatternSpec, kAnchoredPatternCount> anchored_patterns();

struct AnchoredHit {
  AnchoredPattern pattern;
  uint32_t literal;  // where its literal starts: the hits of one literal are consecutive
  uint32_t end;      // one past the match's last byte
};

struct RefineOptions {
  double entropy_threshold = 3.5;  // bits per character, generic tokens
  size_t entropy_min_length = 20;  // characters, generic tokens
  // The SIMD level of the refiners' byte masks (generic tokens): the best this CPU runs; the byte
  // pass sets its own, so that a test of every level covers the refiners too.
  byte_pass::SimdLevel simd_level = byte_pass::best_simd_level();
};

// The start of a match of a pattern that ends at `end`, per its StartFinder (not kEngine).
size_t find_start(StartFinder finder, std::string_view text, size_t end);

// Checks the candidate text[begin, end) the engine reported and sets the finding's span (which
// for assignments is the value after the match). False: not an entity.
bool refine(Refiner refiner, std::string_view text, size_t begin, size_t end,
            const RefineOptions& options, size_t* out_begin, size_t* out_end);

struct Finding {
  EntityType type;
  size_t begin;
  size_t end;
};

// The byte pass, next to the Hyperscan pass: one walk over the text with a byte-class table that
// finds numbers and addresses (phone, card, IBAN, SSN, IPv4, IPv6, street addresses, which
// Hyperscan would have to track with slow class-led automata), runs of token characters (generic
// high-entropy secrets) and password / API-key assignments at '=' and ':' (refiners.h:
// assignment_at), refines them like the pattern candidates, and appends findings of enabled types.
// With `anchored`, also appends the ends of the anchored patterns of enabled types, unrefined.
void scan_numbers_and_tokens(std::string_view text, const RefineOptions& options,
                             const std::array<bool, kEntityTypeCount>& enabled,
                             std::vector<Finding>& out,
                             std::vector<AnchoredHit>* anchored = nullptr);

// Which finding wins when spans overlap: the higher. Secrets above personal data above the
// generic entropy heuristic.
int entity_priority(EntityType type);

}  // namespace tiergate::privacy
