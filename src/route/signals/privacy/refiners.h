#pragma once
// The refiners behind detectors.h's refine(), one per format, split by family: numbers
// (number_refiners.cpp: phone, card, IBAN, SSN, IP, street address) and secrets
// (secret_refiners.cpp: vendor tokens, JWT, PEM, assignments, generic high-entropy tokens). Each
// checks the candidate text[b, e) and returns false when it is not an entity; those that move the
// span say so. Internal to the privacy folder; pure, no allocation, any thread.

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "route/signals/privacy/block_masks.h"
#include "route/signals/privacy/detectors.h"
#include "route/signals/privacy/validators.h"

namespace tiergate::privacy::refiners {

inline char at(std::string_view t, size_t i) { return i < t.size() ? t[i] : '\0'; }
inline char before(std::string_view t, size_t i) { return char_before(t, i); }
// A loop, not string_view::find: find calls memchr, which costs more than the compare for the
// short sets used here (it was the largest single item in the profile). Always inlined: with a
// literal set the loop unrolls into a few compares.
[[gnu::always_inline]] inline bool is_one_of(char c, std::string_view set) {
  if (c == '\0') return false;
  for (char x : set)
    if (x == c) return true;
  return false;
}
// The same for a literal set: its size is a constant, so the loop unrolls into compares.
template <size_t N>
[[gnu::always_inline]] inline bool is_one_of(char c, const char (&set)[N]) {
  bool hit = false;
  for (size_t i = 0; i + 1 < N; ++i) hit |= c == set[i];
  return hit && c != '\0';
}
// A set of bytes built at compile time from a literal (no '\0'): one bit test per byte where a
// loop reads a long set at every byte of a value (the assignment and token refiners).
class ByteSet {
 public:
  consteval explicit ByteSet(std::string_view chars) {
    for (char c : chars) bits_[byte(c) >> 6] |= uint64_t{1} << (byte(c) & 63);
  }
  bool has(char c) const { return bits_[byte(c) >> 6] >> (byte(c) & 63) & 1; }

 private:
  static constexpr unsigned byte(char c) { return static_cast<unsigned char>(c); }
  std::array<uint64_t, 4> bits_{};
};
inline bool is_token_char(char c) { return is_alnum(c) || c == '_' || c == '-'; }
inline char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }
inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

// Whether a phone context word ("call", "tel" ...) lies in text[from, to), searched once, when
// first asked. For the byte pass: [from, to) covers the 40 bytes before every start it may try in
// a region, so one search answers for all of them.
struct PhoneContext {
  size_t from = 0, to = 0;
  int state = -1;  // -1 not searched yet, 0 no, 1 yes
  bool possible(std::string_view t);
};

// Whether a phone context word ("call", "phone", "tel" ...) lies in t[from, to): has_context_word
// over the phone words, with AVX-512 where the CPU has it (phone_words.cpp). The level is for
// the tests: every level answers the same. REQUIRES: the CPU runs `level`.
bool has_phone_word(std::string_view t, size_t from, size_t to);
bool has_phone_word_at_level(byte_pass::SimdLevel level, std::string_view t, size_t from,
                             size_t to);
std::span<const std::string_view> phone_words();

// Numbers. refine_phone and refine_card may move the start to a later group (*ob). With `region`,
// a number that needs a context word is rejected at once when the region has none.
bool refine_phone(std::string_view t, size_t b, size_t e, size_t* ob,
                  PhoneContext* region = nullptr);
bool refine_card(std::string_view t, size_t b, size_t e, size_t* ob);
bool refine_iban(std::string_view t, size_t b, size_t e);
bool refine_ssn(std::string_view t, size_t b, size_t e, bool bare);
bool refine_ipv4(std::string_view t, size_t b, size_t e);
bool refine_ipv6(std::string_view t, size_t b, size_t e);
bool refine_address(std::string_view t, size_t b, size_t e);

// Secrets. refine_pem always accepts and sets the end of the block; the assignment refiners set
// the value's span.
bool refine_token(std::string_view t, size_t b, size_t e);
bool refine_openai(std::string_view t, size_t b, size_t e);
bool refine_slack(std::string_view t, size_t b, size_t e);
bool refine_jwt(std::string_view t, size_t b, size_t e);
void refine_pem(std::string_view t, size_t b, size_t e, size_t* out_end);
bool refine_assignment(Refiner r, std::string_view t, size_t b, size_t e, size_t* ob, size_t* oe);
bool refine_url_password(std::string_view t, size_t e, size_t* ob, size_t* oe);
bool refine_high_entropy(std::string_view t, size_t b, size_t e, const RefineOptions& o);
// Whether s is a name or a path of simple segments, not a random token (secret_refiners.cpp): from
// byte masks of s, 64 bytes at a time, made with AVX-512 where the CPU has it. The level and the
// bytewise version are for the tests: all answer the same. `readable`: the end of the memory
// that may be read (at or after s's end; null: s's end), as for a token inside a longer text,
// whose bytes after it are read in place. REQUIRES: the CPU runs `level`.
bool simple_segments(std::string_view s);
bool simple_segments_at_level(byte_pass::SimdLevel level, std::string_view s,
                              const char* readable = nullptr);
bool simple_segments_bytewise(std::string_view s);

// The secret assigned at the separator t[q] ('=' or ':'), when the word before it ends with a
// password key word (passwords) or an API key, token or secret key word (api_keys): sets the
// value's span and its type (kPassword, kApiKey). assignment_keys.cpp.
bool assignment_at(std::string_view t, size_t q, bool passwords, bool api_keys, size_t* ob,
                   size_t* oe, EntityType* type);
// The password at a "pass" (any case) starting at t[i]: a "--pass[word]" flag's value, or X in
// "password / passcode / passphrase is|was X". assignment_keys.cpp.
bool password_word_at(std::string_view t, size_t i, size_t* ob, size_t* oe);

}  // namespace tiergate::privacy::refiners
