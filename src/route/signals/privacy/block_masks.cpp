#include "route/signals/privacy/block_masks.h"

#include <immintrin.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "route/signals/privacy/avx2_bytes.h"

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

// AVX2 (Haswell, Zen 1-3 and the other CPUs without AVX-512): every mask, the 64 bytes of a
// block as two 32-byte halves. The letter classes come from 16-entry tables (VPSHUFB), the other
// bytes from compares; a class that is a union of others is ORed from their masks. The classes
// are those of the tables above, written out: the level tests hold the two to the same findings,
// and BlockMasksFollowTheirClasses each mask to its class.
namespace avx2 {

using privacy::avx2::letter_tables, privacy::avx2::row;
using privacy::avx2::LetterTables, privacy::avx2::Nibbles, privacy::avx2::letter_lookup;

// 32 copies of each ASCII byte: the constants of the compares.
struct alignas(32) Splat {
  std::array<char, 32> bytes;
};
constexpr std::array<Splat, 128> kSplat = [] {
  std::array<Splat, 128> t{};
  for (int i = 0; i < 128; ++i) t[i].bytes.fill(static_cast<char>(i));
  return t;
}();

// The letter classes, one bit each: two tables of eight.
enum : uint8_t { kLetterP = 1, kLetterA = 2, kLetterS = 4, kLetterB = 8, kLetterE = 16 };
enum : uint8_t { kLetterD = 32, kLetterNty = 64, kLetterRw = 128 };
enum : uint8_t { kLetterFrFirst = 1, kLetterFrSecond = 2, kLetterHex = 4 };

constexpr std::array<uint8_t, 2> letter_classes(char lower) {
  return {
      static_cast<uint8_t>((lower == 'p' ? kLetterP : 0) | (lower == 'a' ? kLetterA : 0) |
                           (lower == 's' ? kLetterS : 0) | (lower == 'b' ? kLetterB : 0) |
                           (lower == 'e' ? kLetterE : 0) | (lower == 'd' ? kLetterD : 0) |
                           (in(lower, "nty") ? kLetterNty : 0) | (in(lower, "rw") ? kLetterRw : 0)),
      static_cast<uint8_t>((in(lower, "rabpciq") ? kLetterFrFirst : 0) |
                           (in(lower, "uvodlhm") ? kLetterFrSecond : 0) |
                           (in(lower, "abcdef") ? kLetterHex : 0))};
}

constexpr std::array<LetterTables, 2> kLetterTables = {
    letter_tables([](char lower) { return letter_classes(lower)[0]; }),
    letter_tables([](char lower) { return letter_classes(lower)[1]; })};

// The vendor pairs (BlockMasks::vendor) by nibbles: byte c is in group g (a bit) where
// lo[c & 15] & hi[c >> 4] has g, one VPSHUFB per half table. That is exact where the bytes of
// each group are a product of low and high nibbles (checked below); so the groups of
// kTables.first whose bytes span two rows of the ASCII table take two bits each: k c b then
// - (1) or _ (64); A then K B C G I N (4) or S R P (128), then A or a. The others as there: 2 "gh",
// 8 "-B", 16 "xo", 32 "://h". The byte at i + 3 matters to "AK.A" and "://h" only.
constexpr uint8_t kVendorAnyFourth = 1 | 2 | 8 | 16 | 64;
constexpr uint8_t vendor_first(int c) {
  const char ch = static_cast<char>(c);
  return c >= 0x80 ? 0
                   : static_cast<uint8_t>((in(ch, "kcb") ? 1 | 64 : 0) | (ch == 'g' ? 2 : 0) |
                                          (ch == 'A' ? 4 | 128 : 0) | (ch == '-' ? 8 : 0) |
                                          (ch == 'x' ? 16 : 0) | (ch == ':' ? 32 : 0));
}
constexpr uint8_t vendor_second(int c) {
  const char ch = static_cast<char>(c);
  return c >= 0x80 ? 0
                   : static_cast<uint8_t>((ch == '-' ? 1 : 0) | (ch == '_' ? 64 : 0) |
                                          (ch == 'h' ? 2 : 0) | (in(ch, "KBCGIN") ? 4 : 0) |
                                          (in(ch, "SRP") ? 128 : 0) | (ch == 'B' ? 8 : 0) |
                                          (ch == 'o' ? 16 : 0) | (ch == '/' ? 32 : 0));
}
constexpr uint8_t vendor_fourth(int c) {
  const char ch = static_cast<char>(c);
  return static_cast<uint8_t>(kVendorAnyFourth | (c < 0x80 && in(ch, "Aa") ? 4 | 128 : 0) |
                              (ch == 'h' ? 32 : 0));
}

struct NibbleTables {
  Nibbles lo, hi;
};
constexpr NibbleTables nibble_tables(uint8_t (*groups)(int)) {
  NibbleTables t{};
  for (int c = 0; c < 256; ++c) {
    const uint8_t g = groups(c);
    t.lo.bytes[c & 15] |= g;
    t.lo.bytes[(c & 15) + 16] |= g;
    t.hi.bytes[c >> 4] |= g;
    t.hi.bytes[(c >> 4) + 16] |= g;
  }
  return t;
}
constexpr bool exact(const NibbleTables& t, uint8_t (*groups)(int)) {
  for (int c = 0; c < 256; ++c)
    if ((t.lo.bytes[c & 15] & t.hi.bytes[c >> 4]) != groups(c)) return false;
  return true;
}
constexpr NibbleTables kVendorFirst = nibble_tables(vendor_first);
constexpr NibbleTables kVendorSecond = nibble_tables(vendor_second);
constexpr NibbleTables kVendorFourth = nibble_tables(vendor_fourth);
static_assert(exact(kVendorFirst, vendor_first) && exact(kVendorSecond, vendor_second) &&
                  exact(kVendorFourth, vendor_fourth),
              "each vendor group is a product of nibbles");

// `splats` is kSplat, hidden from the compiler (avx2_blocks): with the constants unknown, a
// compare reads its constant from memory (one load folded into it) instead of building it in a
// register (three instructions, and 16 registers do not hold 40 constants). So these, not
// avx2_bytes.h's `is` and `in_range`, in the classifier's 40 compares per half.
[[TIERGATE_AVX2_INLINE]] inline __m256i splat(const Splat* splats, char ch) {
  return _mm256_load_si256(reinterpret_cast<const __m256i*>(splats[ch & 0x7f].bytes.data()));
}
[[TIERGATE_AVX2_INLINE]] inline __m256i eq(const Splat* splats, __m256i v, char ch) {
  return _mm256_cmpeq_epi8(v, splat(splats, ch));
}
// lo <= v <= hi, signed: bytes >= 0x80 are in no range. REQUIRES: 0 < lo, hi < 127.
[[TIERGATE_AVX2_INLINE]] inline __m256i range(const Splat* splats, __m256i v, char lo, char hi) {
  return _mm256_and_si256(_mm256_cmpgt_epi8(v, splat(splats, static_cast<char>(lo - 1))),
                          _mm256_cmpgt_epi8(splat(splats, static_cast<char>(hi + 1)), v));
}
template <typename... V>
[[TIERGATE_AVX2_INLINE]] inline __m256i any(__m256i a, V... v) {
  ((a = _mm256_or_si256(a, v)), ...);
  return a;
}
[[TIERGATE_AVX2_INLINE]] inline __m256i nibble_lookup(const Splat* splats, __m256i v,
                                                      const NibbleTables& t) {
  const __m256i low = splat(splats, 0x0f);
  const __m256i lo = _mm256_and_si256(v, low);
  const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), low);
  return _mm256_and_si256(_mm256_shuffle_epi8(row(t.lo), lo), _mm256_shuffle_epi8(row(t.hi), hi));
}
// The sign bits: one bit per byte.
[[TIERGATE_AVX2_INLINE]] inline uint32_t bits(__m256i v) {
  return static_cast<uint32_t>(_mm256_movemask_epi8(v));
}
// Class bit `Bit` (a power of two) of each byte.
template <uint8_t Bit>
[[TIERGATE_AVX2_INLINE]] inline uint32_t class_bits(__m256i c) {
  return bits(_mm256_slli_epi16(c, 7 - std::countr_zero(Bit)));
}

// Half `half` of each mask of the block (bytes [32 half, 32 half + 32) at p): stored as the
// 32-bit half of each mask, instead of shifting and ORing the two halves. The loads of whole masks
// come after the 32 blocks of a chunk, when these stores have long left the store buffer.
[[TIERGATE_AVX2_INLINE]] inline void half_masks(const Splat* k, const char* p, int half,
                                                BlockMasks& m) {
  const auto set = [&m, half](uint64_t BlockMasks::*mask, uint32_t value) {
    std::memcpy(reinterpret_cast<char*>(&(m.*mask)) + 4 * half, &value, 4);
  };
  const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  const __m256i lx = _mm256_or_si256(x, splat(k, 0x20));  // eq(k, lx, c): c in either case
  const __m256i letter_bytes = range(k, lx, 'a', 'z');
  const __m256i first = letter_lookup(lx, letter_bytes, kLetterTables[0]);
  const __m256i second = letter_lookup(lx, letter_bytes, kLetterTables[1]);
  const uint32_t digit = bits(range(k, x, '0', '9')), letter = bits(letter_bytes);
  const uint32_t upper = bits(range(k, x, 'A', 'Z'));
  const uint32_t space = bits(eq(k, x, ' ')), comma = bits(eq(k, x, ','));
  const uint32_t dot = bits(eq(k, x, '.'));
  const uint32_t minus = bits(eq(k, x, '-')), plus = bits(eq(k, x, '+'));
  const uint32_t underscore = bits(eq(k, x, '_')), slash = bits(eq(k, x, '/'));
  const uint32_t lparen = bits(eq(k, x, '(')), rparen = bits(eq(k, x, ')'));
  const uint32_t tab_quote = bits(any(eq(k, x, '\t'), eq(k, x, '"'), eq(k, x, '\'')));
  const uint32_t s = class_bits<kLetterS>(first), d = class_bits<kLetterD>(first);
  const uint32_t e = class_bits<kLetterE>(first), nty = class_bits<kLetterNty>(first);
  set(&BlockMasks::digit, digit);
  set(&BlockMasks::token, digit | letter | plus | slash | underscore | minus);
  set(&BlockMasks::key_end, s | d | e | nty | space | tab_quote);
  set(&BlockMasks::colon, bits(eq(k, x, ':')));
  set(&BlockMasks::equals, bits(eq(k, x, '=')));
  set(&BlockMasks::p, class_bits<kLetterP>(first));
  set(&BlockMasks::a, class_bits<kLetterA>(first));
  set(&BlockMasks::s, s);

  set(&BlockMasks::letter, letter);
  set(&BlockMasks::upper, upper);
  set(&BlockMasks::cap_digit, upper | digit);
  set(&BlockMasks::space, space);
  set(&BlockMasks::comma, comma);
  set(&BlockMasks::dot_comma, dot | comma);
  set(&BlockMasks::region_sep, space | minus | dot | lparen | rparen);
  set(&BlockMasks::region_next, digit | lparen | plus | space | minus);

  set(&BlockMasks::fr_first, class_bits<kLetterFrFirst>(second));
  set(&BlockMasks::fr_second, class_bits<kLetterFrSecond>(second));
  set(&BlockMasks::dot, dot);
  set(&BlockMasks::key_d, d);
  set(&BlockMasks::key_e, e);
  set(&BlockMasks::key_nty, nty);
  set(&BlockMasks::key_rw, class_bits<kLetterRw>(first));
  set(&BlockMasks::key_gap, space | tab_quote | bits(eq(k, x, '\\')));

  set(&BlockMasks::token_not_hex,
      (letter & ~class_bits<kLetterHex>(second)) | underscore | slash | plus);
  set(&BlockMasks::at, bits(eq(k, x, '@')));
  set(&BlockMasks::slash, slash);
  set(&BlockMasks::big_j, bits(eq(k, x, 'J')));
  set(&BlockMasks::b, class_bits<kLetterB>(first));
  set(&BlockMasks::e, e);
  set(&BlockMasks::lparen, lparen);
  set(&BlockMasks::rparen, rparen);
  set(&BlockMasks::word, letter | bits(x));  // the sign bits of x: bytes >= 0x80

  // The vendor pairs: the groups that bytes i, i + 1 and i + 3 all have; the bytes with none left
  // are no pair.
  const __m256i x1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 1));
  const __m256i x3 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 3));
  const __m256i groups = _mm256_and_si256(
      _mm256_and_si256(nibble_lookup(k, x, kVendorFirst), nibble_lookup(k, x1, kVendorSecond)),
      nibble_lookup(k, x3, kVendorFourth));
  set(&BlockMasks::vendor, ~bits(_mm256_cmpeq_epi8(groups, _mm256_setzero_si256())));
}

}  // namespace avx2

[[TIERGATE_AVX2]] void avx2_blocks(const char* p, size_t count, BlockMasks* out) {
  const avx2::Splat* k = avx2::kSplat.data();
  asm("" : "+r"(k));  // hides the constants (avx2::splat)
  for (size_t i = 0; i < count; ++i, p += 64) {
    avx2::half_masks(k, p, 0, out[i]);
    avx2::half_masks(k, p + 32, 1, out[i]);
  }
}

}  // namespace

SimdLevel cpu_simd_level() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vbmi") && __builtin_cpu_supports("bmi2") &&
      __builtin_cpu_supports("gfni"))
    return SimdLevel::kAvx512Vbmi;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi2") &&
      __builtin_cpu_supports("popcnt"))
    return SimdLevel::kAvx2;
  return SimdLevel::kSse2;
}

SimdLevel best_simd_level() {
  static const SimdLevel level = [] {
    const SimdLevel cpu = cpu_simd_level();
    // TIERGATE_SIMD caps the level (never raises it): to measure or rule out a level.
    const char* cap = std::getenv("TIERGATE_SIMD");
    if (cap == nullptr) return cpu;
    const std::string_view name = cap;
    const SimdLevel wanted = name == "sse2"   ? SimdLevel::kSse2
                             : name == "avx2" ? SimdLevel::kAvx2
                                              : SimdLevel::kAvx512Vbmi;
    return std::min(cpu, wanted);
  }();
  return level;
}

void classify_blocks(SimdLevel level, const char* p, size_t count, BlockMasks* out) {
  if (level == SimdLevel::kAvx512Vbmi) {
    avx512_blocks(p, count, out);
    return;
  }
  if (level == SimdLevel::kAvx2) {
    avx2_blocks(p, count, out);
    return;
  }
  for (size_t i = 0; i < count; ++i) out[i] = sse2_block(p + 64 * i);
}

}  // namespace tiergate::privacy::byte_pass
