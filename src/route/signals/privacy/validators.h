#pragma once
// Pure checks that turn a pattern candidate into a finding: checksums (Luhn, IBAN mod-97), number
// ranges (SSN, IPv4 octets), structure (IPv6, JWT header) and text statistics (entropy). No
// allocation beyond small locals; callable from any thread.

#include <cstddef>
#include <span>
#include <string_view>

namespace tiergate::privacy {

// Luhn checksum over ASCII digits; false for an empty string or a non-digit.
bool luhn_valid(std::string_view digits);
// Issuer prefix and length of a known card network (Visa, Mastercard, Amex, Discover, JCB,
// Diners, UnionPay, Maestro). `digits` holds digits only.
bool card_brand_valid(std::string_view digits);
// IBAN: two-letter country with a known length, two check digits, mod-97 == 1. `compact` holds
// no separators; letters may be either case.
bool iban_valid(std::string_view compact);
// The IBAN length of a country (two letters, either case), or 0 when it has no IBAN.
int iban_country_length(char a, char b);
// US SSN ranges: area 001-899 but not 666, group 01-99, serial 0001-9999. Nine digits, no dashes.
bool ssn_valid(std::string_view nine_digits);
// Dotted-quad, each octet 0-255 without leading zeros.
bool ipv4_valid(std::string_view text);
// RFC 4291 text forms, with at most one "::" and an optional trailing dotted quad. A zone suffix
// ("%eth0") is not part of `text`.
bool ipv6_valid(std::string_view text);
// Shannon entropy of the byte distribution, bits per byte.
double shannon_entropy(std::string_view text);
// Base64url (no padding needed) decode into `out`; returns the decoded size, or -1 when invalid
// or when `out` is too small.
long base64url_decode(std::string_view in, std::span<char> out);
// The first segment of a JWT decodes to a JSON object with an "alg" member.
bool jwt_header_valid(std::string_view header_segment);

// Case-insensitive search for any of `words` in text[from, to) (clamped), where a word must not
// be glued to letters on either side. For context checks ("call", "ssn", "card").
bool has_context_word(std::string_view text, size_t from, size_t to,
                      std::span<const std::string_view> words);
// Whether has_context_word finds one of `words` starting at text[i] (not glued to letters, ending
// by `to`). REQUIRES: i < to <= text.size().
bool context_word_at(std::string_view text, size_t i, size_t to,
                     std::span<const std::string_view> words);

// True when the backslash at t[i] escapes the next character (an odd run of backslashes ends
// at i).
bool escaped_at(std::string_view t, size_t i);
// The character before t[i] ('\0' at the start). In JSON text an escaped newline, return or tab
// ("\n" as two characters, or more backslashes when JSON is nested) reads as a space, so word
// boundaries work inside raw JSON fields.
// Inline: every boundary and context check calls it.
inline char char_before(std::string_view t, size_t i) {
  if (i == 0 || i > t.size()) return '\0';
  const char c = t[i - 1];
  // Any backslash run: "\\n" inside JSON inside JSON is a newline too. (A literal backslash
  // before n, as in "C:\\new", only makes a boundary more permissive.)
  if (i >= 2 && (c == 'n' || c == 'r' || c == 't') && t[i - 2] == '\\') return ' ';
  return c;
}

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_alpha(char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
inline bool is_alnum(char c) { return is_digit(c) || is_alpha(c); }
inline bool is_hex(char c) { return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); }

}  // namespace tiergate::privacy
