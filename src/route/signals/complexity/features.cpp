#include "route/signals/complexity/features.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <string_view>

namespace tiergate::complexity {
namespace {

constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ull;
constexpr uint64_t kFnvPrime = 0x100000001b3ull;

// Feature namespaces: the same word in the stem and in the choices is two features.
constexpr uint64_t kStemWord = 0x1f0e3d2c4b5a6978ull;
constexpr uint64_t kStemBigram = 0x2d3c4b5a69788796ull;
constexpr uint64_t kChoiceWord = 0x3b4a59687786a5b4ull;
constexpr uint64_t kCharGram = 0x495867768594a3b2ull;

inline uint64_t mix64(uint64_t x) {  // splitmix64 finaliser
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

inline bool is_alpha(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}
inline bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
inline unsigned char lower(unsigned char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<unsigned char>(c + 32) : c;
}

// One token of the text: a word (letters) or a number (digits with inner '.' or ',').
struct Token {
  std::string_view text;
  bool number = false;
  bool decimal = false;
};

// Calls fn(Token) for each token of s, in order.
template <typename Fn>
void for_each_token(std::string_view s, Fn&& fn) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size(), i = 0;
  while (i < n) {
    unsigned char c = p[i];
    if (is_alpha(c)) {
      size_t b = i;
      while (i < n && is_alpha(p[i])) ++i;
      fn(Token{s.substr(b, i - b), false, false});
    } else if (is_digit(c)) {
      size_t b = i;
      bool dec = false;
      while (i < n) {
        if (is_digit(p[i])) {
          ++i;
        } else if ((p[i] == '.' || p[i] == ',') && i + 1 < n && is_digit(p[i + 1])) {
          dec |= p[i] == '.';
          ++i;
        } else {
          break;
        }
      }
      fn(Token{s.substr(b, i - b), true, dec});
    } else {
      ++i;
    }
  }
}

inline uint64_t hash_word(std::string_view w) {
  uint64_t h = kFnvOffset;
  for (unsigned char c : w) h = (h ^ lower(c)) * kFnvPrime;
  return h;
}

// Numbers are hashed by shape (digit count, decimal), not value: "#3" for 100..999.
inline uint64_t hash_number(const Token& t) {
  int digits = 0;
  for (char c : t.text) digits += is_digit(static_cast<unsigned char>(c));
  uint64_t h = kFnvOffset;
  h = (h ^ '#') * kFnvPrime;
  h = (h ^ static_cast<uint64_t>('0' + std::min(digits, 6))) * kFnvPrime;
  if (t.decimal) h = (h ^ '.') * kFnvPrime;
  return h;
}

inline uint32_t to_id(uint64_t h, uint64_t ns, int bits) {
  return static_cast<uint32_t>(mix64(h ^ ns) >> (64 - bits));
}

// Keyword classes of the shape analysis, looked up once per token by hash.
enum KeywordFlag : uint8_t {
  kNumberWord = 1,
  kFractionWord = 2,
  kRateWord = 4,
  kPercentWord = 8,
  kNegationWord = 16,
  kStatementWord = 32,
  kUnitWord = 64,
};

constexpr std::string_view kNumberWords[] = {
    "one",   "two",     "three",    "four",    "five",     "six",    "seven",  "eight",
    "nine",  "ten",     "eleven",   "twelve",  "fifteen",  "twenty", "thirty", "forty",
    "fifty", "hundred", "thousand", "million", "twice",    "thrice", "double", "triple",
    "half",  "third",   "thirds",   "quarter", "quarters", "dozen",  "dozens", "fourth"};
constexpr std::string_view kFractionWords[] = {"half",     "third",  "thirds", "quarter",
                                               "quarters", "fourth", "fifth",  "fraction"};
constexpr std::string_view kRateWords[] = {"each", "every",   "per",       "times",      "more",
                                           "less", "fewer",   "remaining", "left",       "total",
                                           "rest", "average", "ratio",     "altogether", "twice"};

// Units of measure, singular and plural sharing an index (distinct units hint at conversions).
struct UnitWord {
  std::string_view word;
  uint8_t unit;
};
constexpr UnitWord kUnitWords[] = {
    {"second", 0},      {"seconds", 0},     {"minute", 1},      {"minutes", 1},
    {"hour", 2},        {"hours", 2},       {"day", 3},         {"days", 3},
    {"week", 4},        {"weeks", 4},       {"month", 5},       {"months", 5},
    {"year", 6},        {"years", 6},       {"cent", 7},        {"cents", 7},
    {"dollar", 8},      {"dollars", 8},     {"inch", 9},        {"inches", 9},
    {"foot", 10},       {"feet", 10},       {"yard", 11},       {"yards", 11},
    {"mile", 12},       {"miles", 12},      {"meter", 13},      {"meters", 13},
    {"metre", 13},      {"metres", 13},     {"centimeter", 14}, {"centimeters", 14},
    {"kilometer", 15},  {"kilometers", 15}, {"ounce", 16},      {"ounces", 16},
    {"pound", 17},      {"pounds", 17},     {"gram", 18},       {"grams", 18},
    {"kilogram", 19},   {"kilograms", 19},  {"cup", 20},        {"cups", 20},
    {"gallon", 21},     {"gallons", 21},    {"liter", 22},      {"liters", 22},
    {"litre", 22},      {"litres", 22},     {"quart", 23},      {"quarts", 23},
    {"pint", 24},       {"pints", 24},      {"dozen", 25},      {"dozens", 25},
    {"ton", 26},        {"tons", 26}};
constexpr uint8_t kDollarUnit = 8;

// Open-addressing table: 64-bit word hash -> flags (and unit index). Built once; read-only after.
class KeywordTable {
 public:
  KeywordTable() {
    for (auto w : kNumberWords) add(w, kNumberWord);
    for (auto w : kFractionWords) add(w, kFractionWord);
    for (auto w : kRateWords) add(w, kRateWord);
    add("percent", kPercentWord);
    add("false", kNegationWord);
    add("incorrect", kNegationWord);
    add("statement", kStatementWord);
    for (const auto& u : kUnitWords) unit_[add(u.word, kUnitWord)] = u.unit;
  }
  struct Hit {
    uint8_t flags = 0;
    uint8_t unit = 0;  // valid with kUnitWord
  };
  Hit find(uint64_t h) const {
    for (size_t i = h & kMask;; i = (i + 1) & kMask) {
      if (flags_[i] == 0) return {};
      if (keys_[i] == h) return {flags_[i], unit_[i]};
    }
  }

 private:
  static constexpr size_t kSize = 256, kMask = kSize - 1;
  size_t add(std::string_view w, uint8_t flag) {
    uint64_t h = hash_word(w);
    size_t i = h & kMask;
    while (flags_[i] != 0 && keys_[i] != h) i = (i + 1) & kMask;
    keys_[i] = h;
    flags_[i] |= flag;
    return i;
  }
  std::array<uint64_t, kSize> keys_{};
  std::array<uint8_t, kSize> flags_{};
  std::array<uint8_t, kSize> unit_{};
};

const KeywordTable& keywords() {
  static const KeywordTable table;
  return table;
}

constexpr size_t kLongestKeyword = 11;  // "centimeters", "kilometers"

// Start of the lettered choices: "\nA. ", "\nA) " or "\n(A) "; npos if none.
size_t choices_start(std::string_view p) {
  for (size_t i = p.find('\n'); i != std::string_view::npos; i = p.find('\n', i + 1)) {
    std::string_view rest = p.substr(i + 1);
    if (rest.size() >= 3 && rest[0] == 'A' && (rest[1] == '.' || rest[1] == ')') && rest[2] == ' ')
      return i;
    if (rest.size() >= 4 && rest[0] == '(' && rest[1] == 'A' && rest[2] == ')') return i;
  }
  return std::string_view::npos;
}

// Drops a trailing "Answer:" so it is not counted as stem or choice text.
std::string_view strip_answer_cue(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n')) s.remove_suffix(1);
  constexpr std::string_view kCue = "Answer:";
  if (s.size() >= kCue.size() && s.substr(s.size() - kCue.size()) == kCue)
    s.remove_suffix(kCue.size());
  return s;
}

struct Sections {
  std::string_view stem;
  std::string_view choices;
};

Sections split_sections(std::string_view prompt) {
  std::string_view body = strip_answer_cue(prompt);
  size_t c = choices_start(body);
  if (c == std::string_view::npos) return {body, {}};
  return {body.substr(0, c), body.substr(c)};
}

}  // namespace

const char* dense_feature_name(int i) {
  static const char* const kNames[kDenseFeatures] = {
      "log_chars",      "log_stem_words", "log_choice_words", "log_numbers",
      "log_num_words",  "percents",       "fractions",        "decimals",
      "large_numbers",  "log_sentences",  "log_math_symbols", "log_code_symbols",
      "log_rate_words", "negations",      "statements",       "log_money"};
  return (i >= 0 && i < kDenseFeatures) ? kNames[i] : "?";
}

PromptShape analyse_shape(std::string_view prompt) {
  PromptShape s;
  s.chars = static_cast<double>(prompt.size());
  Sections sec = split_sections(prompt);
  const KeywordTable& table = keywords();
  uint32_t unit_mask = 0;

  for_each_token(sec.stem, [&](const Token& t) {
    if (t.number) {
      s.numbers += 1;
      if (t.decimal) s.decimals += 1;
      size_t digits = 0;
      bool before_point = true;
      for (char c : t.text) {
        if (c == '.') before_point = false;
        if (before_point && is_digit(static_cast<unsigned char>(c))) ++digits;
      }
      if (digits >= 4) s.large_numbers += 1;
      return;
    }
    s.stem_words += 1;
    if (t.text.size() > kLongestKeyword) return;
    if (t.text == "NOT" || t.text == "EXCEPT" || t.text == "LEAST") s.negations += 1;
    const KeywordTable::Hit hit = table.find(hash_word(t.text));
    const uint8_t f = hit.flags;
    if (f == 0) return;
    if (f & kUnitWord) unit_mask |= uint32_t{1} << hit.unit;
    if (f & kNumberWord) s.number_words += 1;
    if (f & kFractionWord) s.fractions += 1;
    if (f & kRateWord) s.rate_words += 1;
    if (f & kPercentWord) s.percents += 1;
    if (f & kNegationWord) s.negations += 1;
    if (f & kStatementWord) s.statements += 0.5;
  });

  const std::string_view st = sec.stem;
  for (size_t i = 0; i < st.size(); ++i) {
    char c = st[i];
    char prev = i ? st[i - 1] : ' ';
    char next = i + 1 < st.size() ? st[i + 1] : ' ';
    switch (c) {
      case '%':
        s.percents += 1;
        break;
      case '$':
        if (is_digit(static_cast<unsigned char>(next))) unit_mask |= uint32_t{1} << kDollarUnit;
        if (is_digit(static_cast<unsigned char>(next)))
          s.money += 1;
        else
          s.math_symbols += 1;  // LaTeX
        break;
      case '/':
        if (is_digit(static_cast<unsigned char>(prev)) &&
            is_digit(static_cast<unsigned char>(next)))
          s.fractions += 1;
        break;
      case '=':
      case '+':
      case '*':
      case '^':
      case '<':
      case '>':
      case '\\':
        s.math_symbols += 1;
        break;
      case '{':
      case '}':
      case ';':
        s.code_symbols += 1;
        break;
      case '?':
        s.questions += 1;
        s.sentences += 1;
        break;
      case '!':
        s.sentences += 1;
        break;
      case '.':
        if (!is_digit(static_cast<unsigned char>(next)) &&
            (next == ' ' || next == '\n' || i + 1 == st.size()))
          s.sentences += 1;
        break;
      case '\n':
        if (next == 'I' && i + 2 < st.size() && (st[i + 2] == '.' || st[i + 2] == 'I'))
          s.statements += 1;
        break;
      default:
        break;
    }
  }
  if (s.sentences == 0 && !st.empty()) s.sentences = 1;
  s.units = static_cast<double>(std::popcount(unit_mask));

  for_each_token(sec.choices, [&](const Token& t) { s.choice_words += 1; });
  if (!sec.choices.empty()) {
    for (size_t i = 0; i < sec.choices.size(); ++i) {
      if (sec.choices[i] != '\n' || i + 2 >= sec.choices.size()) continue;
      char l = sec.choices[i + 1];
      char d = sec.choices[i + 2];
      if (l >= 'A' && l <= 'J' && (d == '.' || d == ')'))
        s.choices += 1;
      else if (l == '(' && i + 3 < sec.choices.size() && sec.choices[i + 3] == ')')
        s.choices += 1;
    }
  }
  if (s.choices >= 2)
    s.kind = PromptKind::kMultipleChoice;
  else if (s.numbers + s.number_words >= 2 && s.stem_words >= 8)
    s.kind = PromptKind::kMathWord;
  else
    s.kind = PromptKind::kOther;
  return s;
}

DenseFeatures dense_features(const PromptShape& s) {
  auto l = [](double x) { return std::log1p(x); };
  auto cap = [](double x, double m) { return std::min(x, m); };
  return DenseFeatures{l(s.chars),          l(s.stem_words),     l(s.choice_words),
                       l(s.numbers),        l(s.number_words),   cap(s.percents, 3),
                       cap(s.fractions, 3), cap(s.decimals, 3),  cap(s.large_numbers, 3),
                       l(s.sentences),      l(s.math_symbols),   l(s.code_symbols),
                       l(s.rate_words),     cap(s.negations, 2), cap(s.statements, 3),
                       l(s.money)};
}

void extract_sparse(std::string_view prompt, const FeatureOptions& o, std::vector<uint32_t>& out) {
  out.clear();
  const int bits = o.hash_bits;
  Sections sec = split_sections(prompt);
  uint64_t prev = 0;
  bool have_prev = false;
  for_each_token(sec.stem, [&](const Token& t) {
    uint64_t h = t.number ? hash_number(t) : hash_word(t.text);
    if (o.stem_words) out.push_back(to_id(h, kStemWord, bits));
    if (o.stem_bigrams && have_prev)
      out.push_back(to_id(prev * 0x9e3779b97f4a7c15ull + h, kStemBigram, bits));
    prev = h;
    have_prev = true;
  });
  if (o.choice_words) {
    for_each_token(sec.choices, [&](const Token& t) {
      if (t.text.size() == 1 && !t.number) return;  // the choice letters themselves
      uint64_t h = t.number ? hash_number(t) : hash_word(t.text);
      out.push_back(to_id(h, kChoiceWord, bits));
    });
  }
  if (o.char_ngrams && sec.stem.size() >= 4) {
    // 4-byte windows of the lowercased stem, whitespace folded to one space.
    uint32_t window = 0;
    int filled = 0;
    unsigned char last = ' ';
    for (unsigned char c : sec.stem) {
      unsigned char x = lower(c);
      if (x == '\n' || x == '\t' || x == '\r') x = ' ';
      if (x == ' ' && last == ' ') continue;
      last = x;
      window = (window << 8) | x;
      if (++filled >= 4) out.push_back(to_id(window, kCharGram, bits));
    }
  }
}

double math_difficulty(const PromptShape& s, const MathWeights& w) {
  return w.log_words * std::log1p(s.stem_words) + w.quantities * (s.numbers + s.number_words) +
         w.percents * std::min(s.percents, 2.0) + w.fractions * std::min(s.fractions, 2.0) +
         w.decimals * std::min(s.decimals, 2.0) + w.large_numbers * std::min(s.large_numbers, 2.0) +
         w.rate_words * std::min(s.rate_words, 6.0) + w.sentences * std::min(s.sentences, 10.0) +
         w.extra_units * std::clamp(s.units - 1, 0.0, 3.0);
}

}  // namespace tiergate::complexity
