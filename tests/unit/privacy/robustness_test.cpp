// Concurrency (one Scanner, many threads) and arbitrary input (random bytes, cut and mutated
// documents): no crash, spans in bounds and ordered, same answers from every thread.

#include <gtest/gtest.h>

#include <thread>

#include "route/signals/privacy/corpus.h"
#include "test_util.h"

namespace tiergate::privacy {
namespace {

void expect_well_formed(std::string_view text, const std::vector<Entity>& found) {
  size_t last_end = 0;
  for (const Entity& e : found) {
    ASSERT_LT(e.begin, e.end);
    ASSERT_LE(e.end, text.size());
    ASSERT_GE(e.begin, last_end);  // sorted, non-overlapping
    ASSERT_FALSE(e.label.empty());
    last_end = e.end;
  }
}

TEST(PrivacyRobustness, ArbitraryBytesAndMutatedDocuments) {
  const auto& scanner = testing::default_scanner();
  corpus::Rng rng(5);
  std::vector<Entity> found;
  for (int i = 0; i < 3000; ++i) {
    std::string text;
    const uint64_t n = rng.below(600);
    for (uint64_t k = 0; k < n; ++k) {
      // Bytes biased towards the characters the detectors care about.
      static constexpr std::string_view kBias = "0123456789 -.()+:@/=_\"'\\\nabcXYZeyJsk-AKIA";
      text += rng.chance(0.7) ? kBias[rng.below(kBias.size())] : static_cast<char>(rng.below(256));
    }
    ASSERT_TRUE(scanner.scan_into(text, found));
    expect_well_formed(text, found);
  }
  corpus::CorpusGenerator gen(6);
  const auto types = corpus::plantable_types();
  for (int i = 0; i < 2000; ++i) {
    corpus::Document d = gen.with_entity(types[i % types.size()]);
    std::string text = d.text;
    // Cut anywhere and flip a few bytes: findings may change, well-formedness may not.
    text.resize(rng.below(text.size() + 1));
    for (int k = 0; k < 3 && !text.empty(); ++k)
      text[rng.below(text.size())] = static_cast<char>(rng.below(256));
    ASSERT_TRUE(scanner.scan_into(text, found));
    expect_well_formed(text, found);
  }
}

TEST(PrivacyRobustness, ThreadsShareOneScanner) {
  auto scanner = testing::make_scanner();
  corpus::CorpusGenerator gen(8);
  std::vector<std::string> docs;
  for (int i = 0; i < 200; ++i)
    docs.push_back(gen.with_entity(corpus::plantable_types()[i % 12]).text);
  std::vector<size_t> expected;
  for (const auto& d : docs) expected.push_back(scanner->scan(d)->size());
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      // A second Scanner on the same thread exercises the shared thread-local scratch.
      auto other = Scanner::create(PrivacyConfig{});
      for (int round = 0; round < 5; ++round)
        for (size_t i = 0; i < docs.size(); ++i) {
          const auto& s = (i + t) % 3 == 0 ? **other : *scanner;
          auto r = s.scan(docs[i]);
          if (!r || r->size() != expected[i]) ++mismatches;
        }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
}  // namespace tiergate::privacy
