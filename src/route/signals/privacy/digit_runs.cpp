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

// Whether the 32 bytes from bit `off` of a block hold 7+ digits or 3+ dots (digit_runs.h), from
// the masks of the block and the next.
[[gnu::target("popcnt")]] bool dense_window(const BlockMasks& cur, const BlockMasks& next,
                                            int off) {
  auto window = [&](uint64_t lo, uint64_t hi) {
    return static_cast<uint32_t>((static_cast<unsigned __int128>(hi) << 64 | lo) >> off);
  };
  return __builtin_popcount(window(cur.digit, next.digit)) >= 7 ||
         __builtin_popcount(window(cur.dot, next.dot)) >= 3;
}

}  // namespace

// BMI2 for pext/pdep: they carry a mark from the byte after each run to the run's first digit
// (the k-th run end to the k-th run start). Every CPU with AVX-512 has it, and POPCNT.
[[gnu::target("bmi2,popcnt")]] DigitRunVisits digit_run_visits(const BlockMasks& cur,
                                                               const BlockMasks& next,
                                                               uint64_t starts,
                                                               DigitRunCarry& carry) {
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
  uint64_t dense = 0;
  for (uint64_t r = region & ~visit; r != 0; r &= r - 1) {
    const int off = __builtin_ctzll(r);
    if (dense_window(cur, next, off)) dense |= uint64_t{1} << off;
  }
  return DigitRunVisits{visit, dense};
}

[[gnu::target("popcnt")]] RegionShape region_shape(const BlockMasks& cur, const BlockMasks& next,
                                                   size_t off, size_t len) {
  auto window = [&](uint64_t lo, uint64_t hi) {
    const uint64_t keep = len == 64 ? ~uint64_t{0} : (uint64_t{1} << len) - 1;
    return static_cast<uint64_t>((static_cast<unsigned __int128>(hi) << 64 | lo) >> off) & keep;
  };
  const uint64_t digits = window(cur.digit, next.digit);
  uint64_t starts = digits & ~(digits << 1);  // byte 0 is a run's first digit
  uint64_t ends = digits & ~(digits >> 1);
  RegionShape r;
  r.digits = static_cast<size_t>(__builtin_popcountll(digits));
  r.dots = static_cast<size_t>(__builtin_popcountll(window(cur.dot, next.dot)));
  r.groups = static_cast<size_t>(__builtin_popcountll(starts));
  r.group_ends = ends;
  for (size_t g = 0; g < 3 && starts != 0; ++g) {
    r.sizes[g] = static_cast<uint8_t>(__builtin_ctzll(ends) - __builtin_ctzll(starts) + 1);
    starts &= starts - 1;
    ends &= ends - 1;
  }
  return r;
}

}  // namespace tiergate::privacy::byte_pass
