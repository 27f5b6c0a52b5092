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
