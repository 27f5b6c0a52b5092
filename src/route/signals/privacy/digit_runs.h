#pragma once
// Which digit runs the byte pass must look at (text_pass.cpp: on_digit_run), told from the block
// masks of a whole block at once. Most runs are short numbers in prose, code and logs ("30
// seconds", "line 12", "x = 42"), and the visit of one costs some twenty data-dependent branches
// that find nothing. A visit does something only when one of these holds, so every other run is
// skipped without reading the text:
//   - IBAN (scan_iban): two letters before the run and a second digit in it, and before the
//     letters no letter or digit (or one of n r t: char_before reads "\n" as a space);
//   - German or Spanish street (scan_de_address, scan_es_address): a space before the run, and
//     before that a word with a capital in it (maybe ending in '.' or ',');
//   - US street (scan_us_address): after the run, maybe one letter (221B) and maybe a comma, a
//     space and a capital or a digit (the first street word);
//   - French street (scan_fr_address): after the run, maybe a comma, a space and the first two
//     letters of a street word (ru, av, bo, bd, pl, ch, im, qu, al: from two letter classes);
//   - a numeric region (the region walk): the run has 7+ digits, or after it a separator (space
//     - . ( )) and then a digit, '(', '+', space or '-' (region_goes_on; a '(' or '+' before a
//     run that nothing extends only adds a byte without digits); and then only if the 32 bytes
//     from the run hold 7+ digits or 3+ dots. A region that scan_region may act on has 7+ digits
//     or 3 dots, and its gaps are at most 3 bytes (") (", ") -("), so those lie within 25 bytes
//     of its first digit. A skipped region leaves region_done behind: a later run inside it
//     walks a part of the same region, which has even fewer digits and dots.
// Each condition is a superset of the first tests of the code it stands for: a skipped run is
// one the visit would have left alone (tests/unit/privacy/simd_levels_test.cpp).

#include <array>
#include <cstddef>
#include <cstdint>

#include "route/signals/privacy/block_masks.h"

namespace tiergate::privacy::byte_pass {

// The first digits of the block's digit runs that need a visit: `visit` for an IBAN, a street or
// the run that reaches the block's end, `region` for the region walk alone (those with 7+ digits
// or 3+ dots in the 32 bytes from the run, counted by popcnt for each such run).
struct DigitRunVisits {
  uint64_t visit = 0, region = 0;
};

// The previous block's masks that the conditions read across the block boundary.
struct DigitRunCarry {
  uint64_t letter = 0, space = 0, dot_comma = 0, capital_word = 0;
  uint64_t alnum = 0, escape_letter = 0;  // escape_letter: n r t y w, either case
};

// The runs starting at `starts` (first digits, in this block) that need a visit; the last run
// of the block is visited when it reaches the block's end. Updates `carry` for the next block.
// REQUIRES: the masks were computed at a level with has_filter_masks() (which implies BMI2 and
// POPCNT).
DigitRunVisits digit_run_visits(const BlockMasks& cur, const BlockMasks& next, uint64_t starts,
                                DigitRunCarry& carry);

// The digits of a numeric region that the region walk (text_pass.cpp) counts, told from the masks
// for a region of `len` (1..64) bytes from bit `off` of a block, whose first byte is the first
// digit of a run: the digits and dots in it, its digit groups, the sizes of the first three
// groups, and the bytes that end a group (bit k: byte k of the region is a group's last digit).
struct RegionShape {
  size_t digits = 0, dots = 0, groups = 0;
  std::array<uint8_t, 3> sizes{};
  uint64_t group_ends = 0;
};
// REQUIRES: masks computed at a level with has_filter_masks() (POPCNT); off < 64, 1 <= len <= 64.
RegionShape region_shape(const BlockMasks& cur, const BlockMasks& next, size_t off, size_t len);

}  // namespace tiergate::privacy::byte_pass
