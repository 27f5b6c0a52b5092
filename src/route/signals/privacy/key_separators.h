#pragma once
// Where a secret assignment's separator may stand, for the byte pass (text_pass.cpp), told from
// the block masks. assignment_at reads back from each ':' and '=' over spaces or tabs, a quote
// and its backslashes, to a key word; every key word (password, passwd, pwd, pass, passphrase,
// token, secret, key) ends in one of the letter pairs rd wd ss se en et ey. So a separator needs
// right before it such a pair and then only bytes of that gap. Code and prose have many ':' and
// '=' ("x = 1", "note: ..."), and most are after another word: visited, each cost a walk and a
// few word compares. Pure; internal to the privacy folder.

#include <cstdint>

#include "route/signals/privacy/block_masks.h"

namespace tiergate::privacy::byte_pass {

// The previous block's masks and carry that the filter reads across the block boundary.
struct KeySeparatorCarry {
  uint64_t rw = 0, s = 0, e = 0;
  unsigned long long run_goes_on = 0;  // a key word or its gap reached the block's end
};

// The bytes right after a key word's last letter pair and the gap after it: where the separator
// may stand. The pair's last letter is added to the mask of pairs and gap bytes, which carries
// through the gap to the first byte after it. REQUIRES: masks computed at a level with
// has_filter_masks(). Updates `carry`.
inline uint64_t key_separators(const BlockMasks& m, KeySeparatorCarry& carry) {
  auto before = [](uint64_t cur, uint64_t prev) { return cur << 1 | prev >> 63; };
  const uint64_t pair = (m.key_d & before(m.key_rw, carry.rw)) |
                        ((m.key_e | m.s) & before(m.s, carry.s)) |
                        (m.key_nty & before(m.key_e, carry.e));
  const uint64_t run = pair | m.key_gap;
  unsigned long long sum = 0;
  const bool out = __builtin_uaddll_overflow(run, pair, &sum);
  const bool out_in = __builtin_uaddll_overflow(sum, carry.run_goes_on, &sum);
  carry = KeySeparatorCarry{m.key_rw, m.s, m.key_e, out || out_in ? 1ull : 0ull};
  return sum & ~run;
}

// A block without a separator: the carry that lets the next block's filter keep every separator
// a pair or gap could reach from here (a superset). Returns no separators.
inline uint64_t skip(KeySeparatorCarry& carry) {
  carry = KeySeparatorCarry{~uint64_t{0}, ~uint64_t{0}, ~uint64_t{0}, 1};
  return 0;
}

}  // namespace tiergate::privacy::byte_pass
