#pragma once
// The byte tests shared by the privacy scanner's AVX2 paths (block_masks.cpp, phone_words.cpp,
// secret_refiners.cpp): compares against a constant and the letter-class lookup. Each helper is
// compiled for AVX2 by its target attribute and inlined into its caller, which must be an AVX2
// function too (TIERGATE_AVX2) and run only where best_simd_level() is kAvx2 or wider. Internal
// to the privacy folder.

#include <immintrin.h>

#include <array>
#include <cstdint>

// The features of SimdLevel::kAvx2 (block_masks.h).
#define TIERGATE_AVX2 gnu::target("avx2,bmi2,popcnt")
#define TIERGATE_AVX2_INLINE gnu::target("avx2,bmi2,popcnt"), gnu::always_inline

namespace tiergate::privacy::avx2 {

// A 16-entry VPSHUFB table, once per 128-bit lane (VPSHUFB looks up within each lane).
struct alignas(32) Nibbles {
  std::array<uint8_t, 32> bytes{};
};

// Eight letter classes (bits) by a letter's low four bits: [0] for a-o (x | 0x20 in
// 0x61-0x6f), [1] for p-z (0x70-0x7a); bit 4 tells the two halves of the alphabet apart.
using LetterTables = std::array<Nibbles, 2>;

// The tables of `classes(lower)`, the class bits of each lower-case letter.
template <typename Classes>
constexpr LetterTables letter_tables(Classes classes) {
  LetterTables t{};
  for (int half = 0; half < 2; ++half) {
    for (int low = 0; low < 16; ++low) {
      const char lower = static_cast<char>(0x60 + 16 * half + low);
      if (lower < 'a' || lower > 'z') continue;
      t[half].bytes[low] = t[half].bytes[low + 16] = classes(lower);
    }
  }
  return t;
}

[[TIERGATE_AVX2_INLINE]] inline __m256i row(const Nibbles& n) {
  return _mm256_load_si256(reinterpret_cast<const __m256i*>(n.bytes.data()));
}

// lo <= v <= hi, signed: bytes >= 0x80 are in no range. REQUIRES: 0 < lo, hi < 127.
[[TIERGATE_AVX2_INLINE]] inline __m256i in_range(__m256i v, char lo, char hi) {
  return _mm256_and_si256(_mm256_cmpgt_epi8(v, _mm256_set1_epi8(static_cast<char>(lo - 1))),
                          _mm256_cmpgt_epi8(_mm256_set1_epi8(static_cast<char>(hi + 1)), v));
}

[[TIERGATE_AVX2_INLINE]] inline __m256i is(__m256i v, char c) {
  return _mm256_cmpeq_epi8(v, _mm256_set1_epi8(c));
}

// The letter classes of `tables` at the letters of lx (x | 0x20, a letter's lower case; no other
// byte becomes a letter), zero elsewhere. `letter`: where lx is in a-z.
[[TIERGATE_AVX2_INLINE]] inline __m256i letter_lookup(__m256i lx, __m256i letter,
                                                      const LetterTables& tables) {
  // Bit 4 of lx (p-z) to the sign bit that VPBLENDVB reads.
  const __m256i p_to_z = _mm256_slli_epi16(lx, 3);
  const __m256i classes = _mm256_blendv_epi8(_mm256_shuffle_epi8(row(tables[0]), lx),
                                             _mm256_shuffle_epi8(row(tables[1]), lx), p_to_z);
  return _mm256_and_si256(classes, letter);
}

}  // namespace tiergate::privacy::avx2
