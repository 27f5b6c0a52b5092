// The phone context words ("call", "tel" ...) around a number (refiners.h: has_phone_word). The
// byte pass asks for one per numeric region that is not a phone number by its shape alone, some
// 30,000 times in 16 MiB of generated text, each over the 40 bytes before the region and the
// region itself; the byte loop of has_context_word stopped at every word starting with one of
// the words' first letters (c, t, m, p, s, r, d, h ...: most words). With AVX-512 the window is
// read 63 positions at a time, with AVX2 32: a position is checked only where its two letters
// start a phone word (table lookups) and the byte before is no letter (or an escaped newline's n,
// r, t).

#include <immintrin.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "route/signals/privacy/avx2_bytes.h"
#include "route/signals/privacy/refiners.h"

namespace tiergate::privacy::refiners {
namespace {

constexpr std::string_view kPhoneWords[] = {
    "phone",    "tel",      "telephone", "mobile",  "cell",   "call", "fax",
    "whatsapp", "sms",      "text",      "contact", "reach",  "dial", "ph",
    "hotline",  "landline", "my number", "numero",  "telefon"};

// Groups of first and second letters (either case): a position may start a word when its letter
// and the next share a group bit. A superset of the words' first two letters (ph wh, te re, mo
// my, ce ca co, fa la, sm, di, ho nu).
struct PairTables {
  alignas(64) std::array<uint8_t, 128> first{}, second{};
};

constexpr PairTables kPairs = [] {
  PairTables t;
  constexpr std::pair<const char*, const char*> kGroups[8] = {
      {"pw", "h"}, {"tr", "e"}, {"m", "oy"}, {"c", "eao"},
      {"fl", "a"}, {"s", "m"},  {"d", "i"},  {"hn", "ou"}};
  for (int g = 0; g < 8; ++g) {
    for (const char* c = kGroups[g].first; *c; ++c) {
      t.first[static_cast<size_t>(*c)] |= static_cast<uint8_t>(1 << g);
      t.first[static_cast<size_t>(*c - 32)] |= static_cast<uint8_t>(1 << g);
    }
    for (const char* c = kGroups[g].second; *c; ++c) {
      t.second[static_cast<size_t>(*c)] |= static_cast<uint8_t>(1 << g);
      t.second[static_cast<size_t>(*c - 32)] |= static_cast<uint8_t>(1 << g);
    }
  }
  return t;
}();

constexpr bool pairs_cover_words() {
  for (std::string_view w : kPhoneWords)
    if (w.size() < 2 ||
        (kPairs.first[static_cast<size_t>(w[0])] & kPairs.second[static_cast<size_t>(w[1])]) == 0)
      return false;
  return true;
}
static_assert(pairs_cover_words(), "every phone word's first two letters are in a group");

// Bits 0 to n - 1 (n < 64).
uint64_t low_bits(size_t n) { return (uint64_t{1} << n) - 1; }

// Whether a phone word starts at q + i for a bit i of `starts` (before `to`).
bool word_at_any(std::string_view t, size_t q, uint64_t starts, size_t to) {
  for (; starts != 0; starts &= starts - 1)
    if (context_word_at(t, q + static_cast<size_t>(__builtin_ctzll(starts)), to, kPhoneWords))
      return true;
  return false;
}

#define TIERGATE_AVX512 gnu::target("avx512f,avx512bw,avx512vbmi")

[[TIERGATE_AVX512]] inline __m512i lookup(__m512i x, const uint8_t* table) {
  const __m512i lo = _mm512_load_si512(table), hi = _mm512_load_si512(table + 64);
  return _mm512_maskz_permutex2var_epi8(~_mm512_movepi8_mask(x), lo, x, hi);
}

[[TIERGATE_AVX512]] bool avx512_has_phone_word(std::string_view t, size_t from, size_t to) {
  const __m512i lanes = _mm512_set_epi8(
      63, 62, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42, 41,
      40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18,
      17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
  const __m512i next_lane = _mm512_add_epi8(lanes, _mm512_set1_epi8(1));
  const __m512i prev_lane = _mm512_sub_epi8(lanes, _mm512_set1_epi8(1));
  for (size_t q = from; q < to; q += 63) {
    // Bytes t[q, q + 64) within the text: positions q .. q + 62 with the byte after each.
    const size_t have = std::min<size_t>(64, t.size() - q);
    const __mmask64 loaded = have == 64 ? ~__mmask64{0} : (__mmask64{1} << have) - 1;
    const __m512i x = _mm512_maskz_loadu_epi8(loaded, t.data() + q);
    const __m512i next = _mm512_permutexvar_epi8(next_lane, x);
    __m512i prev = _mm512_maskz_permutexvar_epi8(~__mmask64{1}, prev_lane, x);
    if (q > 0) prev = _mm512_mask_set1_epi8(prev, 1, t[q - 1]);
    const __m512i pair =
        _mm512_and_si512(lookup(x, kPairs.first.data()), lookup(next, kPairs.second.data()));
    // The byte before: no letter, or n r t (char_before reads "\n" as a space).
    const __m512i folded =
        _mm512_sub_epi8(_mm512_or_si512(prev, _mm512_set1_epi8(0x20)), _mm512_set1_epi8('a'));
    const __mmask64 prev_letter = _mm512_cmplt_epu8_mask(folded, _mm512_set1_epi8(26));
    const __mmask64 escape_letter = _mm512_cmpeq_epi8_mask(prev, _mm512_set1_epi8('n')) |
                                    _mm512_cmpeq_epi8_mask(prev, _mm512_set1_epi8('r')) |
                                    _mm512_cmpeq_epi8_mask(prev, _mm512_set1_epi8('t'));
    const uint64_t starts = _mm512_test_epi8_mask(pair, pair) & (~prev_letter | escape_letter);
    if (word_at_any(t, q, starts & low_bits(std::min<size_t>(63, to - q)), to)) return true;
  }
  return false;
}

#undef TIERGATE_AVX512

// The same groups by a letter's low four bits, for VPSHUFB (avx2_bytes.h).
constexpr avx2::LetterTables kFirstLetters =
    avx2::letter_tables([](char lower) { return kPairs.first[static_cast<size_t>(lower)]; });
constexpr avx2::LetterTables kSecondLetters =
    avx2::letter_tables([](char lower) { return kPairs.second[static_cast<size_t>(lower)]; });

// The group bits of the letters of x (either case), zero at the other bytes.
[[TIERGATE_AVX2_INLINE]] inline __m256i avx2_groups(__m256i x, const avx2::LetterTables& tables) {
  const __m256i lx = _mm256_or_si256(x, _mm256_set1_epi8(0x20));
  return avx2::letter_lookup(lx, avx2::in_range(lx, 'a', 'z'), tables);
}

// With AVX2: 32 positions at a time, the same test as with AVX-512. The bytes before and after a
// window that the text lacks read as zeros (no letter), from a padded copy.
[[TIERGATE_AVX2]] bool avx2_has_phone_word(std::string_view t, size_t from, size_t to) {
  alignas(32) std::array<char, 64> copy;
  for (size_t q = from; q < to; q += 32) {
    // Bytes t[q - 1, q + 33): each position's byte, the one before and the one after.
    const char* w = t.data() + q - 1;
    if (q == 0 || t.size() - q < 33) {
      copy.fill(0);
      if (q > 0) copy[0] = t[q - 1];
      std::memcpy(copy.data() + 1, t.data() + q, std::min<size_t>(33, t.size() - q));
      w = copy.data();
    }
    const __m256i prev = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w));
    const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + 1));
    const __m256i next = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + 2));
    const __m256i pair =
        _mm256_and_si256(avx2_groups(x, kFirstLetters), avx2_groups(next, kSecondLetters));
    const __m256i no_pair = _mm256_cmpeq_epi8(pair, _mm256_setzero_si256());
    // The byte before: no letter, or n r t (char_before reads "\n" as a space).
    const __m256i prev_letter =
        avx2::in_range(_mm256_or_si256(prev, _mm256_set1_epi8(0x20)), 'a', 'z');
    const __m256i escape_letter = _mm256_or_si256(
        _mm256_or_si256(avx2::is(prev, 'n'), avx2::is(prev, 'r')), avx2::is(prev, 't'));
    const __m256i blocked =
        _mm256_or_si256(no_pair, _mm256_andnot_si256(escape_letter, prev_letter));
    const uint64_t starts = ~static_cast<uint32_t>(_mm256_movemask_epi8(blocked));
    if (word_at_any(t, q, starts & low_bits(std::min<size_t>(32, to - q)), to)) return true;
  }
  return false;
}

}  // namespace

std::span<const std::string_view> phone_words() { return kPhoneWords; }

bool has_phone_word_at_level(byte_pass::SimdLevel level, std::string_view t, size_t from,
                             size_t to) {
  to = std::min(to, t.size());
  if (from >= to) return false;
  if (level == byte_pass::SimdLevel::kAvx512Vbmi) return avx512_has_phone_word(t, from, to);
  if (level == byte_pass::SimdLevel::kAvx2) return avx2_has_phone_word(t, from, to);
  return has_context_word(t, from, to, kPhoneWords);
}

bool has_phone_word(std::string_view t, size_t from, size_t to) {
  return has_phone_word_at_level(byte_pass::best_simd_level(), t, from, to);
}

}  // namespace tiergate::privacy::refiners
