// The byte pass at every SIMD level this CPU runs finds exactly what the SSE2 baseline finds
// (block_masks.h; digit_runs.h skips digit runs only from the wider masks). Random and
// adversarial texts: digits, separators, street and key words, UTF-8, escaped newlines, runs
// across the 64-byte block boundaries, texts that end inside a number, planted corpus values at
// every offset of a block. And the tests that read byte masks in place of a byte loop answer as
// the loop does.

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <functional>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "route/signals/privacy/block_masks.h"
#include "route/signals/privacy/byte_pass.h"
#include "route/signals/privacy/corpus.h"
#include "route/signals/privacy/privacy_config.h"
#include "route/signals/privacy/refiners.h"

namespace tiergate::privacy {
namespace {

using byte_pass::SimdLevel;

std::vector<SimdLevel> wider_levels() {
  std::vector<SimdLevel> out;
  // The levels are ordered: a CPU that runs one runs those below it.
  for (SimdLevel level : {SimdLevel::kAvx2, SimdLevel::kAvx512Vbmi})
    if (byte_pass::best_simd_level() >= level) out.push_back(level);
  return out;
}

std::vector<std::tuple<int, size_t, size_t>> byte_pass_findings(SimdLevel level,
                                                                std::string_view text) {
  static const PrivacyConfig config;
  std::vector<Finding> found;
  byte_pass::scan_at_level(level, text, RefineOptions{}, config.enabled, found);
  std::vector<std::tuple<int, size_t, size_t>> out;
  for (const Finding& f : found) out.emplace_back(static_cast<int>(f.type), f.begin, f.end);
  return out;
}

// Checks every wider level against the baseline on `text`; returns false on a difference.
bool same_at_every_level(std::string_view text) {
  const auto expected = byte_pass_findings(SimdLevel::kSse2, text);
  for (SimdLevel level : wider_levels()) {
    const auto got = byte_pass_findings(level, text);
    EXPECT_EQ(got, expected) << "level " << static_cast<int>(level) << " on: " << text;
    if (got != expected) return false;
  }
  return true;
}

// Text made of the pieces the digit-run filter and the other shortcuts look at.
std::string random_text(std::mt19937_64& rng, size_t length) {
  static const std::vector<std::string> kPieces = {" ",
                                                   " ",
                                                   " ",
                                                   "-",
                                                   ".",
                                                   ",",
                                                   "(",
                                                   ")",
                                                   "+",
                                                   ":",
                                                   "=",
                                                   "/",
                                                   "_",
                                                   "\"",
                                                   "'",
                                                   "\\n",
                                                   "\t",
                                                   "\n",
                                                   "\xc3\xa9",
                                                   "\xc3\x9f",
                                                   "a",
                                                   "x",
                                                   "B",
                                                   "Z",
                                                   "DE",
                                                   "GB",
                                                   "FR",
                                                   "ab",
                                                   "the",
                                                   "rue",
                                                   "avenue",
                                                   "bd",
                                                   "place",
                                                   "Rue",
                                                   "Main",
                                                   "Street",
                                                   "St.",
                                                   "Ave",
                                                   "Hauptstra\xc3\x9f"
                                                   "e",
                                                   "Lindenweg",
                                                   "str.",
                                                   "Calle",
                                                   "Mayor",
                                                   "Via",
                                                   "Roma",
                                                   "de",
                                                   "la",
                                                   "21st",
                                                   "5th",
                                                   "phone",
                                                   "call",
                                                   "tel",
                                                   "card",
                                                   "ssn",
                                                   "password",
                                                   "passwd",
                                                   "pwd",
                                                   "pass",
                                                   "--pass",
                                                   "api_key",
                                                   "token",
                                                   "secret",
                                                   "key",
                                                   "Bearer",
                                                   "::",
                                                   "ffff",
                                                   "fe80",
                                                   "is",
                                                   "was",
                                                   "AbCd",
                                                   "Zq8w"};
  std::string t;
  while (t.size() < length) {
    const uint64_t r = rng() % 10;
    if (r < 4) {
      const size_t digits = 1 + rng() % (rng() % 4 == 0 ? 20 : 5);
      for (size_t i = 0; i < digits; ++i) t += static_cast<char>('0' + rng() % 10);
    } else {
      t += kPieces[rng() % kPieces.size()];
    }
  }
  t.resize(length);
  return t;
}

TEST(PrivacySimdLevels, ReportsTheLevelsUnderTest) {
  // Not an assertion: says in the log whether the wider paths ran on this machine.
  std::cout << "SIMD levels checked against SSE2:";
  for (SimdLevel level : wider_levels()) std::cout << " " << static_cast<int>(level);
  std::cout << (wider_levels().empty()
                    ? " none (this CPU, or TIERGATE_SIMD, allows only the baseline)"
                    : "")
            << "\n";
}

// The level in a new process (the level is read once) with TIERGATE_SIMD set to `cap`, or unset.
void expect_level_with_cap(const char* cap, int expected) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");  // re-runs the binary: nothing read yet
  EXPECT_EXIT(
      {
        if (cap == nullptr) {
          unsetenv("TIERGATE_SIMD");
        } else {
          setenv("TIERGATE_SIMD", cap, 1);
        }
        std::exit(static_cast<int>(byte_pass::best_simd_level()));
      },
      testing::ExitedWithCode(expected), "")
      << "TIERGATE_SIMD=" << (cap ? cap : "(unset)");
}

TEST(PrivacySimdLevels, EnvironmentCapsTheLevel) {
  const int cpu = static_cast<int>(byte_pass::cpu_simd_level());
  expect_level_with_cap(nullptr, cpu);
  expect_level_with_cap("sse2", static_cast<int>(SimdLevel::kSse2));
  expect_level_with_cap("avx2", std::min(cpu, static_cast<int>(SimdLevel::kAvx2)));
  expect_level_with_cap("avx512", cpu);  // caps nothing: never above what the CPU runs
}

TEST(PrivacySimdLevels, RandomTexts) {
  std::mt19937_64 rng(20261125);
  for (int i = 0; i < 3000; ++i) {
    const size_t length = i % 3 == 0 ? 60 + rng() % 10 : 1 + rng() % 700;
    if (!same_at_every_level(random_text(rng, length))) return;
  }
}

TEST(PrivacySimdLevels, RunsAcrossBlockBoundaries) {
  for (size_t pad = 55; pad <= 70; ++pad)
    for (size_t digits : {1u, 4u, 6u, 7u, 9u, 13u, 16u, 63u, 64u, 65u, 130u}) {
      std::string number(digits, '7');
      for (const std::string& before : {std::string(pad, 'x'), std::string(pad, ' '),
                                        std::string(pad - 2, 'a') + "DE", std::string(pad, '(')}) {
        for (const char* after : {"", " ", " Main Street", " rue de Rivoli", "-12-34", ".1.2.3",
                                  ") 555-0100", "B Baker Street", ", avenue Foch"}) {
          if (!same_at_every_level(before + number + after)) return;
          if (!same_at_every_level(before +
                                   "Hauptstra\xc3\x9f"
                                   "e " +
                                   number + after))
            return;
          if (!same_at_every_level(before + "Calle Mayor, " + number + after)) return;
          if (!same_at_every_level(before + "call +44 (20) " + number + after)) return;
        }
      }
    }
}

TEST(PrivacySimdLevels, PlantedValuesAtEveryOffset) {
  corpus::CorpusGenerator gen(7);
  for (EntityType type : corpus::plantable_types())
    for (int i = 0; i < 6; ++i) {
      const std::string doc = gen.with_entity(type).text;
      for (size_t shift = 0; shift < 64; shift += (i % 2 == 0 ? 1 : 7)) {
        const std::string text = std::string(shift, ' ') + doc;
        if (!same_at_every_level(text)) return;
        // The same text cut short: it ends inside a value.
        if (!same_at_every_level(std::string_view(text).substr(0, text.size() * 2 / 3))) return;
      }
    }
  for (int i = 0; i < 300; ++i)
    if (!same_at_every_level(gen.benign().text)) return;
}

// IBANs after an escaped newline or tab inside JSON text ("\\nDE89..."): the letter before the
// country code is an n or t, which char_before reads as a space; the digit-run filter must not
// take it for a letter that glues the IBAN to a word.
TEST(PrivacySimdLevels, IbanAfterEscapedNewline) {
  for (size_t shift = 0; shift < 70; ++shift)
    for (const char* before : {"\\n", "\\t", "\\r", "x", " ", "1"}) {
      const std::string text = std::string(shift, ' ') + before + "DE89370400440532013000 and " +
                               before + "GB29NWBK60161331926819";
      if (!same_at_every_level(text)) return;
    }
}

// IPv6 runs after the bytes the colon filter reads (text_pass.cpp: ipv6_colons): a letter
// marks the run (no address), the letter of an escape does not ("\nfe80::1" in JSON text is an
// address), nor does a space; a run that starts with a dot is marked; across block boundaries.
TEST(PrivacySimdLevels, Ipv6AfterLettersAndEscapes) {
  size_t found = 0;
  for (size_t shift = 0; shift < 70; ++shift)
    for (const char* before : {"\\n", "\\t", "\\r", "\\\\n", "x", "std", "n", " ", ".", "_"})
      for (const char* address : {"fe80::1ff:fe23:4567:890a", "2001:db8::8a2e:370:7334", "::1"}) {
        const std::string text = std::string(shift, ' ') + before + address + " and";
        if (!same_at_every_level(text)) return;
        found += !byte_pass_findings(SimdLevel::kSse2, text).empty();
      }
  EXPECT_GE(found, 70u * 5 * 2);  // after an escape, a space or a dot the address is found
}

// Random tokens around the lengths where the token filter's conditions change (20: the minimum,
// 24: one case of letters is enough, 64: the run leaves the window), in one case or both, with
// and without digits, hex only or not, at every offset of a block.
TEST(PrivacySimdLevels, TokensAroundTheFilterLengths) {
  std::mt19937_64 rng(24);
  const std::vector<std::string_view> alphabets = {
      "abcdefghijklmnopqrstuvwxyz0123456789",
      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
      "abcdef0123456789",
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
      "aB3_-/+"};
  for (size_t len : {18u, 19u, 20u, 21u, 23u, 24u, 25u, 30u, 63u, 64u, 65u, 80u})
    for (std::string_view alphabet : alphabets)
      for (size_t shift = 0; shift < 64; shift += 3) {
        std::string token;
        for (size_t i = 0; i < len; ++i) token += alphabet[rng() % alphabet.size()];
        const std::string text = std::string(shift, ' ') + "key " + token + " and " + token + "==";
        if (!same_at_every_level(text)) return;
      }
}

// The generic-token check at every minimum length against a walk over the text: each maximal run
// of token bytes [A-Za-z0-9+/_-] at least that long, with the '=' after it, refined. Runs of the
// lengths around the minimum and around the block's and the mask stream's sizes (64, 2048),
// at every level.
TEST(PrivacySimdLevels, TokenRunsAtEveryMinimumLength) {
  auto token = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/' || c == '_' || c == '-';
  };
  auto reference = [&](std::string_view t, const RefineOptions& o) {
    std::vector<std::tuple<int, size_t, size_t>> out;
    const size_t min_len = std::min<size_t>(std::max<size_t>(o.entropy_min_length, 1), 64);
    for (size_t i = 0; i < t.size();) {
      if (!token(t[i])) {
        ++i;
        continue;
      }
      const size_t b = i;
      while (i < t.size() && token(t[i])) ++i;
      size_t pe = i;
      while (pe < t.size() && t[pe] == '=') ++pe;
      size_t ob = 0, oe = 0;
      if (i - b >= min_len && refine(Refiner::kHighEntropy, t, b, pe, o, &ob, &oe))
        out.emplace_back(static_cast<int>(EntityType::kHighEntropy), ob, oe);
    }
    return out;
  };
  std::array<bool, kEntityTypeCount> enabled{};
  enabled[static_cast<size_t>(EntityType::kHighEntropy)] = true;
  std::vector<SimdLevel> levels = wider_levels();
  levels.push_back(SimdLevel::kSse2);
  // Runs of every mix the shortcuts reject on (no digit, hex only, one case of letters), many
  // to a block, next to runs the refiner keeps.
  const std::vector<std::string_view> alphabets = {"aB3dE7xY/+_-q9Zk",  "aB3dE7xY/+_-q9Zk",
                                                   "abcdef0123456789-", "abcxyzQRS_/-",
                                                   "ABCXYZ0123_",       "abcxyz0123/"};
  std::mt19937_64 rng(2026);
  size_t found = 0;
  for (size_t min_len : {1u, 8u, 14u, 15u, 16u, 19u, 20u, 21u, 24u, 33u, 40u, 63u, 64u, 100u}) {
    RefineOptions o;
    o.entropy_min_length = min_len;
    for (int round = 0; round < 40; ++round) {
      std::string t;
      while (t.size() < 3000) {
        const size_t len = rng() % 3 == 0   ? min_len + rng() % 3 - 1
                           : rng() % 9 == 0 ? 2040 + rng() % 100
                                            : 1 + rng() % 90;
        const std::string_view alphabet = alphabets[rng() % alphabets.size()];
        for (size_t i = 0; i < len; ++i) t += alphabet[rng() % alphabet.size()];
        t += rng() % 4 == 0 ? "= " : rng() % 2 ? " " : ".";
      }
      const auto expected = reference(t, o);
      found += expected.size();
      for (SimdLevel level : levels) {
        o.simd_level = level;
        std::vector<Finding> got_findings;
        byte_pass::scan_at_level(level, t, o, enabled, got_findings);
        std::vector<std::tuple<int, size_t, size_t>> got;
        for (const Finding& f : got_findings)
          got.emplace_back(static_cast<int>(f.type), f.begin, f.end);
        ASSERT_EQ(got, expected) << "minimum " << min_len << ", level " << static_cast<int>(level);
      }
    }
  }
  EXPECT_GT(found, 1000u);
}

// Every mask of every level against the definition of its class, on blocks of random bytes (all
// 256 values) and of text-like bytes. The AVX-512 classifier writes eight masks at a time from a
// bit transpose (block_masks.cpp), so a mask out of place shows here first.
TEST(PrivacySimdLevels, BlockMasksFollowTheirClasses) {
  using byte_pass::BlockMasks;
  auto lower = [](unsigned char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; };
  auto letter = [](unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  auto digit = [](unsigned char c) { return c >= '0' && c <= '9'; };
  auto in = [](unsigned char c, std::string_view set) {
    return c != 0 && set.find(static_cast<char>(c)) != std::string_view::npos;
  };
  auto in_lower = [&](unsigned char c, std::string_view set) {
    return letter(c) && in(static_cast<unsigned char>(lower(c)), set);
  };
  struct Class {
    const char* name;
    uint64_t BlockMasks::*mask;
    bool base;  // computed at every level
    std::function<bool(unsigned char)> has;
  };
  const std::vector<Class> classes = {
      {"digit", &BlockMasks::digit, true, digit},
      {"token", &BlockMasks::token, true,
       [&](unsigned char c) { return letter(c) || digit(c) || in(c, "+/_-"); }},
      {"key_end", &BlockMasks::key_end, true,
       [&](unsigned char c) { return in_lower(c, "sdenty") || in(c, " \t\"'"); }},
      {"colon", &BlockMasks::colon, true, [&](unsigned char c) { return c == ':'; }},
      {"equals", &BlockMasks::equals, true, [&](unsigned char c) { return c == '='; }},
      {"p", &BlockMasks::p, true, [&](unsigned char c) { return in_lower(c, "p"); }},
      {"a", &BlockMasks::a, true, [&](unsigned char c) { return in_lower(c, "a"); }},
      {"s", &BlockMasks::s, true, [&](unsigned char c) { return in_lower(c, "s"); }},
      {"at", &BlockMasks::at, true, [&](unsigned char c) { return c == '@'; }},
      {"slash", &BlockMasks::slash, true, [&](unsigned char c) { return c == '/'; }},
      {"big_j", &BlockMasks::big_j, true, [&](unsigned char c) { return c == 'J'; }},
      {"b", &BlockMasks::b, true, [&](unsigned char c) { return in_lower(c, "b"); }},
      {"e", &BlockMasks::e, true, [&](unsigned char c) { return in_lower(c, "e"); }},
      {"letter", &BlockMasks::letter, false, letter},
      {"word", &BlockMasks::word, false, [&](unsigned char c) { return letter(c) || c >= 0x80; }},
      {"upper", &BlockMasks::upper, false, [&](unsigned char c) { return c >= 'A' && c <= 'Z'; }},
      {"cap_digit", &BlockMasks::cap_digit, false,
       [&](unsigned char c) { return (c >= 'A' && c <= 'Z') || digit(c); }},
      {"space", &BlockMasks::space, false, [&](unsigned char c) { return c == ' '; }},
      {"comma", &BlockMasks::comma, false, [&](unsigned char c) { return c == ','; }},
      {"dot_comma", &BlockMasks::dot_comma, false, [&](unsigned char c) { return in(c, ".,"); }},
      {"region_sep", &BlockMasks::region_sep, false,
       [&](unsigned char c) { return in(c, " -.()"); }},
      {"region_next", &BlockMasks::region_next, false,
       [&](unsigned char c) { return digit(c) || in(c, "(+ -"); }},
      {"fr_first", &BlockMasks::fr_first, false,
       [&](unsigned char c) { return in_lower(c, "rabpciq"); }},
      {"fr_second", &BlockMasks::fr_second, false,
       [&](unsigned char c) { return in_lower(c, "uvodlhm"); }},
      {"dot", &BlockMasks::dot, false, [&](unsigned char c) { return c == '.'; }},
      {"key_d", &BlockMasks::key_d, false, [&](unsigned char c) { return in_lower(c, "d"); }},
      {"key_e", &BlockMasks::key_e, false, [&](unsigned char c) { return in_lower(c, "e"); }},
      {"key_nty", &BlockMasks::key_nty, false, [&](unsigned char c) { return in_lower(c, "nty"); }},
      {"key_rw", &BlockMasks::key_rw, false, [&](unsigned char c) { return in_lower(c, "rw"); }},
      {"key_gap", &BlockMasks::key_gap, false, [&](unsigned char c) { return in(c, " \t\"'\\"); }},
      {"token_not_hex", &BlockMasks::token_not_hex, false,
       [&](unsigned char c) { return (letter(c) && !in_lower(c, "abcdef")) || in(c, "_/+"); }},
      {"lparen", &BlockMasks::lparen, false, [&](unsigned char c) { return c == '('; }},
      {"rparen", &BlockMasks::rparen, false, [&](unsigned char c) { return c == ')'; }},
  };
  // The vendor literals' pairs (block_masks.h: BlockMasks::vendor), from the bytes at i, i + 1
  // and i + 3 (past the third block: the kBlockLookahead bytes after it).
  auto vendor = [&](const char* b) {
    const unsigned char c0 = b[0], c1 = b[1], c3 = b[3];
    return (in(c0, "kcb") && in(c1, "-_")) || (c0 == 'g' && c1 == 'h') ||
           (c0 == 'x' && c1 == 'o') || (c0 == 'A' && in(c1, "KSBCGIRNP") && in(c3, "Aa")) ||
           (c0 == '-' && c1 == 'B') || (c0 == ':' && c1 == '/' && c3 == 'h');
  };
  std::mt19937_64 rng(64);
  const std::string_view text_bytes =
      "aeiouJbBpPsSdDnNtTyYrRwW09:=@/ .,-()+_\"'\\\t\n\xc3\xa9kcgxhoAKSBCGIRNP";
  std::vector<SimdLevel> levels = wider_levels();
  levels.push_back(SimdLevel::kSse2);
  for (int round = 0; round < 2000; ++round) {
    std::array<char, 64 * 3 + byte_pass::kBlockLookahead> bytes;
    for (char& c : bytes)
      c = round % 2 == 0 ? static_cast<char>(rng() & 0xff) : text_bytes[rng() % text_bytes.size()];
    for (SimdLevel level : levels) {
      std::array<BlockMasks, 3> masks;
      byte_pass::classify_blocks(level, bytes.data(), masks.size(), masks.data());
      for (size_t block = 0; block < masks.size(); ++block) {
        uint64_t expected = 0;
        for (size_t i = 0; i < 64; ++i)
          if (vendor(bytes.data() + 64 * block + i)) expected |= uint64_t{1} << i;
        ASSERT_EQ(masks[block].vendor, expected)
            << "vendor at level " << static_cast<int>(level) << ", block " << block;
      }
      for (size_t block = 0; block < masks.size(); ++block)
        for (const Class& cls : classes) {
          if (!cls.base && !byte_pass::has_filter_masks(level)) continue;
          uint64_t expected = 0;
          for (size_t i = 0; i < 64; ++i)
            if (cls.has(static_cast<unsigned char>(bytes[64 * block + i])))
              expected |= uint64_t{1} << i;
          ASSERT_EQ(masks[block].*cls.mask, expected)
              << cls.name << " at level " << static_cast<int>(level) << ", block " << block;
        }
    }
  }
}

// The phone context-word search (phone_words.cpp) at every level against the byte loop of
// has_context_word, on windows of texts made of the words, their first letters, case variants,
// escaped newlines and other letters, from the start of the text to its end.
TEST(PrivacySimdLevels, PhoneWordsInEveryWindow) {
  static const std::vector<std::string> kPieces = {
      " ",         " ",          "\\n",     "\\t",      "\\r",   "\\",      "\n",
      "x",         "ab",         "n",       "t",        "r",     "-",       ":",
      "(",         "\xc3\xa9",   "1",       "ph",       "PH",    "Ph",      "te",
      "cell",      "CaLl",       "fax",     "whatsapp", "sms",   "text",    "tel",
      "telephone", "Telefon",    "contact", "reach",    "dial",  "hotline", "landline",
      "my number", "my  number", "numero",  "mobile",   "phone", "phones",  "iphone",
      "tele",      "mo",         "co",      "no",       "hu",    "la",      "wh",
      "sm",        "di",         "ho",      "re",       "ca",    "fa"};
  std::mt19937_64 rng(5);
  for (int i = 0; i < 3000; ++i) {
    std::string t;
    const size_t length = 1 + rng() % 200;
    while (t.size() < length) t += kPieces[rng() % kPieces.size()];
    for (int w = 0; w < 8; ++w) {
      const size_t from = rng() % (t.size() + 1), to = from + rng() % 140;
      const bool expected = has_context_word(t, from, to, refiners::phone_words());
      for (SimdLevel level : wider_levels()) {
        ASSERT_EQ(refiners::has_phone_word_at_level(level, t, from, to), expected)
            << "level " << static_cast<int>(level) << " window " << from << ".." << to
            << " of: " << t;
      }
    }
  }
}

// The generic-token test of simple segments (secret_refiners.cpp) from byte masks, 64 bytes at a
// time, against its byte loop: names, paths and random tokens from pieces of every class, with
// segments across the 64-byte parts, segments of 64 bytes and more, hashes (hex segments in a
// path or not, shorter than 64 bytes and longer), CamelCase and random two-case segments, values
// of up to 300 bytes, separators at the ends and in runs, bytes outside every class.
TEST(PrivacySimdLevels, SimpleSegmentsFromMasks) {
  static const std::vector<std::string> kPieces = {
      "_",     "-",      "/",      "+",      "=",       "__",     "/-",   "a",    "B",
      "7",     "42",     "2024",   "x86",    "v2",      "the",    "Http", "HTTP", "server",
      "Config", "config", "CONFIG", "rtree",  "gtk2",    "aB",     "zq",   "QX",   "xkqzp",
      "Th",    "eL",     "9f",     "ing",    "\\n",    ".",      " ",    "\xc3\xa9",
      std::string(1, '\0'), "usr/share", "common-licenses", "_GLIBCXX_", "PFNGL",
      "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmn",
      "2d6710a1f9dd4f76", "3F9A8B7C6D", "a1b2c3", "HttpClient", "BoostCon", "Qwzxk", "Euml2",
      "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d"};
  std::vector<SimdLevel> levels = wider_levels();
  levels.push_back(SimdLevel::kSse2);
  std::mt19937_64 rng(11);
  size_t simple = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string s;
    const size_t length = 1 + rng() % (i % 4 == 0 ? 300 : 80);
    while (s.size() < length) {
      // Mostly token bytes, now and then one outside.
      const std::string& p = kPieces[rng() % kPieces.size()];
      if ((p == "\\n" || p == "." || p == " " || p[0] == '\0' || p[0] == '\xc3') && rng() % 8 != 0)
        continue;
      s += p;
    }
    const bool expected = refiners::simple_segments_bytewise(s);
    simple += expected;
    // Alone, and inside a longer text whose bytes after it are read in place (and must not count).
    const std::string text = s + kPieces[rng() % kPieces.size()] + std::string(70, 'A');
    const std::string_view in_text(text.data(), s.size());
    for (SimdLevel level : levels) {
      ASSERT_EQ(refiners::simple_segments_at_level(level, s), expected)
          << "level " << static_cast<int>(level) << " on: " << s;
      ASSERT_EQ(refiners::simple_segments_at_level(level, in_text, text.data() + text.size()),
                expected)
          << "level " << static_cast<int>(level) << " in a text: " << s;
    }
  }
  EXPECT_GT(simple, 1000u);  // both answers are tried often
  EXPECT_LT(simple, 19000u);
}

}  // namespace
}  // namespace tiergate::privacy
