#pragma once
// Text features of a prompt for the complexity scorer: hashed sparse ids (words, word pairs, the
// answer choices of a multiple-choice question) and a small vector of structural counts (length,
// quantities, operations, question form). Pure functions; no allocation beyond the caller's buffer.

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace tiergate::complexity {

// What kind of prompt this is, inferred from its shape only.
enum class PromptKind : uint8_t {
  kMultipleChoice,  // a stem, lettered choices "A. ... D. ...", maybe "Answer:" (MMLU style)
  kMathWord,        // a free-form question with several quantities (GSM8K style word problem)
  kOther,           // anything else: chat, code, open questions
};

// Structural counts of a prompt. Doubles so they feed a linear model directly.
struct PromptShape {
  PromptKind kind = PromptKind::kOther;
  double chars = 0;          // bytes of the whole prompt
  double stem_words = 0;     // words before the first choice (the whole prompt if none)
  double choice_words = 0;   // words in the lettered choices
  double choices = 0;        // number of lettered choice lines
  double numbers = 0;        // numeric literals in the stem ("3", "4.5", "1,200")
  double number_words = 0;   // "twice", "half", "dozen", "three", ... in the stem
  double percents = 0;       // "%" or "percent"
  double fractions = 0;      // "3/4", "half", "third", "quarter"
  double decimals = 0;       // numbers with a decimal point
  double large_numbers = 0;  // numbers >= 1000
  double money = 0;          // "$" amounts
  double sentences = 0;      // sentence ends in the stem
  double questions = 0;      // '?' in the stem
  double math_symbols = 0;   // = + * ^ < > and backslash (LaTeX)
  double code_symbols = 0;   // { } ; and "def "/"return"
  double rate_words = 0;     // "each", "every", "per", "times", "more than", "less than", ...
  double negations = 0;      // NOT / EXCEPT / false / incorrect in the stem
  double statements = 0;     // "Statement 1 |", "I.", "II." style compound items
  double units = 0;          // distinct units of measure in the stem (hours, weeks, feet, $...)
};

// Number of dense (structural) features fed to the linear model; see dense_features().
inline constexpr int kDenseFeatures = 16;
using DenseFeatures = std::array<double, kDenseFeatures>;

// Names of the dense features, in order (for the model file and docs).
const char* dense_feature_name(int i);

PromptShape analyse_shape(std::string_view prompt);

// Dense features: log-scaled counts from the shape.
DenseFeatures dense_features(const PromptShape& shape);

// Which sparse feature families to emit. Stored in the model file: the scorer must extract
// exactly what the trainer saw.
struct FeatureOptions {
  int hash_bits = 18;        // ids are in [0, 2^hash_bits)
  bool stem_words = true;    // unigrams of the stem
  bool stem_bigrams = true;  // adjacent word pairs of the stem
  bool choice_words = true;  // unigrams of the lettered choices (own namespace)
  bool char_ngrams = false;  // character 4-grams of the stem
};

// Appends hashed feature ids of `prompt` to `out` (cleared first). Ids may repeat (term counts).
void extract_sparse(std::string_view prompt, const FeatureOptions& options,
                    std::vector<uint32_t>& out);

// Heuristic difficulty of a maths word problem from its shape (no labels exist for this domain):
// more quantities, more steps (sentences, rate words), percentages, fractions and large numbers
// make a multi-step problem harder for a weak model. Weights are in the model file.
struct MathWeights {
  double log_words = 1.0;
  double quantities = 0.35;
  double percents = 0.4;
  double fractions = 0.4;
  double decimals = 0.2;
  double large_numbers = 0.2;
  double rate_words = 0.1;
  double sentences = 0.05;
  double extra_units = 0.15;  // per distinct unit beyond the first: a conversion step
};
double math_difficulty(const PromptShape& shape, const MathWeights& w);

}  // namespace tiergate::complexity
