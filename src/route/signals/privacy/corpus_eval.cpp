#include "route/signals/privacy/corpus_eval.h"

#include <fmt/format.h>

namespace tiergate::privacy::corpus {

CorpusReport evaluate_corpus(const Scanner& scanner, uint64_t seed, int per_type, int benign,
                             int max_examples) {
  CorpusReport rep;
  CorpusGenerator gen(seed);
  std::vector<Entity> found;
  auto note = [&](std::string s) {
    if (static_cast<int>(rep.examples.size()) < max_examples) rep.examples.push_back(std::move(s));
  };
  for (EntityType type : plantable_types()) {
    TypeScore& score = rep.by_type[type];
    for (int i = 0; i < per_type; ++i) {
      Document d = gen.with_entity(type);
      rep.bytes += static_cast<int64_t>(d.text.size());
      if (!scanner.scan_into(d.text, found)) {
        ++rep.scan_errors;
        found.clear();
      }
      for (const Planted& p : d.planted) {
        ++score.planted;
        auto& fmt_score = rep.by_format[p.format];
        ++fmt_score.first;
        bool typed = false;
        size_t covered_to = p.begin;
        for (const Entity& e : found) {
          if (e.end <= p.begin || e.begin >= p.end) continue;
          typed = typed || e.type == p.type;
          if (e.begin <= covered_to) covered_to = std::max(covered_to, e.end);
        }
        score.typed += typed;
        score.covered += covered_to >= p.end;
        if (!typed) {
          ++fmt_score.second;
          std::string got;
          for (const Entity& e : found)
            got += fmt::format(" [{} '{}']", e.label, d.text.substr(e.begin, e.end - e.begin));
          note(fmt::format("MISS {} '{}' in: {}\n  found:{}", p.format, p.value, d.text, got));
        }
      }
    }
  }
  for (int i = 0; i < benign; ++i) {
    Document d = gen.benign();
    rep.bytes += static_cast<int64_t>(d.text.size());
    ++rep.benign_documents;
    if (!scanner.scan_into(d.text, found)) {
      ++rep.scan_errors;
      ++rep.benign_with_finding;  // fail closed counts as flagged
      continue;
    }
    if (found.empty()) continue;
    ++rep.benign_with_finding;
    std::map<std::string, bool> labels;
    for (const Entity& e : found) labels[std::string(e.label)] = true;
    for (const auto& [l, _] : labels) ++rep.false_positive_labels[l];
    note(fmt::format("FP {} '{}' in ({}): {}", found[0].label,
                     d.text.substr(found[0].begin, found[0].end - found[0].begin), d.kind, d.text));
  }
  return rep;
}

}  // namespace tiergate::privacy::corpus
