// The byte pass reports, for each anchored pattern (detectors.h: anchored_patterns), exactly the
// match ends Hyperscan reports for its regex: the regexes are compiled here and both are run on
// random texts made of the patterns' literals and the bytes that end or extend them, at every
// SIMD level this CPU runs.

#include <gtest/gtest.h>
#include <hs/hs.h>

#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "route/signals/privacy/byte_pass.h"
#include "route/signals/privacy/privacy_config.h"

namespace tiergate::privacy {
namespace {

using Ends = std::set<std::pair<int, uint32_t>>;  // (pattern, end)

class Engine {
 public:
  Engine() {
    std::vector<const char*> exprs;
    std::vector<unsigned> flags, ids;
    for (size_t k = 0; k < kAnchoredPatternCount; ++k) {
      exprs.push_back(anchored_patterns()[k].regex);
      flags.push_back(anchored_patterns()[k].flags);
      ids.push_back(static_cast<unsigned>(k));
    }
    hs_compile_error_t* err = nullptr;
    EXPECT_EQ(
        hs_compile_multi(exprs.data(), flags.data(), ids.data(),
                         static_cast<unsigned>(exprs.size()), HS_MODE_BLOCK, nullptr, &db_, &err),
        HS_SUCCESS);
    EXPECT_EQ(hs_alloc_scratch(db_, &scratch_), HS_SUCCESS);
  }
  ~Engine() {
    hs_free_scratch(scratch_);
    hs_free_database(db_);
  }
  Ends ends(std::string_view text) const {
    Ends out;
    auto on_match = [](unsigned id, unsigned long long, unsigned long long to, unsigned,
                       void* ctx) {
      static_cast<Ends*>(ctx)->emplace(static_cast<int>(id), static_cast<uint32_t>(to));
      return 0;
    };
    if (!text.empty())
      hs_scan(db_, text.data(), static_cast<unsigned>(text.size()), 0, scratch_, on_match, &out);
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

bool same_as_engine(const Engine& engine, std::string_view text) {
  const Ends expected = engine.ends(text);
  for (byte_pass::SimdLevel level : levels()) {
    const Ends got = byte_pass_ends(level, text);
    EXPECT_EQ(got, expected) << "level " << static_cast<int>(level) << " on: " << text;
    if (got != expected) return false;
  }
  return true;
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
  std::string t;
  while (t.size() < length) t += kPieces[rng() % kPieces.size()];
  t.resize(length);
  return t;
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

}  // namespace
}  // namespace tiergate::privacy
