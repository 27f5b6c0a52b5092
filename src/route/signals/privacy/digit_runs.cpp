#include "route/signals/privacy/digit_runs.h"

#include <immintrin.h>

namespace tiergate::privacy::byte_pass {
namespace {

// The class at p - k and at p + k, for every p of the block.
uint64_t back(uint64_t cur, uint64_t prev, int k) { return cur << k | prev >> (64 - k); }
uint64_t ahead(uint64_t cur, uint64_t next, int k) { return cur >> k | next << (64 - k); }

// Bytes of a `word` run (letters, UTF-8) at or after a capital in the same run. Adding the
// capitals to the word mask carries from the first capital of each run to the run's end, which
// flips those bits (later capitals stay set, hence the OR); the carry stops at the byte after the
// run. `carry_in`: the previous block ended inside such a run.
uint64_t capital_words(const BlockMasks& m, uint64_t carry_in) {
  const uint64_t capitals = m.upper | (carry_in & m.word & 1);
  return (((m.word + capitals) ^ m.word) | capitals) & m.word;
}

// The marks at the bytes after runs (`after`), moved to the first digits of the same runs
// (`starts`, in the same order).
[[gnu::target("bmi2")]] uint64_t to_starts(uint64_t marks, uint64_t after, uint64_t starts) {
  return _pdep_u64(_pext_u64(marks, after), starts);
}

using u128 = unsigned __int128;

uint64_t low(u128 x) { return static_cast<uint64_t>(x); }

// The lowest set bit of x. REQUIRES: x != 0.
size_t ctz128(u128 x) {
  return low(x) != 0 ? __builtin_ctzll(low(x)) : 64 + __builtin_ctzll(low(x >> 64));
}

// Bits from .. to - 1. REQUIRES: from <= to < 128.
u128 bits_between(size_t from, size_t to) {
  return ((u128{1} << to) - 1) & ~((u128{1} << from) - 1);
}

// The shape of a region from the bits of its digits and dots (bit 0: its first byte, a digit).
[[gnu::target("popcnt")]] RegionShape shape_of(uint64_t digits, uint64_t dots) {
  uint64_t starts = digits & ~(digits << 1), ends = digits & ~(digits >> 1);
  RegionShape r;
  r.digits = static_cast<size_t>(__builtin_popcountll(digits));
  r.dots = static_cast<size_t>(__builtin_popcountll(dots));
  r.groups = static_cast<size_t>(__builtin_popcountll(starts));
  r.group_ends = ends;
  for (size_t g = 0; g < 3 && starts != 0; ++g) {
    r.sizes[g] = static_cast<uint8_t>(__builtin_ctzll(ends) - __builtin_ctzll(starts) + 1);
    starts &= starts - 1;
    ends &= ends - 1;
  }
  return r;
}

// Whether the walk of the region from the digit run at bit `off` of the block (digit_runs.h) can
// reach scan_region: its region has 7+ digits or 3+ dots and is not a date. Told from the steps
// from the run on, whose run of set bits holds the region (the walk may stop earlier, at a ')'
// without its '(', which leaves fewer digits and dots); a date only where the walk is exactly
// that run: no parenthesis in it, no '(' or '+' before it.
[[gnu::target("popcnt"), gnu::always_inline]] inline bool region_worth_walking(
    const RegionMasks& m, int off) {
  const uint64_t run = low(m.steps >> off);
  if (~run == 0) return true;  // 64 bytes or more
  const uint64_t in = (uint64_t{1} << __builtin_ctzll(~run)) - 1;
  const uint64_t digits = low(m.digit >> off) & in;
  if (__builtin_popcountll(digits) < 7) return __builtin_popcountll(low(m.dot >> off) & in) >= 3;
  const RegionShape r = shape_of(digits, 0);  // its dots do not matter now
  if (!lone_date(r.digits, r.groups, r.sizes)) return true;
  const u128 parens = m.open | m.close;
  return (low(parens >> off) & in) != 0 || off == 0 || ((parens | m.plus) >> (off - 1) & 1) != 0;
}

}  // namespace

// BMI2 for pext/pdep: they carry a mark from the byte after each run to the run's first digit
// (the k-th run end to the k-th run start). Every CPU with AVX-512 has it, and POPCNT.
[[gnu::target("bmi2,popcnt")]] DigitRunVisits digit_run_visits(const BlockMasks& cur,
                                                               const BlockMasks& next,
                                                               uint64_t starts,
                                                               DigitRunCarry& carry,
                                                               LazyRegionMasks& region_masks) {
  const uint64_t cw = capital_words(cur, carry.capital_word >> 63);
  const DigitRunCarry prev = carry;
  const uint64_t alnum = cur.letter | cur.digit, escape_letter = cur.key_nty | cur.key_rw;
  carry = DigitRunCarry{cur.letter, cur.space, cur.dot_comma, cw, alnum, escape_letter};
  if (starts == 0) return {};

  // Before the run, at its first digit d.
  const uint64_t iban = back(cur.letter, prev.letter, 1) & back(cur.letter, prev.letter, 2) &
                        ahead(cur.digit, next.digit, 1) &
                        ~(back(alnum, prev.alnum, 3) & ~back(escape_letter, prev.escape_letter, 3));
  const uint64_t named_street =
      back(cur.space, prev.space, 1) &
      (back(cw, prev.capital_word, 2) |
       (back(cur.dot_comma, prev.dot_comma, 2) & back(cw, prev.capital_word, 3)));

  // After the run, at the byte de after its last digit.
  auto at = [&](uint64_t BlockMasks::*mask, int j) { return ahead(cur.*mask, next.*mask, j); };
  using M = BlockMasks;
  const uint64_t space1 = at(&M::space, 1), cap_digit2 = at(&M::cap_digit, 2);
  const uint64_t us = (cur.space & at(&M::cap_digit, 1)) |
                      ((cur.comma | cur.letter) & space1 & cap_digit2) |
                      (cur.letter & at(&M::comma, 1) & at(&M::space, 2) & at(&M::cap_digit, 3));
  const uint64_t fr = (cur.space & at(&M::fr_first, 1) & at(&M::fr_second, 2)) |
                      (cur.comma & space1 & at(&M::fr_first, 2) & at(&M::fr_second, 3));
  const uint64_t goes_on = cur.region_sep & at(&M::region_next, 1);

  // The byte after each run that starts here (adding a run's first digit carries to it); the
  // run that reaches the block's end has none here and is visited.
  const uint64_t digits = cur.digit;
  const uint64_t after = (digits + starts) & ~digits;
  const uint64_t last_run = digits >> 63 ? uint64_t{1} << (63 - __builtin_clzll(starts)) : 0;

  const uint64_t visit =
      (starts & (iban | named_street)) | to_starts(us | fr, after, starts) | last_run;
  unsigned __int128 seven = static_cast<unsigned __int128>(next.digit) << 64 | digits;
  seven &= seven >> 1;  // 2 digits from here
  seven &= seven >> 2;  // 4
  seven &= seven >> 3;  // 7
  const uint64_t region =
      (starts & static_cast<uint64_t>(seven)) | to_starts(goes_on, after, starts);
  DigitRunVisits v{visit, 0};
  for (uint64_t r = region & ~visit; r != 0; r &= r - 1) {
    const int off = __builtin_ctzll(r);
    if (region_worth_walking(region_masks.get(), off)) v.region |= uint64_t{1} << off;
  }
  return v;
}

RegionShape region_shape(const BlockMasks& cur, const BlockMasks& next, size_t off, size_t len) {
  auto window = [&](uint64_t lo, uint64_t hi) {
    const uint64_t keep = len == 64 ? ~uint64_t{0} : (uint64_t{1} << len) - 1;
    return low((u128{hi} << 64 | lo) >> off) & keep;
  };
  return shape_of(window(cur.digit, next.digit), window(cur.dot, next.dot));
}

RegionMasks region_masks(const BlockMasks& cur, const BlockMasks& next) {
  auto both = [&](uint64_t BlockMasks::*mask) { return u128{next.*mask} << 64 | cur.*mask; };
  RegionMasks m;
  m.digit = both(&BlockMasks::digit);
  m.dot = both(&BlockMasks::dot);
  m.open = both(&BlockMasks::lparen);
  m.close = both(&BlockMasks::rparen);
  const u128 space = both(&BlockMasks::space);
  // '-' is the separator that is neither space, dot nor parenthesis; '+' the successor that is
  // neither digit, '(', space nor '-'.
  const u128 dash = both(&BlockMasks::region_sep) & ~(space | m.dot | m.open | m.close);
  m.plus = both(&BlockMasks::region_next) & ~(m.digit | m.open | space | dash);
  // Each byte told by the byte after it: a digit; a separator before a digit or '('; '(' before
  // a digit or '+'; ')' before a space, '-' or a digit. The last byte's successor is in neither
  // block: no step.
  m.steps = m.digit | ((space | dash | m.dot) & (m.digit | m.open) >> 1) |
            (m.open & (m.digit | m.plus) >> 1) | (m.close & (space | dash | m.digit) >> 1);
  return m;
}

bool region_end_from_masks(const RegionMasks& m, size_t rb, size_t* end) {
  const size_t from = rb + static_cast<size_t>(m.plus >> rb & 1);  // a leading '+' is skipped
  size_t e = from + ctz128((~m.steps | u128{1} << 127) >> from);
  if (e >= 127) return false;
  // A ')' without an open '(' before it in the region ends the walk there.
  bool paren = false;
  for (u128 p = (m.open | m.close) & bits_between(from, e); p != 0; p &= p - 1) {
    const size_t k = ctz128(p);
    if (m.open >> k & 1) {
      paren = true;
    } else if (paren) {
      paren = false;
    } else {
      e = k;
      break;
    }
  }
  const u128 digits = m.digit & bits_between(from, e);
  if (digits == 0) {
    *end = rb;
    return true;
  }
  const uint64_t hi = low(digits >> 64);
  *end = 1 + (hi != 0 ? 127 - __builtin_clzll(hi) : 63 - __builtin_clzll(low(digits)));
  return true;
}

}  // namespace tiergate::privacy::byte_pass
