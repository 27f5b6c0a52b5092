#pragma once
// Scores a Scanner against the generated corpus (corpus.h): recall per entity type and per
// format, and the share of benign documents with any finding (false positives).

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "route/signals/privacy/corpus.h"
#include "route/signals/privacy/scanner.h"

namespace tiergate::privacy::corpus {

struct TypeScore {
  int planted = 0;
  int typed = 0;    // a finding of the planted type overlaps the planted value
  int covered = 0;  // findings (any type) cover every byte of the planted value
};

struct CorpusReport {
  std::map<EntityType, TypeScore> by_type;
  std::map<std::string, std::pair<int, int>> by_format;  // format -> (planted, missed typed)
  int benign_documents = 0;
  int benign_with_finding = 0;
  std::map<std::string, int> false_positive_labels;  // label -> benign documents with it
  std::vector<std::string> examples;                 // a few misses and false positives
  int scan_errors = 0;
  int64_t bytes = 0;
};

// Generates `per_type` documents for every plantable type and `benign` benign documents from
// `seed`, scans each, and scores. Deterministic for a given seed and scanner.
CorpusReport evaluate_corpus(const Scanner& scanner, uint64_t seed, int per_type, int benign,
                             int max_examples = 0);

}  // namespace tiergate::privacy::corpus
