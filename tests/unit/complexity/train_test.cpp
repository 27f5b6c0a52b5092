#include "route/signals/complexity/train.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "route/signals/complexity/dataset.h"
#include "route/signals/complexity/metrics.h"
#include "route/signals/complexity/model.h"
#include "route/signals/complexity/scorer.h"
#include "test_paths.h"

namespace tiergate::complexity {
namespace {

std::vector<PromptRecord> small_set() {
  auto r = read_prompt_file(testing::fixture("train_small.jsonl"), true);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
  return r ? *r : std::vector<PromptRecord>{};
}

TEST(ComplexityTrain, DeterministicSameBytesTwice) {
  auto records = small_set();
  TrainOptions o;
  o.features.hash_bits = 14;
  auto a = train_model(records, o);
  auto b = train_model(records, o);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(serialise_model(*a), serialise_model(*b));
}

TEST(ComplexityTrain, LearnsTheHardSubject) {
  // tax_law: weak right 30%, strong 90% -> the largest gain; it must score highest.
  auto records = small_set();
  TrainOptions o;
  o.features.hash_bits = 14;
  auto m = train_model(records, o);
  ASSERT_TRUE(m);
  auto scorer = ComplexityScorer::from_model(*m);
  double tax = scorer->score(
      "Which statement about the audit and the income is correct when the credit matters?\nA. "
      "The filing\nB. The statute\nC. Both\nD. Neither\nAnswer:");
  double space = scorer->score(
      "Which statement about the orbit and the comet is correct when the star matters?\nA. The "
      "moon\nB. The planet\nC. Both\nD. Neither\nAnswer:");
  EXPECT_GT(tax, space);
  ScoreDetail d = scorer->score_detail(
      "Which statement about the audit and the income is correct?\nA. The filing\nB. The "
      "statute\nC. Both\nD. Neither\nAnswer:");
  EXPECT_EQ(scorer->subject_name(d.top_subject), "tax_law");
}

TEST(ComplexityTrain, RefusesUnlabelledOrTinyData) {
  std::vector<PromptRecord> few(5);
  EXPECT_FALSE(train_model(few, TrainOptions{}));
  auto records = small_set();
  records[3].has_labels = false;
  EXPECT_FALSE(train_model(records, TrainOptions{}));
}

TEST(ComplexityModelFile, SaveLoadRoundTrip) {
  auto records = small_set();
  TrainOptions o;
  o.features.hash_bits = 14;
  o.select_w_item = false;
  o.w_item = 0.05;  // exercise the item model's records too
  auto m = train_model(records, o);
  ASSERT_TRUE(m);
  ASSERT_FALSE(m->item_weights.empty());
  std::string path =
      (std::filesystem::temp_directory_path() / "tiergate_cx_roundtrip.model").string();
  ASSERT_TRUE(save_model_file(*m, path));
  auto loaded = ComplexityScorer::load(path);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(serialise_model((*loaded)->model()), serialise_model(*m));
  auto direct = ComplexityScorer::from_model(*m);
  for (const auto& r : records)
    EXPECT_NEAR((*loaded)->score(r.prompt), direct->score(r.prompt), 1e-5);
  std::filesystem::remove(path);
}

TEST(ComplexityModelFile, RejectsBadFiles) {
  EXPECT_FALSE(parse_model(""));
  EXPECT_FALSE(parse_model("something else 1\nend\n"));
  EXPECT_FALSE(parse_model("tiergate-complexity 99\nend\n"));
  EXPECT_FALSE(parse_model("tiergate-complexity 1\nfeatures 18 1 1 1 0\n"));  // truncated
  EXPECT_FALSE(parse_model("tiergate-complexity 1\nbogus 1\nend\n"));
  EXPECT_FALSE(parse_model("tiergate-complexity 1\nsubjects 1\nend\n"));  // count mismatch
  auto ok = parse_model("tiergate-complexity 1\nfeatures 12 1 1 1 0\nend\n");
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_FALSE(
      parse_model("tiergate-complexity 1\nfeatures 12 1 1 1 0\nitem 1\nw 99999 0.5\nend\n"))
      << "id beyond the hash range";
  auto missing = ComplexityScorer::load("/nonexistent/model");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("/nonexistent/model"), std::string::npos);
}

TEST(ComplexityScorer, EmptyModelScoresAnything) {
  auto m = parse_model("tiergate-complexity 1\nfeatures 12 1 1 1 0\nend\n");
  ASSERT_TRUE(m);
  auto s = ComplexityScorer::from_model(*m);
  EXPECT_TRUE(std::isfinite(s->score("")));
  EXPECT_TRUE(std::isfinite(s->score(std::string("\xff\xfe\0x", 4))));
  EXPECT_TRUE(std::isfinite(s->score("Q?\nA. a\nB. b\nC. c\nD. d\nAnswer:")));
}

TEST(ComplexityDefaultModel, LoadsAndBeatsBaselinesOnDev) {
  auto scorer = ComplexityScorer::load(testing::default_model_file());
  ASSERT_TRUE(scorer) << scorer.error().message;
  EXPECT_FALSE((*scorer)->model().score_quantiles.empty());
  std::string dev = testing::shared_routing_file("dev.jsonl");
  if (dev.empty()) GTEST_SKIP() << "shared routing data not present";
  auto records = read_prompt_file(dev, true);
  ASSERT_TRUE(records);
  std::vector<double> s;
  std::vector<uint8_t> w, st;
  for (const auto& r : *records) {
    s.push_back((*scorer)->score(r.prompt));
    w.push_back(r.weak_correct);
    st.push_back(r.strong_correct);
  }
  RoutingEval ev = evaluate_routing(s, w, st);
  EXPECT_GT(ev.apgr, 0.60);  // random 0.50, prompt length 0.605 on dev
}

TEST(ComplexityDefaultModel, RetrainingReproducesTheCommittedFile) {
  std::string train = testing::shared_routing_file("train.jsonl");
  if (train.empty()) GTEST_SKIP() << "shared routing data not present";
  auto records = read_prompt_file(train, true);
  ASSERT_TRUE(records);
  auto m = train_model(*records, TrainOptions{});
  ASSERT_TRUE(m);
  std::ifstream in(testing::default_model_file(), std::ios::binary);
  std::stringstream committed;
  committed << in.rdbuf();
  EXPECT_EQ(serialise_model(*m), committed.str())
      << "the committed default model is stale: retrain it with tiergate train-router";
}

}  // namespace
}  // namespace tiergate::complexity

namespace tiergate::complexity {
namespace {

TEST(ComplexityScorer, ConcurrentScoringMatchesSerial) {
  auto scorer = ComplexityScorer::load(testing::default_model_file());
  ASSERT_TRUE(scorer);
  auto records = read_prompt_file(testing::fixture("train_small.jsonl"), true);
  ASSERT_TRUE(records);
  std::vector<double> serial;
  for (const auto& r : *records) serial.push_back((*scorer)->score(r.prompt));
  std::vector<std::vector<double>> got(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int rep = 0; rep < 20; ++rep)
        for (size_t i = 0; i < records->size(); ++i) {
          double s = (*scorer)->score((*records)[(i + t) % records->size()].prompt);
          if (rep == 0) got[t].push_back(s);
        }
    });
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t)
    for (size_t i = 0; i < records->size(); ++i)
      EXPECT_EQ(got[t][i], serial[(i + t) % records->size()]);
}

}  // namespace
}  // namespace tiergate::complexity
