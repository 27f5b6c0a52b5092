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
//     run that nothing extends only adds a byte without digits); and then only if its region may
//     reach scan_region: read from the region masks (the bytes the walk steps over, a superset
//     where a ')' need not close a '('), it has 7+ digits or 3+ dots and is not a date, the test
//     the walk applies (a date is told only where the masks give the walk's region exactly: no
//     parenthesis, no '(' or '+' before the run). A skipped region leaves region_done behind: a
//     later run inside it walks a part of the same region, which has even fewer digits and dots
//     (and a part of a date is none).
// Each condition is a superset of the first tests of the code it stands for: a skipped run is
// one the visit would have left alone (tests/unit/privacy/simd_levels_test.cpp).

#include <array>
#include <cstddef>
#include <cstdint>

#include "route/signals/privacy/block_masks.h"

namespace tiergate::privacy::byte_pass {

// The classes of a block and the next that the region walk (region_end in text_pass.cpp) reads,
// bit k for byte k from the block's start, and `steps`: the bytes it may step over (a superset:
// a ')' counts whatever came before it).
struct RegionMasks {
  unsigned __int128 digit, dot, open, close, plus, steps;  // no initialisers: all are set
};
RegionMasks region_masks(const BlockMasks& cur, const BlockMasks& next);

// The region masks of one block, computed when first asked for: most blocks need none.
class LazyRegionMasks {
 public:
  LazyRegionMasks(const BlockMasks& cur, const BlockMasks& next) : cur_(cur), next_(next) {}
  const RegionMasks& get() {
    if (!ready_) {
      masks_ = region_masks(cur_, next_);
      ready_ = true;
    }
    return masks_;
  }

 private:
  const BlockMasks& cur_;
  const BlockMasks& next_;
  bool ready_ = false;
  RegionMasks masks_;
};

// The first digits of the block's digit runs that need a visit: `visit` for an IBAN, a street or
// the run that reaches the block's end, `region` for the region walk alone (those whose region,
// read from the region masks, may reach scan_region).
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
                                DigitRunCarry& carry, LazyRegionMasks& region);

// The digits of a numeric region that the region walk (text_pass.cpp) counts, told from the masks
// for a region of `len` (1..64) bytes from bit `off` of a block, whose first byte is the first
// digit of a run: the digits and dots in it, its digit groups, the sizes of the first three
// groups, and the bytes that end a group (bit k: byte k of the region is a group's last digit).
struct RegionShape {
  size_t digits = 0, dots = 0, groups = 0;
  std::array<uint8_t, 3> sizes{};
  uint64_t group_ends = 0;
};

// A date alone (2024-03-15, 15.01.2024, 01 15 2024: 8 digits in groups of 4-2-2 or 2-2-4), which
// the region walk gives to no detector: the phone check rejects its shape, and without its first
// or last group 6 digits are left. `sizes`: the first three groups'.
inline bool lone_date(size_t digits, size_t groups, const std::array<uint8_t, 3>& sizes) {
  return digits == 8 && groups == 3 &&
         ((sizes[0] == 4 && sizes[1] == 2) || (sizes[0] == 2 && sizes[2] == 4));
}
// REQUIRES: masks computed at a level with has_filter_masks() (POPCNT); off < 64, 1 <= len <= 64.
RegionShape region_shape(const BlockMasks& cur, const BlockMasks& next, size_t off, size_t len);

// The end of the numeric region that starts at byte `rb` of a block (region_end in text_pass.cpp:
// an optional '+', then digits with single separators between them, space - . and parentheses
// around a group; the end is the byte after its last digit), told from the region masks of the
// block instead of a walk with a branch per byte. False when the masks cannot tell: the region
// reaches the last byte of the two blocks. REQUIRES: the masks of a level with
// has_filter_masks(); rb < 64.
bool region_end_from_masks(const RegionMasks& masks, size_t rb, size_t* end);

}  // namespace tiergate::privacy::byte_pass
