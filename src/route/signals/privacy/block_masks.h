#pragma once
// The byte classes of 64-byte blocks for the byte pass (text_pass.cpp): one bit per byte and
// class. The build targets the x86-64 baseline (SSE2); the AVX2 and AVX-512 code is compiled per
// function (a target attribute) and chosen at run time, so the same binary runs on every x86-64
// CPU.
// Internal to the privacy folder; pure, any thread.

#include <cstddef>
#include <cstdint>

namespace tiergate::privacy::byte_pass {

enum class SimdLevel : uint8_t {
  kSse2,        // every x86-64 CPU: the base masks, 16 bytes at a time
  kAvx2,        // AVX2, BMI2 and POPCNT (Haswell, Zen 1-3): every mask, from compares, 32 bytes
                // at a time
  kAvx512Vbmi,  // AVX-512 BW + VBMI and BMI2 (Ice Lake, Zen 4 and later): every mask, from
                // table lookups
};

// The widest level this CPU runs.
SimdLevel cpu_simd_level();

// The level the scanner uses: cpu_simd_level() (checked once), capped by the environment
// variable TIERGATE_SIMD if set: "sse2" or "avx2" (any other value caps nothing).
SimdLevel best_simd_level();

// Bit i of each mask stands for byte i of the block; bytes past the end of the text are zeros
// and belong to no class. No member initialisers: the classifier sets every mask, and the
// buffers of masks are not zeroed first (BlockMasks{} is all empty). The masks come in four
// groups of eight, one per class table of the AVX-512 classifier, in the order of the classes'
// bits in the table: it writes each group with one store (block_masks.cpp).
struct BlockMasks {
  // Group A. Base masks, computed at every level (the whole group).
  uint64_t digit;
  uint64_t token;  // [A-Za-z0-9+/_-]: generic secrets
  // What may stand right before the separator of a secret assignment (assignment_at): the last
  // letter of a key word (s d e n t y, either case), a space, a tab or a quote.
  uint64_t key_end;
  uint64_t colon, equals;
  uint64_t p, a, s;  // 'p', 'a', 's' in either case: "pass" starts

  // Group B. For the digit-run filter (digit_runs.h); computed only where has_filter_masks(level).
  uint64_t letter;     // ASCII letters
  uint64_t upper;      // A-Z
  uint64_t cap_digit;  // A-Z, 0-9: may start a US street name or ordinal
  uint64_t space, comma;
  uint64_t dot_comma;    // '.' ','
  uint64_t region_sep;   // ' ' '-' '.' '(' ')': may carry a numeric region past a run
  uint64_t region_next;  // 0-9 '(' '+' ' ' '-': may follow that separator

  // Group C. For the digit-run filter and the assignment filter (key_separators.h), at the
  // same levels.
  uint64_t fr_first;   // r a b p c i q, either case: first letters of French street words
  uint64_t fr_second;  // u v o d l h m, either case: their second letters
  uint64_t dot;
  uint64_t key_d, key_e, key_nty, key_rw;  // letters, either case
  uint64_t key_gap;  // ' ' '\t' '"' '\'' '\\': between a key word and its separator

  // Group D. The token filter (text_pass.cpp), at the same levels; and the literals of the
  // anchored patterns (anchored_patterns.cpp: '@', "://", "eyJ", "bearer"), at every level.
  uint64_t token_not_hex;     // g-z G-Z _ / +: a token with none is hex (or has no letter)
  uint64_t at, slash, big_j;  // '@', '/', 'J'
  uint64_t b, e;              // 'b', 'e' in either case
  uint64_t lparen, rparen;    // '(' ')': the region walk (digit_runs.h); filter levels

  uint64_t word;  // letters and bytes >= 0x80 (UTF-8 in a street name); filter levels

  // Where the literal of a vendor key may hold t[i] (vendor_keys.cpp: the byte pair at i, i + 1
  // and the byte at i + 3), at every level: k c b then - or _ ("sk-", "sk_live_", "whsec_",
  // "github_pat_"); "gh"; "xo"; A then K S B C G I R N P, then A or a ("AKIA", "AIza"); "-B"
  // ("-----BEGIN"); "://h" ("https://hooks").
  uint64_t vendor;
};

inline constexpr size_t kBlockLookahead = 3;

constexpr bool has_filter_masks(SimdLevel level) { return level != SimdLevel::kSse2; }

// The masks of `count` consecutive blocks at p into out[0, count). REQUIRES: 64 * count +
// kBlockLookahead readable bytes (the vendor mask looks ahead).
// REQUIRES: the CPU runs `level` (best_simd_level() or lower).
void classify_blocks(SimdLevel level, const char* p, size_t count, BlockMasks* out);

}  // namespace tiergate::privacy::byte_pass
