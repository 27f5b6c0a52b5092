// The byte pass reports, for each anchored pattern (detectors.h: anchored_patterns), exactly the
// match ends Hyperscan reports for its regex, and for the vendor keys (vendor_patterns) exactly the
// findings the scanner made of the engine's matches: the regexes are compiled here and both are
// run on random texts made of the patterns' literals and the bytes that end or extend them, at
// every SIMD level this CPU runs.

#include <gtest/gtest.h>
#include <hs/hs.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <span>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "route/signals/privacy/byte_pass.h"
#include "route/signals/privacy/privacy_config.h"

namespace tiergate::privacy {
namespace {

using Ends = std::set<std::pair<int, uint32_t>>;  // (pattern, end)

// A table of patterns compiled with Hyperscan; scan() calls on_match(id, end) for every match.
class Engine {
 public:
  explicit Engine(std::span<const PatternSpec> patterns) {
    std::vector<const char*> exprs;
    std::vector<unsigned> flags, ids;
    for (size_t k = 0; k < patterns.size(); ++k) {
      exprs.push_back(patterns[k].regex);
      flags.push_back(patterns[k].flags);
      ids.push_back(static_cast<unsigned>(k));
    }
    hs_compile_error_t* err = nullptr;
    EXPECT_EQ(
        hs_compile_multi(exprs.data(), flags.data(), ids.data(),
                         static_cast<unsigned>(exprs.size()), HS_MODE_BLOCK, nullptr, &db_, &err),
        HS_SUCCESS);
    EXPECT_EQ(hs_alloc_scratch(db_, &scratch_), HS_SUCCESS);
  }
  Engine() : Engine(anchored_patterns()) {}
  ~Engine() {
    hs_free_scratch(scratch_);
    hs_free_database(db_);
  }
  template <typename F>
  void scan(std::string_view text, F on_match) const {
    auto call = [](unsigned id, unsigned long long, unsigned long long to, unsigned, void* ctx) {
      (*static_cast<F*>(ctx))(id, static_cast<size_t>(to));
      return 0;
    };
    if (!text.empty())
      hs_scan(db_, text.data(), static_cast<unsigned>(text.size()), 0, scratch_, call, &on_match);
  }
  Ends ends(std::string_view text) const {
    Ends out;
    scan(text, [&](unsigned id, size_t to) {
      out.emplace(static_cast<int>(id), static_cast<uint32_t>(to));
    });
    return out;
  }

 private:
  hs_database_t* db_ = nullptr;
  hs_scratch_t* scratch_ = nullptr;
};

Ends byte_pass_ends(byte_pass::SimdLevel level, std::string_view text) {
  static const PrivacyConfig config;
  std::vector<Finding> found;
  std::vector<AnchoredHit> hits;
  byte_pass::scan_at_level(level, text, RefineOptions{}, config.enabled, found, &hits);
  Ends out;
  for (const AnchoredHit& h : hits) out.emplace(static_cast<int>(h.pattern), h.end);
  return out;
}

std::vector<byte_pass::SimdLevel> levels() {
  std::vector<byte_pass::SimdLevel> out = {byte_pass::SimdLevel::kSse2};
  if (byte_pass::best_simd_level() != byte_pass::SimdLevel::kSse2)
    out.push_back(byte_pass::best_simd_level());
  return out;
}

// Whether the byte pass's result at every level, got(level, text), equals `expected`.
template <typename Result, typename Got>
bool same_at_every_level(const Result& expected, std::string_view text, Got got_at) {
  for (byte_pass::SimdLevel level : levels()) {
    const Result got = got_at(level, text);
    EXPECT_EQ(got, expected) << "level " << static_cast<int>(level) << " on: " << text;
    if (got != expected) return false;
  }
  return true;
}

bool same_as_engine(const Engine& engine, std::string_view text) {
  return same_at_every_level(engine.ends(text), text, byte_pass_ends);
}

// `length` bytes of random pieces.
std::string text_of(std::mt19937_64& rng, size_t length, const std::vector<std::string>& pieces) {
  std::string t;
  while (t.size() < length) t += pieces[rng() % pieces.size()];
  t.resize(length);
  return t;
}

std::string random_text(std::mt19937_64& rng, size_t length) {
  static const std::vector<std::string> kPieces = {
      "@",       "@",        "://",
      "://",     "https://", "eyJ",
      "eyJ",     "bearer",   "Bearer",
      "BEARER",  "bEaReR",   "beat",
      "e",       "y",        "J",
      "b",       ".",        ".",
      "..",      "-",        "_",
      ":",       "/",        " ",
      "\t",      "\n",       "\v",
      "\r",      "\f",       "\"",
      "'",       "<",        ">",
      "a",       "x",        "com",
      "io",      "Z9",       "abcdefghijklmnopqrstuvwxyz",
      "0",       "42",       "user",
      "example", "\xc3\xa9", "+",
      "="};
  return text_of(rng, length, kPieces);
}

TEST(PrivacyAnchoredPatterns, RandomTexts) {
  const Engine engine;
  std::mt19937_64 rng(20261125);
  for (int i = 0; i < 4000; ++i)
    if (!same_as_engine(engine, random_text(rng, 1 + rng() % 300))) return;
}

TEST(PrivacyAnchoredPatterns, LiteralsAcrossBlockBoundaries) {
  const Engine engine;
  for (size_t pad = 58; pad <= 66; ++pad)
    for (const char* value :
         {"jane@example.com ", "a@b.cc", "https://user:pw@host", "x://a:", "bearer abc",
          "Bearer\tX", "eyJhbGciOi.eyJzdWIi.sig", "eyJabcd.ab.", "@a..com", "@-.io"}) {
      const std::string text = std::string(pad, ' ') + value;
      if (!same_as_engine(engine, text)) return;
      // Cut short: the text ends inside the literal or the match.
      for (size_t cut = pad; cut < text.size(); ++cut)
        if (!same_as_engine(engine, std::string_view(text).substr(0, cut))) return;
    }
}

TEST(PrivacyAnchoredPatterns, LongRuns) {
  const Engine engine;
  // A domain label longer than 24 letters, then a short one; 64 and 65 bytes of URL user.
  EXPECT_TRUE(same_as_engine(engine, "x@host." + std::string(30, 'a') + ".de"));
  EXPECT_TRUE(same_as_engine(engine, "://" + std::string(64, 'u') + ":pw"));
  EXPECT_TRUE(same_as_engine(engine, "://" + std::string(65, 'u') + ":pw"));
  EXPECT_TRUE(
      same_as_engine(engine, "eyJ" + std::string(500, 'A') + "." + std::string(300, 'B') + ".c"));
}

// (type, begin, end) of each finding.
using Findings = std::set<std::tuple<int, size_t, size_t>>;

// The vendor patterns as the scanner ran them on Hyperscan: every end the engine reports; the
// ends of one pattern that follow each other merged into the last (only the longest match
// mattered); the start found back from it (find_start); per pattern and start, the ends tried
// longest first, the first the refiner keeps.
class VendorEngine {
 public:
  Findings findings(std::string_view text) const {
    std::map<unsigned, std::vector<size_t>> hits;  // per pattern, the merged ends
    engine_.scan(text, [&](unsigned id, size_t to) {
      std::vector<size_t>& ends = hits[id];
      if (!ends.empty() && ends.back() + 1 >= to) {
        ends.back() = to;
      } else {
        ends.push_back(to);
      }
    });
    Findings out;
    for (auto& [id, ends] : hits) {
      const PatternSpec& p = vendor_patterns()[id];
      std::map<size_t, std::vector<size_t>> by_start;
      for (size_t end : ends) by_start[find_start(p.start, text, end)].push_back(end);
      for (auto& [from, group] : by_start) {
        std::sort(group.rbegin(), group.rend());
        for (size_t end : group) {
          size_t b = 0, e = 0;
          if (refine(p.refiner, text, from, end, RefineOptions{}, &b, &e) && b < e) {
            out.emplace(static_cast<int>(p.type), b, e);
            break;
          }
        }
      }
    }
    return out;
  }

 private:
  Engine engine_{vendor_patterns()};
};

Findings byte_pass_vendor_findings(byte_pass::SimdLevel level, std::string_view text) {
  std::array<bool, kEntityTypeCount> enabled{};
  enabled[static_cast<size_t>(EntityType::kApiKey)] = true;
  enabled[static_cast<size_t>(EntityType::kPrivateKey)] = true;
  std::vector<Finding> found;
  std::vector<AnchoredHit> hits;
  byte_pass::scan_at_level(level, text, RefineOptions{}, enabled, found, &hits);
  Findings out;
  for (const Finding& f : found) out.emplace(static_cast<int>(f.type), f.begin, f.end);
  return out;
}

// The texts below hold no key word before a separator, so every API-key finding of the byte pass
// is a vendor key's.
bool same_vendor_keys(const VendorEngine& engine, std::string_view text) {
  return same_at_every_level(engine.findings(text), text, byte_pass_vendor_findings);
}

std::string random_vendor_text(std::mt19937_64& rng, size_t length) {
  static const std::vector<std::string> kPieces = {
      "AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA", "AROA", "AIPA", "ANPA", "ANVA", "APKA",
      "AIza", "AIz", "A", "AK", "K", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "ghx_", "gh", "g",
      "github_pat_", "github_", "b_", "sk-", "sk-proj-", "sk_live_", "sk_test_", "rk_live_",
      "pk_test_", "pk_", "k_", "c_", "whsec_live_", "whsec_test_", "whsec_", "xoxb-", "xoxp-",
      "xoxz-", "xox", "xo", "https://hooks.slack.com/services/", "https://hooks.slack.com/",
      "https://", "://h", "/", "-----BEGIN", "-----BEGIN RSA PRIVATE KEY-----",
      " PRIVATE KEY", " PRIVATE KEY BLOCK", " BLOCK", "-----", "-----END", " RSA", " EC", "-B",
      "_", "-", " ", "\n", ".", "+", "0123456789", "ABCDEFGHIJ", "abcdefghij",
      "Q1w2E3r4T5y6U7i8O9p0", "Z", "z", "9", "\xc3\xa9"};
  return text_of(rng, length, kPieces);
}

TEST(PrivacyVendorKeys, RandomTexts) {
  const VendorEngine engine;
  std::mt19937_64 rng(20261202);
  size_t with_findings = 0;
  for (int i = 0; i < 6000; ++i) {
    const std::string text = random_vendor_text(rng, 1 + rng() % 400);
    if (!same_vendor_keys(engine, text)) return;
    with_findings += !engine.findings(text).empty();
  }
  EXPECT_GT(with_findings, 300u);  // the texts do hold keys
}

TEST(PrivacyVendorKeys, EachFormatAcrossBlockBoundaries) {
  const VendorEngine engine;
  const std::string body36 = "Q1w2E3r4T5y6U7i8O9p0Q1w2E3r4T5y6U7i8";  // 36 letters and digits
  const std::vector<std::string> values = {
      "AKIAIOSFODNN7EXAMPLE",
      "ASIAY34FZKBOKMUTVV7A",
      "AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe",
      "ghp_" + body36,
      "github_pat_" + body36 + "_abcdefghij0123",
      "sk-proj-" + body36,
      "sk_live_" + body36.substr(0, 16),
      "whsec_test_" + body36.substr(0, 20),
      "xoxb-123456789012-abcdef",
      "https://hooks.slack.com/services/T0001/B0002/XXXXXXXXXXXX",
      "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAK\n-----END RSA PRIVATE KEY-----",
      "-----BEGIN PRIVATE KEY BLOCK-----"};
  for (const std::string& value : values) {
    EXPECT_FALSE(engine.findings(" " + value + " ").empty()) << value;
    for (size_t pad = 56; pad <= 68; ++pad) {
      const std::string text = std::string(pad, ' ') + value;
      if (!same_vendor_keys(engine, text)) return;
      if (!same_vendor_keys(engine, text + "_")) return;  // glued to a token byte: none
      // Cut short: the text ends inside the literal or the key.
      for (size_t cut = pad; cut < text.size(); ++cut)
        if (!same_vendor_keys(engine, std::string_view(text).substr(0, cut))) return;
    }
  }
}

TEST(PrivacyVendorKeys, RunLengths) {
  const VendorEngine engine;
  for (size_t n : {15u, 16u, 19u, 20u, 35u, 36u, 37u, 49u, 50u, 51u, 4000u, 4090u, 4100u}) {
    const std::string body(n, 'a'), digits(n, '7');
    for (const std::string& text :
         {"ghp_" + body + "1", "github_pat_" + body + "_1", "sk-" + body + "A1", "sk-" + body,
          "xoxb-" + body + "-1", "pk_live_" + body, "x" + body + "AKIA" + std::string(16, 'Z'),
          body + "sk-" + digits + "aB", "AIza" + body.substr(0, std::min<size_t>(n, 35)),
          "-----BEGIN" + std::string(std::min<size_t>(n, 45), 'Q') + " PRIVATE KEY-----"})
      if (!same_vendor_keys(engine, text)) return;
  }
  // A PEM header's words: 0 to 40 bytes of [A-Z ] before " PRIVATE KEY".
  for (size_t n = 0; n <= 46; ++n)
    for (const char* end : {" PRIVATE KEY-----", " PRIVATE KEY BLOCK-----", "PRIVATE KEY-----"})
      if (!same_vendor_keys(engine, "-----BEGIN" + std::string(n, n % 2 ? 'R' : ' ') + end)) return;
}

}  // namespace
}  // namespace tiergate::privacy
