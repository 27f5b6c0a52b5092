#include "route/signals/privacy/block_masks.h"

#include <immintrin.h>

#include <array>
#include <cstddef>

namespace tiergate::privacy::byte_pass {
namespace {

// SSE2: the base masks from compares, 16 bytes at a time.
BlockMasks sse2_block(const char* p) {
  BlockMasks m{};
  for (int q = 0; q < 4; ++q) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * q));
    const __m128i dig = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('0' - 1)),
                                      _mm_cmplt_epi8(x, _mm_set1_epi8('9' + 1)));
    const __m128i lx = _mm_or_si128(x, _mm_set1_epi8(0x20));
    const __m128i let = _mm_and_si128(_mm_cmpgt_epi8(lx, _mm_set1_epi8('a' - 1)),
                                      _mm_cmplt_epi8(lx, _mm_set1_epi8('z' + 1)));
    auto lis = [&](char ch) { return _mm_cmpeq_epi8(lx, _mm_set1_epi8(ch)); };
    auto is = [&](char ch) { return _mm_cmpeq_epi8(x, _mm_set1_epi8(ch)); };
    const __m128i sym =
        _mm_or_si128(_mm_or_si128(is('+'), is('/')), _mm_or_si128(is('_'), is('-')));
    const __m128i key_letter =
        _mm_and_si128(let, _mm_or_si128(_mm_or_si128(_mm_or_si128(lis('s'), lis('d')), lis('e')),
                                        _mm_or_si128(_mm_or_si128(lis('n'), lis('t')), lis('y'))));
    const __m128i key_end = _mm_or_si128(
        key_letter, _mm_or_si128(_mm_or_si128(is(' '), is('\t')), _mm_or_si128(is('"'), is('\''))));
    const int shift = 16 * q;
    auto bits = [&](__m128i v) {
      return static_cast<uint64_t>(static_cast<uint16_t>(_mm_movemask_epi8(v))) << shift;
    };
    m.digit |= bits(dig);
    m.colon |= bits(is(':'));
    m.equals |= bits(is('='));
    m.token |= bits(_mm_or_si128(_mm_or_si128(dig, let), sym));
    m.key_end |= bits(key_end);
    m.p |= bits(lis('p'));
    m.a |= bits(lis('a'));
    m.s |= bits(lis('s'));
    m.at |= bits(is('@'));
    m.slash |= bits(is('/'));
    m.big_j |= bits(is('J'));
    m.b |= bits(lis('b'));
    m.e |= bits(lis('e'));
    // The vendor pairs (BlockMasks::vendor), from the bytes at i + 1 and i + 3.
    const __m128i x1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * q + 1));
    const __m128i x3 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * q + 3));
    auto is1 = [&](char ch) { return _mm_cmpeq_epi8(x1, _mm_set1_epi8(ch)); };
    auto is3 = [&](char ch) { return _mm_cmpeq_epi8(x3, _mm_set1_epi8(ch)); };
    auto any = [](auto... v) {
      __m128i r = _mm_setzero_si128();
      ((r = _mm_or_si128(r, v)), ...);
      return r;
    };
    auto both = [](__m128i a, __m128i b) { return _mm_and_si128(a, b); };
    const __m128i aws_second = any(is1('K'), is1('S'), is1('B'), is1('C'), is1('G'), is1('I'),
                                   is1('R'), is1('N'), is1('P'));
    const __m128i vendor =
        any(both(any(is('k'), is('c'), is('b')), any(is1('-'), is1('_'))), both(is('g'), is1('h')),
            both(is('x'), is1('o')), both(both(is('A'), aws_second), any(is3('A'), is3('a'))),
            both(is('-'), is1('B')), both(both(is(':'), is1('/')), is3('h')));
    m.vendor |= bits(vendor);
  }
  return m;
}

// AVX-512: every class of an ASCII byte from a 128-entry table (one VBMI two-table permute per
// 8 classes), then one test per mask. Bytes >= 0x80 look up nothing.
enum : uint8_t {  // table A
  kDigitBit = 1,
  kTokenBit = 2,
  kKeyEndBit = 4,
  kColonBit = 8,
  kEqualsBit = 16,
  kPBit = 32,
  kABit = 64,
  kSBit = 128,
};
enum : uint8_t {  // table B
  kLetterBit = 1,
  kUpperBit = 2,
  kCapDigitBit = 4,
  kSpaceBit = 8,
  kCommaBit = 16,
  kDotCommaBit = 32,
  kRegionSepBit = 64,
  kRegionNextBit = 128,
};
enum : uint8_t {  // table C
  kFrFirstBit = 1,
  kFrSecondBit = 2,
  kDotBit = 4,
  kKeyDBit = 8,
  kKeyEBit = 16,
  kKeyNtyBit = 32,
  kKeyRwBit = 64,
  kKeyGapBit = 128,
};
enum : uint8_t {  // table D
  kTokenNotHexBit = 1,
  kAtBit = 2,
  kSlashBit = 4,
  kBigJBit = 8,
  kBBit = 16,
  kEBit = 32,
  kLparenBit = 64,
  kRparenBit = 128,
};

constexpr uint8_t kAnyFourth = 1 | 2 | 8 | 16;  // the groups that ignore the byte at i + 3

constexpr bool in(char c, const char* set) {
  for (; *set; ++set)
    if (*set == c) return true;
  return false;
}

struct Tables {
  alignas(64) std::array<uint8_t, 128> a{}, b{}, c{}, d{};
  // The vendor pairs: one bit per literal group, for the byte at i, i + 1 and i + 3.
  alignas(64) std::array<uint8_t, 128> first{}, second{}, fourth{};
};

constexpr Tables kTables = [] {
  Tables t;
  for (int i = 0; i < 128; ++i) {
    const char ch = static_cast<char>(i);
    const bool digit = ch >= '0' && ch <= '9', upper = ch >= 'A' && ch <= 'Z';
    const bool letter = upper || (ch >= 'a' && ch <= 'z');
    const char lower = upper ? static_cast<char>(ch + 32) : ch;
    uint8_t a = 0, b = 0, c = 0, d = 0;
    if (digit) a |= kDigitBit;
    if (digit || letter || in(ch, "+/_-")) a |= kTokenBit;
    if ((letter && in(lower, "sdenty")) || in(ch, " \t\"'")) a |= kKeyEndBit;
    if (ch == ':') a |= kColonBit;
    if (ch == '=') a |= kEqualsBit;
    if (lower == 'p') a |= kPBit;
    if (lower == 'a') a |= kABit;
    if (lower == 's') a |= kSBit;
    if (letter) b |= kLetterBit;
    if (upper) b |= kUpperBit;
    if (upper || digit) b |= kCapDigitBit;
    if (ch == ' ') b |= kSpaceBit;
    if (ch == ',') b |= kCommaBit;
    if (in(ch, ".,")) b |= kDotCommaBit;
    if (in(ch, " -.()")) b |= kRegionSepBit;
    if (digit || in(ch, "(+ -")) b |= kRegionNextBit;
    if (in(lower, "rabpciq")) c |= kFrFirstBit;
    if (in(lower, "uvodlhm")) c |= kFrSecondBit;
    if (ch == '.') c |= kDotBit;
    if (lower == 'd') c |= kKeyDBit;
    if (lower == 'e') c |= kKeyEBit;
    if (in(lower, "nty")) c |= kKeyNtyBit;
    if (in(lower, "rw")) c |= kKeyRwBit;
    if (in(ch, " \t\"'\\")) c |= kKeyGapBit;
    if ((letter && !in(lower, "abcdef")) || in(ch, "_/+")) d |= kTokenNotHexBit;
    if (ch == '@') d |= kAtBit;
    if (ch == '/') d |= kSlashBit;
    if (ch == 'J') d |= kBigJBit;
    if (lower == 'b') d |= kBBit;
    if (lower == 'e') d |= kEBit;
    if (ch == '(') d |= kLparenBit;
    if (ch == ')') d |= kRparenBit;
    // Groups: 1 k c b + - _; 2 g + h; 4 A + K S B C G I R N P, + A a at i + 3; 8 - + B;
    // 16 x + o; 32 : + /, + h at i + 3. The byte at i + 3 matters to groups 4 and 32 only.
    t.first[i] =
        static_cast<uint8_t>((in(ch, "kcb") ? 1 : 0) | (ch == 'g' ? 2 : 0) | (ch == 'A' ? 4 : 0) |
                             (ch == '-' ? 8 : 0) | (ch == 'x' ? 16 : 0) | (ch == ':' ? 32 : 0));
    t.second[i] = static_cast<uint8_t>((in(ch, "-_") ? 1 : 0) | (ch == 'h' ? 2 : 0) |
                                       (in(ch, "KSBCGIRNP") ? 4 : 0) | (ch == 'B' ? 8 : 0) |
                                       (ch == 'o' ? 16 : 0) | (ch == '/' ? 32 : 0));
    t.fourth[i] = static_cast<uint8_t>(kAnyFourth | (in(ch, "Aa") ? 4 : 0) | (ch == 'h' ? 32 : 0));
    t.a[i] = a;
    t.b[i] = b;
    t.c[i] = c;
    t.d[i] = d;
  }
  return t;
}();

// A table's class bits are the order of its group of masks in BlockMasks: class bit i of table A
// is the i-th mask from `digit`, and so on (store_classes writes a group with one store).
static_assert(offsetof(BlockMasks, token) == offsetof(BlockMasks, digit) + 8 &&
                  offsetof(BlockMasks, s) == offsetof(BlockMasks, digit) + 56 &&
                  offsetof(BlockMasks, upper) == offsetof(BlockMasks, letter) + 8 &&
                  offsetof(BlockMasks, region_next) == offsetof(BlockMasks, letter) + 56 &&
                  offsetof(BlockMasks, fr_second) == offsetof(BlockMasks, fr_first) + 8 &&
                  offsetof(BlockMasks, key_gap) == offsetof(BlockMasks, fr_first) + 56 &&
                  offsetof(BlockMasks, at) == offsetof(BlockMasks, token_not_hex) + 8 &&
                  offsetof(BlockMasks, e) == offsetof(BlockMasks, token_not_hex) + 40 &&
                  offsetof(BlockMasks, rparen) == offsetof(BlockMasks, token_not_hex) + 56,
              "the masks of a table follow its class bits");

#define TIERGATE_AVX512 gnu::target("avx512f,avx512bw,avx512vbmi,gfni")

[[TIERGATE_AVX512]] inline __m512i lookup(__mmask64 ascii, const uint8_t* table, __m512i x) {
  const __m512i lo = _mm512_load_si512(table), hi = _mm512_load_si512(table + 64);
  return _mm512_maskz_permutex2var_epi8(ascii, lo, x, hi);
}

// The eight class masks of a table's classes (one byte per text byte) into out[0, 8): a bit
// transpose, instead of one test and one store per class. GF2P8AFFINEQB with the classes as the
// matrix and the byte 1 << i as the vector gathers bit i of the eight bytes of each qword (in
// reverse byte order, hence the shuffle before); a byte permute then puts the eight bytes of each
// class together.
[[TIERGATE_AVX512]] inline void store_classes(__m512i classes, uint64_t* out) {
  const __m512i reverse =
      _mm512_set_epi8(8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
                      14, 15, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4,
                      5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7);
  // Byte 8j + i of `bits`: bit k is class bit i of text byte 8j + k.
  const __m512i bits = _mm512_gf2p8affine_epi64_epi8(_mm512_set1_epi64(0x8040201008040201),
                                                     _mm512_shuffle_epi8(classes, reverse), 0);
  // Byte 8i + j of the result is byte 8j + i of `bits`.
  const __m512i transpose = _mm512_set_epi8(
      63, 55, 47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22, 14, 6, 61, 53, 45, 37, 29, 21, 13, 5,
      60, 52, 44, 36, 28, 20, 12, 4, 59, 51, 43, 35, 27, 19, 11, 3, 58, 50, 42, 34, 26, 18, 10, 2,
      57, 49, 41, 33, 25, 17, 9, 1, 56, 48, 40, 32, 24, 16, 8, 0);
  _mm512_storeu_si512(out, _mm512_permutexvar_epi8(transpose, bits));
}

[[TIERGATE_AVX512]] void avx512_blocks(const char* p, size_t count, BlockMasks* out) {
  for (size_t i = 0; i < count; ++i, p += 64) {
    const __m512i x = _mm512_loadu_si512(p);
    const __mmask64 high = _mm512_movepi8_mask(x);
    BlockMasks& m = out[i];
    store_classes(lookup(~high, kTables.a.data(), x), &m.digit);
    store_classes(lookup(~high, kTables.b.data(), x), &m.letter);
    store_classes(lookup(~high, kTables.c.data(), x), &m.fr_first);
    store_classes(lookup(~high, kTables.d.data(), x), &m.token_not_hex);
    // The vendor pairs: the groups of byte i, of byte i + 1 and of byte i + 3 in one AND.
    const __m512i x1 = _mm512_loadu_si512(p + 1), x3 = _mm512_loadu_si512(p + 3);
    const __m512i fourth = _mm512_mask_blend_epi8(
        _mm512_movepi8_mask(x3), lookup(~_mm512_movepi8_mask(x3), kTables.fourth.data(), x3),
        _mm512_set1_epi8(kAnyFourth));
    const __m512i pairs = _mm512_ternarylogic_epi64(
        lookup(~high, kTables.first.data(), x),
        lookup(~_mm512_movepi8_mask(x1), kTables.second.data(), x1), fourth, 0x80);
    m.vendor = _mm512_test_epi8_mask(pairs, pairs);
    m.word = m.letter | high;
  }
}

#undef TIERGATE_AVX512

}  // namespace

SimdLevel best_simd_level() {
  static const SimdLevel level = [] {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vbmi") && __builtin_cpu_supports("bmi2") &&
        __builtin_cpu_supports("gfni"))
      return SimdLevel::kAvx512Vbmi;
    return SimdLevel::kSse2;
  }();
  return level;
}

void classify_blocks(SimdLevel level, const char* p, size_t count, BlockMasks* out) {
  if (level == SimdLevel::kAvx512Vbmi) {
    avx512_blocks(p, count, out);
    return;
  }
  for (size_t i = 0; i < count; ++i) out[i] = sse2_block(p + 64 * i);
}

}  // namespace tiergate::privacy::byte_pass
