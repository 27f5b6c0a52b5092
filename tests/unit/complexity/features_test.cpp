#include "route/signals/complexity/features.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace tiergate::complexity {
namespace {

constexpr const char* kMmlu =
    "Which of the following is NOT a greenhouse gas?\nA. Methane\nB. Nitrogen\nC. Carbon "
    "dioxide\nD. Water vapour\nAnswer:";
constexpr const char* kGsm8k =
    "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in "
    "May. How many clips did Natalia sell altogether in April and May?";

TEST(ComplexityFeatures, MultipleChoiceShape) {
  PromptShape s = analyse_shape(kMmlu);
  EXPECT_EQ(s.kind, PromptKind::kMultipleChoice);
  EXPECT_EQ(s.choices, 4);
  EXPECT_EQ(s.negations, 1);  // NOT
  EXPECT_EQ(s.questions, 1);
  EXPECT_EQ(s.stem_words, 9);
  EXPECT_GT(s.choice_words, 0);
}

TEST(ComplexityFeatures, MathWordProblemShape) {
  PromptShape s = analyse_shape(kGsm8k);
  EXPECT_EQ(s.kind, PromptKind::kMathWord);
  EXPECT_EQ(s.numbers, 1);       // 48
  EXPECT_GE(s.number_words, 1);  // half
  EXPECT_GE(s.fractions, 1);     // half
  EXPECT_EQ(s.choices, 0);
  EXPECT_EQ(s.sentences, 2);
}

TEST(ComplexityFeatures, CountsQuantitiesAndOperations) {
  PromptShape s = analyse_shape(
      "A shop sells 1,200 pens at $2.50 each. 25% are returned and 3/4 of the rest sold twice. "
      "What is the total?");
  EXPECT_EQ(s.numbers, 5);  // 1,200  2.50  25  3  4 ("3/4" is two numbers and a fraction)
  EXPECT_EQ(s.large_numbers, 1);
  EXPECT_EQ(s.decimals, 1);
  EXPECT_EQ(s.money, 1);
  EXPECT_EQ(s.percents, 1);
  EXPECT_GE(s.fractions, 1);
  EXPECT_GE(s.rate_words, 2);  // each, total, twice
}

TEST(ComplexityFeatures, OtherPrompts) {
  EXPECT_EQ(analyse_shape("hello").kind, PromptKind::kOther);
  EXPECT_EQ(analyse_shape("").kind, PromptKind::kOther);
  EXPECT_EQ(analyse_shape("Write a haiku about autumn leaves falling on the quiet pond.").kind,
            PromptKind::kOther);
}

TEST(ComplexityFeatures, SparseIdsDeterministicAndInRange) {
  FeatureOptions o;
  o.hash_bits = 12;
  o.char_ngrams = true;
  std::vector<uint32_t> a, b;
  extract_sparse(kMmlu, o, a);
  extract_sparse(kMmlu, o, b);
  EXPECT_EQ(a, b);
  EXPECT_FALSE(a.empty());
  for (uint32_t id : a) EXPECT_LT(id, 1u << 12);
  // Case-insensitive words.
  std::vector<uint32_t> lower, upper;
  FeatureOptions words;
  words.stem_bigrams = false;
  extract_sparse("gas", words, lower);
  extract_sparse("GAS", words, upper);
  EXPECT_EQ(lower, upper);
}

TEST(ComplexityFeatures, FamiliesCanBeSwitchedOff) {
  FeatureOptions all, stem_only;
  stem_only.stem_bigrams = false;
  stem_only.choice_words = false;
  std::vector<uint32_t> a, b;
  extract_sparse(kMmlu, all, a);
  extract_sparse(kMmlu, stem_only, b);
  EXPECT_GT(a.size(), b.size());
  EXPECT_EQ(b.size(), 9u + 0u);  // the stem's 9 words
}

TEST(ComplexityFeatures, MathDifficultyGrowsWithQuantities) {
  MathWeights w;
  double easy =
      math_difficulty(analyse_shape("Tom has 3 apples and eats 1. How many are left?"), w);
  double hard = math_difficulty(
      analyse_shape("Tom has 3 apples, buys 4 bags of 12 apples at $1.25 per bag, gives 25% to "
                    "Ann and a third of the rest to Bob, then sells 7. How many are left?"),
      w);
  EXPECT_GT(hard, easy);
}

TEST(ComplexityFeatures, DenseFeatureNames) {
  for (int i = 0; i < kDenseFeatures; ++i) EXPECT_STRNE(dense_feature_name(i), "?");
  EXPECT_STREQ(dense_feature_name(kDenseFeatures), "?");
}

}  // namespace
}  // namespace tiergate::complexity

namespace tiergate::complexity {
namespace {

TEST(ComplexityFeatures, CountsDistinctUnits) {
  EXPECT_EQ(analyse_shape("James writes a 3-page letter to 2 different friends twice a week. How "
                          "many pages does he write a year?")
                .units,
            2);  // week, year: an implicit conversion
  EXPECT_EQ(analyse_shape("A pen costs $3 and a pencil 40 cents. Pens cost 3 dollars each.").units,
            2);  // $ and dollars are one unit, cents another
  EXPECT_EQ(analyse_shape("Tom has 3 apples and eats 1. How many are left?").units, 0);
  MathWeights w;
  PromptShape one = analyse_shape("It took 3 hours and 2 hours. How many hours in total?");
  PromptShape two = one;
  two.units = 3;
  EXPECT_NEAR(math_difficulty(two, w) - math_difficulty(one, w), 2 * w.extra_units, 1e-12);
}

}  // namespace
}  // namespace tiergate::complexity

namespace tiergate::complexity {
namespace {

// The GSM8K prior rests on one principle: a word problem gets harder for a weak model with the
// number of reasoning steps it needs. These problems (written for this test, with their step
// counts) pin that ordering; docs/complexity-router.md has the same check on GSM8K's train split.
TEST(ComplexityFeatures, MathDifficultyTracksReasoningSteps) {
  struct Problem {
    int steps;
    const char* text;
  };
  const Problem problems[] = {
      {1, "Sam has 5 marbles and finds 3 more. How many marbles does he have now?"},
      {1, "A box holds 12 eggs. How many eggs are in 4 boxes?"},
      {2, "Mia buys 3 notebooks at $4 each and a pen for $2. How much does she spend?"},
      {2, "A farmer has 40 cows and sells a quarter of them. How many cows does he have left?"},
      {3, "Leo reads 15 pages a day on weekdays and 25 pages a day on weekends. How many pages "
          "does he read in a week?"},
      {3, "A baker makes 8 trays of 24 rolls. He sells 150 rolls and gives half of the rest to a "
          "shelter. How many rolls does he keep?"},
      {5, "A shop sells shirts for $20 each. On Monday it sells 14 shirts, on Tuesday twice as "
          "many, and on Wednesday 5 fewer than on Tuesday. It spends 30% of its revenue on costs. "
          "How much profit does it make over the three days?"},
      {6, "Ana earns $18 an hour and works 8 hours a day, 5 days a week. Overtime beyond 40 hours "
          "a week is paid at 1.5 times her rate. Last month she worked 4 weeks and 6 overtime "
          "hours in total, and she saves 15% of her pay. How much did she save last month?"},
  };
  MathWeights w;
  std::vector<double> d;
  for (const auto& p : problems) {
    PromptShape s = analyse_shape(p.text);
    EXPECT_NE(s.kind, PromptKind::kMultipleChoice) << p.text;
    d.push_back(math_difficulty(s, w));
  }
  // Two or more steps apart: always ordered.
  int concordant = 0, discordant = 0;
  for (size_t i = 0; i < d.size(); ++i)
    for (size_t j = 0; j < d.size(); ++j) {
      int gap = problems[j].steps - problems[i].steps;
      if (gap >= 2) {
        EXPECT_LT(d[i], d[j]) << problems[i].text << " vs " << problems[j].text;
      }
      if (gap > 0) (d[i] < d[j] ? concordant : discordant) += 1;
    }
  // Kendall's tau over pairs with different step counts.
  EXPECT_GE(double(concordant - discordant) / double(concordant + discordant), 0.8);
}

}  // namespace
}  // namespace tiergate::complexity
