// The byte pass (detectors.h: scan_numbers_and_tokens): numbers, IPv6, token runs and secret
// assignments found with SIMD block masks (block_masks.h) and a byte-class table, then refined with the same
// refiners as the Hyperscan candidates. Every shortcut here rejects only what the refiner behind it
// would reject (tests/unit/privacy/byte_pass_test.cpp).

#include <array>
#include <cstdint>
#include <cstring>
#include <span>
#include <utility>

#include "route/signals/privacy/block_masks.h"
#include "route/signals/privacy/byte_pass.h"
#include "route/signals/privacy/detectors.h"
#include "route/signals/privacy/digit_runs.h"
#include "route/signals/privacy/key_separators.h"
#include "route/signals/privacy/refiners.h"
#include "route/signals/privacy/validators.h"

namespace tiergate::privacy {
namespace {

using R = Refiner;
using namespace byte_pass;

// The end of a numeric region starting at `b`: digits with single separators between them
// (space, - and . and parentheses around a group).
size_t region_end(std::string_view t, size_t b) {
  size_t j = b, last_digit = b;
  bool paren = false;
  if (j < t.size() && t[j] == '+') ++j;
  while (j < t.size()) {
    const char c = t[j];
    if (digit(t, j)) {
      last_digit = ++j;
      continue;
    }
    const char n = j + 1 < t.size() ? t[j + 1] : '\0';
    const bool n_digit = n >= '0' && n <= '9';
    if (c == '(' && (n_digit || n == '+')) {
      paren = true;
      ++j;
    } else if (c == ')' && paren && (n == ' ' || n == '-' || n_digit)) {
      paren = false;
      ++j;
    } else if ((c == ' ' || c == '-' || c == '.') && (n_digit || n == '(')) {
      ++j;
    } else {
      break;
    }
  }
  return last_digit;
}

// True when the region that region_end would read from the digit run t[d, de) is longer than
// the run: a separator or parenthesis after it that region_end may step over, or a '(' or '+'
// before it. Conservative: a true only costs the full region_end.
bool region_goes_on(std::string_view t, size_t d, size_t de) {
  if (d > 0 && (t[d - 1] == '(' || t[d - 1] == '+')) return true;
  if (de >= t.size()) return false;
  const char ch = t[de];
  if (ch != ' ' && ch != '-' && ch != '.' && ch != '(' && ch != ')') return false;
  const char nx = de + 1 < t.size() ? t[de + 1] : '\0';
  return (nx >= '0' && nx <= '9') || nx == '(' || nx == '+' || nx == ' ' || nx == '-';
}

// The digit groups of a region, counted in the same walk that decides whether to scan it.
struct RegionGroups {
  std::array<size_t, 64> ends;  // the end of each group, the first 64; not zeroed: [0, n) is read
  size_t n = 0;
  size_t digits = 0;
};

// Digits, separators and group ends of one region: card, phone, SSN, IPv4 candidates.
void scan_region(Ctx& c, size_t rb, size_t re, const RegionGroups& groups) {
  const std::string_view t = c.t;
  const std::array<size_t, 64>& ends = groups.ends;
  const size_t n = groups.n, digits = groups.digits;

  // Whether a phone context word lies within 40 bytes before the region or inside it: searched
  // once, when a candidate first needs it, instead of at every start and end the sweep tries.
  refiners::PhoneContext phone_context{rb > 40 ? rb - 40 : 0, re};
  // Longest first per type; after a finding, only what lies before it.
  auto sweep = [&](T type, R refiner, size_t window, size_t min_digits) {
    if (!c.on(type) || digits < min_digits) return;
    size_t limit = re;
    for (size_t i = n; i-- > 0;) {
      const size_t e = ends[i];
      if (e > limit) continue;
      size_t s = rb;
      if (e - s > window) {
        s = e - window;
        while (s < e && !(digit(t, s) && !digit(t, s - 1))) ++s;  // a group start
        if (s > 0 && (t[s - 1] == '(' || t[s - 1] == '+')) --s;
      }
      size_t ob = 0, oe = 0;
      const bool ok = refiner == R::kPhone ? refiners::refine_phone(t, s, e, &ob, &phone_context)
                                           : refine(refiner, t, s, e, c.o, &ob, &oe);
      if (refiner == R::kPhone) oe = e;
      if (ok) {
        c.add(type, ob, oe);
        limit = ob;
      }
    }
  };
  sweep(T::kCard, R::kCard, 40, 13);
  sweep(T::kPhone, R::kPhone, 28, 7);

  for (size_t i = 0; i < n; ++i) {
    const size_t e = ends[i];
    size_t ob = 0, oe = 0;
    // SSN: ddd?dd?dddd with one separator kind, or nine bare digits.
    if (c.on(T::kSsn) && e >= rb + 9) {
      if (e >= rb + 11 && !digit(t, e) && !letter(t, e)) {
        const size_t s = e - 11;
        const bool shape = digit(t, s) && digit(t, s + 1) && digit(t, s + 2) &&
                           (t[s + 3] == ' ' || t[s + 3] == '-') && digit(t, s + 4) &&
                           digit(t, s + 5) && (t[s + 6] == ' ' || t[s + 6] == '-') &&
                           digit(t, s + 7) && digit(t, s + 8) && digit(t, s + 9) &&
                           digit(t, s + 10) && (s == 0 || !digit(t, s - 1));
        if (shape && refine(R::kSsnSeparated, t, s, e, c.o, &ob, &oe)) c.add(T::kSsn, ob, oe);
      }
      const size_t s = e - 9;
      bool bare = !letter(t, e) && (s == 0 || !((cls(t, s - 1) & (kDigit | kLetter))));
      for (size_t k = s; k < e && bare; ++k) bare = digit(t, k);
      if (bare && refine(R::kSsnBare, t, s, e, c.o, &ob, &oe)) c.add(T::kSsn, ob, oe);
    }
    // IPv4: back over digits and dots from the group end.
    if (c.on(T::kIpAddress) && i >= 3 && !letter(t, e)) {
      size_t s = e;
      while (s > rb && s + 15 > e && (digit(t, s - 1) || t[s - 1] == '.')) --s;
      int dots = 0;
      for (size_t k = s; k < e; ++k) dots += t[k] == '.';
      if (dots == 3 && digit(t, s) && refine(R::kIpv4, t, s, e, c.o, &ob, &oe))
        c.add(T::kIpAddress, ob, oe);
    }
  }
}

// IBAN at a digit run preceded by two letters: read exactly the country's length.
void scan_iban(Ctx& c, size_t i) {
  const std::string_view t = c.t;
  if (i < 2 || !letter(t, i - 2) || !letter(t, i - 1) || !digit(t, i + 1)) return;
  if (is_alnum(char_before(t, i - 2))) return;
  const int len = iban_country_length(t[i - 2], t[i - 1]);
  if (len == 0) return;
  size_t k = i - 2;
  int got = 0;
  while (k < t.size() && got < len) {
    if (is_alnum(t[k])) {
      ++got;
      ++k;
    } else if ((t[k] == ' ' || t[k] == '-') && got > 0 && k + 1 < t.size() && is_alnum(t[k + 1])) {
      ++k;
    } else {
      break;
    }
  }
  size_t ob = 0, oe = 0;
  if (got == len && refine(R::kIban, t, i - 2, k, c.o, &ob, &oe)) c.add(T::kIban, ob, oe);
}

// IPv6 around the colon at t[i]: the run of hex digits, colons and dots (for an embedded IPv4)
// with at least two colons, longest valid end first. Returns the end of the run.
size_t scan_ipv6(Ctx& c, size_t i) {
  const std::string_view t = c.t;
  auto part = [&](size_t k) { return is_hex(t[k]) || t[k] == ':' || t[k] == '.'; };
  size_t s = i, e = i;
  while (s > 0 && i - s < 45 && part(s - 1)) --s;
  while (e < t.size() && e - s < 45 && part(e)) ++e;
  int colons = 0;
  for (size_t k = s; k < e; ++k) colons += t[k] == ':';
  if (colons < 2) return e;
  while (s < i && t[s] == '.') ++s;
  // What refine_ipv6 would reject at every end, checked once: the character before the run, a
  // run without a decimal digit ("std::map", "abc::def"), and a run with neither "::" nor the
  // six colons of a full address (times, "a:b:c").
  const char p = char_before(t, s);
  if (is_alnum(p) || p == ':' || p == '.' || p == '_') return e;
  bool has_digit = false, double_colon = false;
  for (size_t k = s; k < e; ++k) {
    has_digit = has_digit || digit(t, k);
    double_colon = double_colon || (t[k] == ':' && k + 1 < e && t[k + 1] == ':');
  }
  if (!has_digit || (!double_colon && colons < 6)) return e;
  for (size_t end = e; end > i; --end) {
    size_t ob = 0, oe = 0;
    if (refine(R::kIpv6, t, s, end, c.o, &ob, &oe)) {
      c.add(T::kIpAddress, ob, oe);
      break;
    }
  }
  return e;
}

}  // namespace

namespace {

// The masks of the text's 64-byte blocks in order, classified kChunk blocks at a time into one
// half of a two-chunk ring (one call per chunk, not per block).
class MaskStream {
 public:
  MaskStream(std::string_view t, SimdLevel level)
      : t_(t),
        level_(level),
        blocks_((t.size() + 63) / 64),
        direct_(t.size() >= kBlockLookahead ? (t.size() - kBlockLookahead) / 64 : 0) {
    // The blocks without 64 + kBlockLookahead bytes of text from their start (one or two, at the
    // end) are classified from a zero-padded copy.
    std::memcpy(tail_.data(), t.data() + 64 * direct_, t.size() - 64 * direct_);
  }

  // The masks of block b (bytes [64 b, 64 b + 64)), empty past the text. REQUIRES: b is at most
  // one past the highest block asked for before; a reference stays valid until a block kChunk
  // or more further on is asked for.
  const BlockMasks& block(size_t b) {
    if (b >= blocks_) return empty_;
    BlockMasks* chunk = ring_.data() + (b / kChunk % 2) * kChunk;
    if (b / kChunk == next_chunk_) fill(b / kChunk, chunk);
    return chunk[b % kChunk];
  }

  // The last block that may be asked for while the masks of block b stay valid.
  static size_t last_keeping(size_t b) { return (b / kChunk + 2) * kChunk - 1; }

 private:
  static constexpr size_t kChunk = 32;

  void fill(size_t k, BlockMasks* chunk) {
    const size_t first = k * kChunk, end = std::min(first + kChunk, blocks_);
    const size_t direct_end = std::min(std::max(direct_, first), end);
    classify_blocks(level_, t_.data() + 64 * first, direct_end - first, chunk);
    if (direct_end < end)
      classify_blocks(level_, tail_.data() + 64 * (direct_end - direct_), end - direct_end,
                      chunk + (direct_end - first));
    next_chunk_ = k + 1;
  }

  std::string_view t_;
  SimdLevel level_;
  size_t blocks_;
  size_t direct_;  // blocks classified in place
  size_t next_chunk_ = 0;
  std::array<BlockMasks, 2 * kChunk> ring_;
  std::array<char, 3 * 64> tail_{};
  BlockMasks empty_{};
};

// The colons at which scan_ipv6 may find an address, from the masks (filter levels). It reads the
// run of hex digits, colons and dots around the colon and rejects it when a letter stands before
// the run ("std::map", "Foo::bar": the letter before is not a hex digit) or when the run starts
// with a dot. Those runs are marked at their start, and an add carries the mark through the run
// (clearing it), so the colons left are those of the other runs. The letter of an escape, which
// reads as a space ("\nfe80::1"), does not mark: n, t, y, r or w after a gap byte (a superset).
struct Ipv6Carry {
  uint64_t part = 0, letter = 0, escape = 0, gap = 0;  // the previous block's masks
  unsigned long long marked_goes_on = 0;               // a marked run reached the block's end
};

// A block without a colon: the carry that marks nothing in the next block (a superset).
uint64_t skip(Ipv6Carry& carry) {
  carry = Ipv6Carry{~uint64_t{0}, 0, ~uint64_t{0}, ~uint64_t{0}, 0};
  return 0;
}

uint64_t ipv6_colons(const BlockMasks& m, Ipv6Carry& carry) {
  auto before = [](uint64_t cur, uint64_t prev) { return cur << 1 | prev >> 63; };
  const uint64_t part = m.digit | (m.letter & ~m.token_not_hex) | m.colon | m.dot;
  const uint64_t escape = (m.key_nty | m.key_rw) & before(m.key_gap, carry.gap);
  const uint64_t starts = part & ~before(part, carry.part);
  const uint64_t marked =
      starts & ((before(m.letter, carry.letter) & ~before(escape, carry.escape)) | m.dot);
  unsigned long long sum = 0;
  const bool out = __builtin_uaddll_overflow(part, marked, &sum);
  const bool out_in = __builtin_uaddll_overflow(sum, carry.marked_goes_on, &sum);
  carry = Ipv6Carry{part, m.letter, escape, m.key_gap, out || out_in ? 1ull : 0ull};
  return m.colon & sum;
}

// Bits of positions that start `len` (1..64) consecutive set bits in the 128-bit window
// lo | hi << 64, for the low 64 positions.
uint64_t run_starts(uint64_t lo, uint64_t hi, size_t len) {
  unsigned __int128 w = static_cast<unsigned __int128>(hi) << 64 | lo;
  unsigned __int128 r = w;
  size_t have = 1;
  while (have * 2 <= len) {
    r &= r >> have;
    have *= 2;
  }
  if (have < len) r &= r >> (len - have);  // runs of `have` starting at i and at i + len - have
  return static_cast<uint64_t>(r);
}

// The same for the default length, 20 (RefineOptions::entropy_min_length), with the shifts known:
// each is a double shift of two words, without the run-time length's tests.
uint64_t run_starts_20(uint64_t lo, uint64_t hi) {
  unsigned __int128 r = static_cast<unsigned __int128>(hi) << 64 | lo;
  r &= r >> 1;
  r &= r >> 2;
  r &= r >> 4;
  r &= r >> 8;
  r &= r >> 4;
  return static_cast<uint64_t>(r);
}

// Whether one of the eight bytes of x is 0xff (a zero byte of ~x).
bool has_full_byte(uint64_t x) {
  const uint64_t y = ~x;
  return ((y - 0x0101010101010101) & ~y & 0x8080808080808080) != 0;
}

}  // namespace

void byte_pass::scan_at_level(SimdLevel level, std::string_view t, const RefineOptions& options,
                              const std::array<bool, kEntityTypeCount>& enabled,
                              std::vector<Finding>& out, std::vector<AnchoredHit>* anchored) {
  RefineOptions o = options;
  o.simd_level = level;  // the refiners' masks at the level of the pass
  Ctx c{t, o, enabled, out, anchored};
  const bool numbers = c.on(T::kCard) || c.on(T::kPhone) || c.on(T::kSsn) || c.on(T::kIpAddress) ||
                       c.on(T::kIban) || c.on(T::kStreetAddress);
  const bool tokens = c.on(T::kHighEntropy);
  const bool ipv6 = c.on(T::kIpAddress);
  const bool passwords = c.on(T::kPassword), api_keys = c.on(T::kApiKey);
  const bool private_keys = c.on(T::kPrivateKey);
  // The anchored patterns looked for: all ones or zero, so that one expression without a branch
  // gives the literals of the block.
  auto all_if = [&](bool on) { return anchored && on ? ~uint64_t{0} : 0; };
  const uint64_t emails = all_if(c.on(T::kEmail)), url_passwords = all_if(passwords),
                 jwts = all_if(c.on(T::kJwt)), bearers = all_if(api_keys);
  const size_t n = t.size();
  const size_t min_len = std::min<size_t>(std::max<size_t>(o.entropy_min_length, 1), 64);
  size_t region_done = 0, v6_done = 0, token_done = 0;

  // One digit run starting at d: IBAN, addresses, and the numeric region it begins.
  // `cur`, `next`: the masks of the block at `pos` that holds d, and of the next.
  auto on_digit_run = [&](size_t d, size_t de, const BlockMasks& cur, const BlockMasks& next,
                          LazyRegionMasks& region_masks, size_t pos) {
    if (c.on(T::kIban) && d >= 2 && letter(t, d - 1)) scan_iban(c, d);
    if (c.on(T::kStreetAddress) && de - d <= 5) {
      // The first tests of the four readers, shared: after the number a street word may follow
      // (US, FR: [letter][,] then a space and a capital, a digit or r/a/b/p/c/i/q), before it a
      // street name may stand (DE, ES: a space). Most numbers pass neither.
      const char a = de < n ? t[de] : '\0', b = de + 1 < n ? t[de + 1] : '\0';
      const bool word_after = (a == ' ' && (cls(t, de + 1) & kStreetStart)) || (a == ',' && b == ' ') ||
                              (letter(t, de) && !letter(t, de + 1));
      if (word_after) {
        scan_us_address(c, d, de);
        scan_fr_address(c, d, de);
      }
      if (d >= 2 && t[d - 1] == ' ') {
        scan_de_address(c, d, de);
        scan_es_address(c, d, de);
      }
    }
    if (d >= region_done && de - d < 7 && !region_goes_on(t, d, de)) {
      // Most numbers: a short run that no separator extends, so its region is the run itself
      // (fewer than 7 digits, no dot): nothing to check.
      region_done = de;
    } else if (d >= region_done) {
      size_t rb = d;
      if (rb > 0 && (t[rb - 1] == '(' || t[rb - 1] == '+')) --rb;
      if (rb > 0 && t[rb] == '(' && t[rb - 1] == '+') --rb;
      size_t re = 0;
      if (!has_filter_masks(level) || rb < pos ||
          !region_end_from_masks(region_masks.get(), rb - pos, &re))
        re = region_end(t, rb);
      else
        re += pos;
      // Phones, cards and SSNs have 7+ digits; an IPv4 address has three dots; a date alone
      // (lone_date) is none of them.
      RegionGroups g;
      size_t dots = 0, groups = 0;
      std::array<uint8_t, 3> sizes{};
      if (has_filter_masks(level) && re - d <= 64) {
        // From the masks (most regions): the same counts without a branch per byte.
        const RegionShape r = region_shape(cur, next, d - pos, re - d);
        g.digits = r.digits;
        dots = r.dots;
        groups = r.groups;
        sizes = r.sizes;
        for (uint64_t ends = r.group_ends; ends != 0; ends &= ends - 1)
          g.ends[g.n++] = d + static_cast<size_t>(__builtin_ctzll(ends)) + 1;
      } else {
        for (size_t k = d; k < re; ++k) {
          if (digit(t, k)) {
            if (!digit(t, k - 1)) ++groups;
            if (groups <= 3) ++sizes[groups - 1];
            ++g.digits;
            if ((k + 1 == re || !digit(t, k + 1)) && g.n < g.ends.size()) g.ends[g.n++] = k + 1;
          }
          dots += t[k] == '.';
        }
      }
      const bool date = rb == d && lone_date(g.digits, groups, sizes);
      if ((g.digits >= 7 || dots >= 3) && !date) scan_region(c, rb, re, g);
      region_done = re;
    }
  };
  // The token run t[b, e) (>= min_len long), with the '=' padding after it: the generic-secret
  // check.
  auto on_token_run = [&](size_t b, size_t e) {
    token_done = e;
    size_t pe = e;
    while (pe < n && t[pe] == '=') ++pe;
    size_t ob = 0, oe = 0;
    if (refine(R::kHighEntropy, t, b, pe, o, &ob, &oe)) c.add(T::kHighEntropy, ob, oe);
  };
  MaskStream masks(t, level);
  // A token run that starts at p, in `block`, and goes on past 64 bytes (paths, base64): its end
  // and whether it holds a digit and a byte outside [0-9a-fA-F-] (refine_high_entropy wants
  // both), from the masks of the blocks it covers; past the blocks the stream holds, from the
  // text.
  auto on_long_token = [&](size_t p, size_t block) {
    const size_t last = MaskStream::last_keeping(block);
    uint64_t valid = ~uint64_t{0} << (p - 64 * block), digits = 0, not_hex = 0;
    for (size_t k = block; k <= last; ++k, valid = ~uint64_t{0}) {
      const BlockMasks& m = masks.block(k);
      const uint64_t ends = ~m.token & valid;
      const uint64_t in = ends != 0 ? valid & ((ends & (0 - ends)) - 1) : valid;
      digits |= m.digit & in;
      if (has_filter_masks(level)) not_hex |= m.token_not_hex & in;
      if (ends != 0) {
        const size_t e = std::min(64 * k + static_cast<size_t>(__builtin_ctzll(ends)), n);
        if (digits == 0 || (has_filter_masks(level) && not_hex == 0)) {
          token_done = e;
        } else {
          on_token_run(p, e);
        }
        return;
      }
    }
    size_t e = 64 * (last + 1);
    while (e < n && (cls(t, e) & kToken)) ++e;
    on_token_run(p, e);
  };

  uint64_t prev_digit_top = 0;    // was the byte before this block a digit
  uint64_t prev_key_end_top = 0;  // ... a key_end character
  uint64_t prev_token_top = 0;    // ... a token character
  DigitRunCarry run_carry;
  KeySeparatorCarry key_carry;
  Ipv6Carry v6_carry;
  for (size_t pos = 0, block = 0; pos < n; pos += 64, ++block) {
    const BlockMasks& cur = masks.block(block);
    const BlockMasks& next = masks.block(block + 1);
    if (numbers) {
      // With the filter masks, only the runs some detector can act on are visited (digit_runs.h).
      const uint64_t starts = cur.digit & ~((cur.digit << 1) | prev_digit_top);
      uint64_t visit = starts;
      LazyRegionMasks region_masks(cur, next);
      if (has_filter_masks(level)) {
        const DigitRunVisits v = digit_run_visits(cur, next, starts, run_carry, region_masks);
        visit = v.visit | v.region;
      }
      while (visit) {
        const size_t off = static_cast<size_t>(__builtin_ctzll(visit));
        visit &= visit - 1;
        // The run's end from the masks when it ends in this block or the next.
        const unsigned __int128 digits =
            (static_cast<unsigned __int128>(next.digit) << 64 | cur.digit) >> off;
        const uint64_t lo = static_cast<uint64_t>(~digits);
        size_t de = pos + off;
        if (lo != 0) {
          de += static_cast<size_t>(__builtin_ctzll(lo));
        } else {
          while (de < n && digit(t, de)) ++de;
        }
        on_digit_run(pos + off, std::min(de, n), cur, next, region_masks, pos);
      }
    }
    if (ipv6) {
      uint64_t colons = cur.colon;
      if (has_filter_masks(level))
        colons = colons != 0 ? ipv6_colons(cur, v6_carry) : skip(v6_carry);
      while (colons) {
        const size_t i = pos + static_cast<size_t>(__builtin_ctzll(colons));
        colons &= colons - 1;
        if (i >= v6_done) v6_done = scan_ipv6(c, i);
      }
    }
    if (passwords || api_keys) {
      uint64_t seps = (cur.colon | cur.equals) & (cur.key_end << 1 | prev_key_end_top);
      if (has_filter_masks(level))
        seps = seps != 0 ? seps & key_separators(cur, key_carry) : skip(key_carry);
      while (seps) {
        const size_t q = pos + static_cast<size_t>(__builtin_ctzll(seps));
        seps &= seps - 1;
        size_t ob = 0, oe = 0;
        T type{};
        if (refiners::assignment_at(t, q, passwords, api_keys, &ob, &oe, &type)) c.add(type, ob, oe);
      }
    }
    if (passwords) {
      // "pass" in any case: the flag "--pass[word]" and "password is X".
      uint64_t pass = cur.p & (cur.a >> 1 | next.a << 63) & (cur.s >> 2 | next.s << 62) &
                      (cur.s >> 3 | next.s << 61);
      while (pass) {
        const size_t i = pos + static_cast<size_t>(__builtin_ctzll(pass));
        pass &= pass - 1;
        size_t ob = 0, oe = 0;
        if (refiners::password_word_at(t, i, &ob, &oe)) c.add(T::kPassword, ob, oe);
      }
    }
    if (api_keys || private_keys) {
      uint64_t vendor = cur.vendor;
      while (vendor) {
        vendor_key_at(c, pos + static_cast<size_t>(__builtin_ctzll(vendor)));
        vendor &= vendor - 1;
      }
    }
    {
      // The literals of the anchored patterns; each reader checks its literal again.
      const uint64_t slash1 = cur.slash >> 1 | next.slash << 63;
      const uint64_t slash2 = cur.slash >> 2 | next.slash << 62;
      const uint64_t big_j2 = cur.big_j >> 2 | next.big_j << 62;
      const uint64_t e1 = cur.e >> 1 | next.e << 63, a2 = cur.a >> 2 | next.a << 62;
      uint64_t literals = (cur.at & emails) | (cur.colon & slash1 & slash2 & url_passwords) |
                          (cur.e & big_j2 & jwts) | (cur.b & e1 & a2 & bearers);
      while (literals) {
        const size_t i = pos + static_cast<size_t>(__builtin_ctzll(literals));
        literals &= literals - 1;
        switch (t[i]) {
          case '@':
            email_ends(c, i);
            break;
          case ':':
            url_password_end(c, i);
            break;
          case 'e':
            if (jwts) jwt_end(c, i);
            break;
          default:  // 'b' or 'B'
            if (bearers) bearer_end(c, i);
            break;
        }
      }
    }
    // A token run of 15+ bytes that starts in this block holds one of its aligned 8-byte groups
    // whole, or the next block's first: most blocks of prose have none.
    if (tokens && (min_len < 15 || has_full_byte(cur.token) || (next.token & 0xff) == 0xff)) {
      // Only where a run starts: a later position of the same run is behind token_done.
      uint64_t long_runs = (min_len == 20 ? run_starts_20(cur.token, next.token)
                                          : run_starts(cur.token, next.token, min_len)) &
                           ~(cur.token << 1 | prev_token_top);
      while (long_runs) {
        const size_t off = static_cast<size_t>(__builtin_ctzll(long_runs));
        const size_t p = pos + off;
        long_runs &= long_runs - 1;
        if (p < token_done) continue;
        // A run that starts here and ends within 64 bytes, without a digit, is no secret
        // (refine_high_entropy wants a digit): most are identifiers and paths. Told from the masks.
        const uint64_t rest = static_cast<uint64_t>(
            ~((static_cast<unsigned __int128>(next.token) << 64 | cur.token) >> off));
        if (rest != 0) {
          const size_t len = static_cast<size_t>(__builtin_ctzll(rest));
          const uint64_t digits = static_cast<uint64_t>(
              (static_cast<unsigned __int128>(next.digit) << 64 | cur.digit) >> off);
          const uint64_t not_hex = static_cast<uint64_t>(
              (static_cast<unsigned __int128>(next.token_not_hex) << 64 | cur.token_not_hex) >>
              off);
          const uint64_t in_run = (uint64_t{1} << len) - 1;
          bool no_secret = (digits & in_run) == 0;
          if (has_filter_masks(level) && !no_secret) {
            auto run_bits = [&](uint64_t BlockMasks::*mask) {
              return static_cast<uint64_t>(
                         (static_cast<unsigned __int128>(next.*mask) << 64 | cur.*mask) >> off) &
                     in_run;
            };
            // Nor is one without a byte outside [0-9a-fA-F-] (it wants that too): hashes,
            // UUIDs; nor one under 24 bytes in one case of letters ("make-v2-config-file").
            const uint64_t upper = run_bits(&BlockMasks::upper);
            const uint64_t lower = run_bits(&BlockMasks::letter) & ~upper;
            no_secret = (not_hex & in_run) == 0 || (len < 24 && (upper == 0 || lower == 0));
          }
          if (no_secret) {
            token_done = p + len;
          } else {
            on_token_run(p, p + len);
          }
          continue;
        }
        on_long_token(p, block);
      }
    }
    prev_digit_top = cur.digit >> 63;
    prev_key_end_top = cur.key_end >> 63;
    prev_token_top = cur.token >> 63;
  }
}

void scan_numbers_and_tokens(std::string_view t, const RefineOptions& o,
                             const std::array<bool, kEntityTypeCount>& enabled,
                             std::vector<Finding>& out, std::vector<AnchoredHit>* anchored) {
  byte_pass::scan_at_level(byte_pass::best_simd_level(), t, o, enabled, out, anchored);
}

}  // namespace tiergate::privacy
