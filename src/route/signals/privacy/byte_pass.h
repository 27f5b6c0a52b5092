#pragma once
// Internal to the byte pass (text_pass.cpp, detectors.h: scan_numbers_and_tokens): the byte-class
// table, the finding sink, and the street-address readers (street_addresses.cpp) it calls at each
// short digit run. Pure; any thread.

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "route/signals/privacy/block_masks.h"
#include "route/signals/privacy/detectors.h"

namespace tiergate::privacy::byte_pass {

using T = EntityType;

enum : uint8_t { kDigit = 1, kToken = 2, kNumSep = 4, kLetter = 8, kStreetStart = 16 };

inline constexpr std::array<uint8_t, 256> kClass = [] {
  std::array<uint8_t, 256> c{};
  for (int i = '0'; i <= '9'; ++i) c[i] = kDigit | kToken;
  for (int i = 'a'; i <= 'z'; ++i) c[i] = kToken | kLetter;
  for (int i = 'A'; i <= 'Z'; ++i) c[i] = kToken | kLetter;
  // What may start the word after a house number: a capital, an ordinal's digit, the first
  // letter of a French street word (rue, avenue, boulevard, place, chemin, impasse, quai, allee).
  for (int i = 'A'; i <= 'Z'; ++i) c[i] |= kStreetStart;
  for (int i = '0'; i <= '9'; ++i) c[i] |= kStreetStart;
  for (char ch : std::string_view("rabpciq")) c[static_cast<unsigned char>(ch)] |= kStreetStart;
  c['+'] = kToken;
  c['/'] = kToken | kNumSep;
  c['_'] = kToken;
  c['-'] = kToken | kNumSep;
  c[' '] = kNumSep;
  c['.'] = kNumSep;
  c['('] = kNumSep;
  c[')'] = kNumSep;
  return c;
}();

// [A-Za-z0-9_-] (refiners::is_token_char) from a table: the readers of vendor keys and JWTs walk
// long runs of it.
inline constexpr std::array<bool, 256> kTokenByte = [] {
  std::array<bool, 256> a{};
  for (int c = 0; c < 256; ++c)
    a[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  return a;
}();
inline bool token_byte(char c) { return kTokenByte[static_cast<unsigned char>(c)]; }

inline uint8_t cls(std::string_view t, size_t i) {
  return i < t.size() ? kClass[static_cast<unsigned char>(t[i])] : 0;
}
inline bool digit(std::string_view t, size_t i) { return (cls(t, i) & kDigit) != 0; }
inline bool letter(std::string_view t, size_t i) { return (cls(t, i) & kLetter) != 0; }
inline char low(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

inline bool istarts(std::string_view t, size_t i, std::string_view w) {
  if (i + w.size() > t.size()) return false;
  for (size_t k = 0; k < w.size(); ++k)
    if (low(t[i + k]) != w[k]) return false;
  return true;
}

struct Ctx {
  std::string_view t;
  const RefineOptions& o;
  const std::array<bool, kEntityTypeCount>& enabled;
  std::vector<Finding>& out;
  std::vector<AnchoredHit>* anchored = nullptr;  // null: the anchored patterns are not looked for
  bool on(T type) const { return enabled[static_cast<size_t>(type)]; }
  void add(T type, size_t b, size_t e) { out.push_back(Finding{type, b, e}); }
  void hit(AnchoredPattern p, size_t literal, size_t end) {
    anchored->push_back(
        AnchoredHit{p, static_cast<uint32_t>(literal), static_cast<uint32_t>(end)});
  }
};

// The readers of a street address around the digit run t[i, digits_end) (a house number): each
// appends the address it finds. US and French addresses follow the number (1600 Pennsylvania
// Avenue, 10 rue de Rivoli), German and Spanish or Italian ones precede it (Hauptstraße 5,
// Calle Mayor 12).
void scan_us_address(Ctx& c, size_t i, size_t digits_end);
void scan_fr_address(Ctx& c, size_t i, size_t digits_end);
void scan_de_address(Ctx& c, size_t i, size_t digits_end);
void scan_es_address(Ctx& c, size_t i, size_t digits_end);

// The ends of the anchored patterns (detectors.h: anchored_patterns) whose literal starts at t[i]:
// every end the engine would report for that start, in increasing order (anchored_patterns.cpp).
// REQUIRES: c.anchored; t[i] is '@' (e-mail), the ':' of "://" (URL password), the 'e' of "eyJ"
// (JWT) or the 'b' of "bearer" in any case.
void email_ends(Ctx& c, size_t i);
void url_password_end(Ctx& c, size_t i);
void jwt_end(Ctx& c, size_t i);
void bearer_end(Ctx& c, size_t i);

// The vendor-prefixed secrets (vendor_keys.cpp, detectors.h: vendor_patterns) whose literal holds
// t[i], a bit of BlockMasks::vendor, each appended as a finding of an enabled type. Each reader
// checks its literal again.
void vendor_key_at(Ctx& c, size_t i);

// scan_numbers_and_tokens with the block masks of a given SIMD level, for the tests: every level
// finds the same. REQUIRES: the CPU runs `level`.
void scan_at_level(SimdLevel level, std::string_view text, const RefineOptions& options,
                   const std::array<bool, kEntityTypeCount>& enabled, std::vector<Finding>& out,
                   std::vector<AnchoredHit>* anchored = nullptr);

}  // namespace tiergate::privacy::byte_pass
