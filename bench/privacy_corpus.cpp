// The labelled-corpus report for the privacy scanner: recall per entity type (and per format)
// and the share of benign documents with any finding, on documents generated from fixed seeds
// (route/signals/privacy/corpus.h). Prints Markdown. Not a Google Benchmark: it has its own main.
//
//   bench_privacy_corpus [per_type=5000] [benign=20000] [seed ...]   (default seeds: 42 7 2026)
//
// Seed 42 is the one the validators were tuned against while developing; the others are held out.
// Then the findings on real text from the machine's Debian packages (real_text.h), which has no
// labels: counts per type and the values found most often, to read for false positives (the
// files are public; their names and addresses are the packages' authors').

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "real_text.h"
#include "route/signals/privacy/corpus_eval.h"

using namespace tiergate::privacy;

namespace {

// Per real text: findings per type, and per type the three values found most often (a value in
// one line, cut at 60 bytes).
void report_real_text(const Scanner& scanner) {
  using tiergate::bench::RealText;
  fmt::print("\n### Real text (no labels: read the values for false positives)\n\n");
  fmt::print("| text | MB | findings by type (distinct values) | most frequent values |\n");
  fmt::print("|---|---:|---|---|\n");
  for (RealText which : {RealText::kCode, RealText::kPython, RealText::kCopyright}) {
    const std::string text = tiergate::bench::real_text(which);
    if (text.empty()) {
      fmt::print("| {} | - | not on this machine | |\n", tiergate::bench::real_text_name(which));
      continue;
    }
    std::vector<Entity> found;
    if (!scanner.scan_into(text, found)) {
      fmt::print("| {} | scan failed | | |\n", tiergate::bench::real_text_name(which));
      continue;
    }
    std::map<std::string, std::map<std::string, int>> values;  // label -> value -> count
    for (const Entity& e : found) {
      std::string v = text.substr(e.begin, std::min<size_t>(e.end - e.begin, 60));
      std::replace_if(v.begin(), v.end(), [](char c) { return c == '\n' || c == '|'; }, ' ');
      ++values[std::string(e.label)][v];
    }
    std::string counts, top;
    for (const auto& [label, by_value] : values) {
      int n = 0;
      for (const auto& [v, k] : by_value) n += k;
      counts += fmt::format("{}{} {} ({})", counts.empty() ? "" : ", ", label, n, by_value.size());
      std::vector<std::pair<int, std::string>> order;
      for (const auto& [v, k] : by_value) order.emplace_back(-k, v);
      std::sort(order.begin(), order.end());
      top += fmt::format("{}{}:", top.empty() ? "" : "; ", label);
      for (size_t i = 0; i < std::min<size_t>(3, order.size()); ++i)
        top += fmt::format(" `{}` x{}", order[i].second, -order[i].first);
    }
    fmt::print("| {} | {:.1f} | {} | {} |\n", tiergate::bench::real_text_name(which),
               text.size() / 1e6, counts, top);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const int per_type = argc > 1 ? std::atoi(argv[1]) : 5000;
  const int benign = argc > 2 ? std::atoi(argv[2]) : 20000;
  std::vector<uint64_t> seeds;
  for (int i = 3; i < argc; ++i) seeds.push_back(std::strtoull(argv[i], nullptr, 10));
  if (seeds.empty()) seeds = {42, 7, 2026};

  auto scanner = Scanner::create(PrivacyConfig{});
  if (!scanner) {
    fmt::print(stderr, "{}\n", scanner.error().message);
    return 1;
  }
  bool met = true;
  for (uint64_t seed : seeds) {
    const auto t0 = std::chrono::steady_clock::now();
    corpus::CorpusReport r = corpus::evaluate_corpus(**scanner, seed, per_type, benign, 5);
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    fmt::print("\n### Seed {}{}: {} documents per type, {} benign documents, {:.1f} MB\n\n", seed,
               seed == 42 ? " (tuning seed)" : " (held out)", per_type, benign, r.bytes / 1e6);
    fmt::print(
        "| type | planted | recall (right type) | covered (any type) |\n|---|---:|---:|---:|\n");
    for (const auto& [type, s] : r.by_type) {
      const double typed = 100.0 * s.typed / s.planted, covered = 100.0 * s.covered / s.planted;
      met = met && typed >= 99.5;
      fmt::print("| {} | {} | {:.2f}% | {:.2f}% |\n", entity_type_name(type), s.planted, typed,
                 covered);
    }
    const double fp = 100.0 * r.benign_with_finding / r.benign_documents;
    met = met && fp <= 1.0;
    fmt::print("\nBenign documents with any finding: {} of {} ({:.2f}%)", r.benign_with_finding,
               r.benign_documents, fp);
    for (const auto& [label, n] : r.false_positive_labels) fmt::print("; {} {}", label, n);
    fmt::print(". Scan errors: {}. Time: {:.1f} s (generation included).\n", r.scan_errors, secs);
    bool any = false;
    for (const auto& [format, pm] : r.by_format) {
      if (pm.second == 0) continue;
      if (!any) fmt::print("\nFormats with misses:");
      any = true;
      fmt::print(" {} {}/{};", format, pm.second, pm.first);
    }
    if (any) fmt::print("\n");
  }
  fmt::print("\nTargets (recall >= 99.5% per type, benign FP <= 1%): {}\n",
             met ? "met" : "NOT met");
  report_real_text(**scanner);
  return met ? 0 : 1;
}
