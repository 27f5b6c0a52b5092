#pragma once
// A labelled corpus, generated deterministically from a seed: benign documents of several kinds
// (chat, code, support tickets, maths, orders and dates, logs) full of lookalikes that are NOT
// entities (Luhn-failing numbers, dates, versions, UUIDs, hashes, order numbers), and the same
// kinds of documents with planted entities of every built-in type in varied formats and
// positions. Used by the corpus evaluation (bench/privacy_corpus.cpp), the unit tests and the
// no-leak integration test (conversation()).
//
// Not a security boundary: values are random and fake (valid checksums, reserved-looking names).

#include <cstdint>
#include <string>
#include <vector>

#include "api/openai/chat.h"
#include "route/signals/privacy/entity.h"

namespace tiergate::privacy::corpus {

// Deterministic across platforms (no std:: distributions).
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next();
  // Uniform in [0, n); n > 0.
  uint64_t below(uint64_t n) { return next() % n; }
  bool chance(double p) { return static_cast<double>(next() >> 11) * 0x1.0p-53 < p; }
  template <typename T, size_t N>
  const T& pick(const T (&items)[N]) {
    return items[below(N)];
  }
  template <typename V>
  const auto& pick(const V& items) {
    return items[below(items.size())];
  }

 private:
  uint64_t state_;
};

struct Planted {
  EntityType type = EntityType::kEmail;
  std::string value;   // exactly as it appears in the text
  std::string format;  // e.g. "phone/e164", "card/amex-4-6-5", for per-format reporting
  size_t begin = 0;    // byte offsets in Document::text
  size_t end = 0;
};

struct Document {
  std::string kind;  // chat | code | ticket | maths | orders | logs
  std::string text;
  std::vector<Planted> planted;  // empty for a benign document
};

// The entity types the generator can plant (every built-in type; kCustom needs a config).
std::vector<EntityType> plantable_types();

// A conversation for the no-leak test, with values planted in every place a client can put
// text: system prompt, user turns, assistant tool-call arguments, tool results, tool definitions.
struct PlantedConversation {
  api::ChatRequest request;
  // Every planted value, each as it must never appear in bytes sent to an untrusted tier. Values
  // contain no character that JSON escapes, except PEM blocks (newlines), which are also listed
  // with their newlines escaped ("\\n").
  std::vector<Planted> planted;
  std::vector<std::string> needles;
};

class CorpusGenerator {
 public:
  explicit CorpusGenerator(uint64_t seed) : rng_(seed) {}

  // A benign document of a random kind, with lookalikes and no entity.
  Document benign();
  // A document of a random kind with `count` planted entities of `type`, at random positions
  // (start, middle, end), each with a random format and surrounding sentence.
  Document with_entity(EntityType type, int count = 1);
  // A random value of `type` (no surrounding text); *format names its format.
  std::string entity_value(EntityType type, std::string* format);
  // A random multi-turn conversation with 1-6 planted entities of random types.
  PlantedConversation conversation();

  Rng& rng() { return rng_; }

 private:
  std::string benign_paragraph(const std::string& kind);
  // A sentence around an entity of `type`; `value` is inserted at *at.
  std::string entity_sentence(EntityType type, const std::string& value, const std::string& format,
                              size_t* at);

  Rng rng_;
};

}  // namespace tiergate::privacy::corpus
