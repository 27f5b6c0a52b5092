// Complexity scoring speed on 1 KiB prompts, one core. References measured in the same run:
// copying the prompt (memory bandwidth floor) and a byte-hash pass (the cheapest "look at every
// byte" work); the counters report prompts/s and the ratio to the hash pass.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include "route/signals/complexity/features.h"
#include "route/signals/complexity/scorer.h"

namespace cx = tiergate::complexity;

namespace {

// 64 distinct ~1 KiB prompts: MMLU-style multiple choice and GSM8K-style word problems.
const std::vector<std::string>& prompts() {
  static const std::vector<std::string> p = [] {
    const char* stems[] = {
        "The following passage discusses the economic consequences of the policy. ",
        "A farmer has 17 cows and buys 3 more each week for 12 weeks at $450.50 each. ",
        "Which of the following statements about the structure of the cell membrane is NOT true? ",
        "Consider the function f(x) = 3x^2 + 2x - 5 on the interval [0, 4]. ",
    };
    std::vector<std::string> out;
    for (int i = 0; i < 64; ++i) {
      std::string s;
      while (s.size() < 900) {
        s += stems[(i + s.size()) % 4];
        s += "Item " + std::to_string(i * 31 + s.size()) + " considers the evidence carefully. ";
      }
      if (i % 2 == 0)
        s += "\nA. first option\nB. second option\nC. third option\nD. fourth\nAnswer:";
      else
        s += " How many are left at the end?";
      s.resize(1024, ' ');
      out.push_back(std::move(s));
    }
    return out;
  }();
  return p;
}

std::shared_ptr<const cx::ComplexityScorer> scorer() {
  static auto s = [] {
    auto r =
        cx::ComplexityScorer::load(TIERGATE_SOURCE_DIR "/data/router/complexity-default.model");
    if (!r) {
      std::fprintf(stderr, "cannot load default model: %s\n", r.error().message.c_str());
      std::abort();
    }
    return *r;
  }();
  return s;
}

// Nanoseconds per prompt of an FNV-1a pass over every byte, measured now (same run, same core).
double byte_hash_ns_per_prompt() {
  const auto& p = prompts();
  constexpr int kRounds = 20000;
  uint64_t sink = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (int r = 0; r < kRounds; ++r) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (unsigned char c : p[r & 63]) h = (h ^ c) * 0x100000001b3ull;
    sink += h;
  }
  benchmark::DoNotOptimize(sink);
  return std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count() /
         kRounds;
}

// Arg 0: the mixed set; 1: multiple-choice prompts only (the learned path: n-grams + subject
// posterior); 2: free-form word problems only (the structural path).
const std::vector<std::string>& prompts_of(int64_t kind) {
  static const std::vector<std::string> mc = [] {
    std::vector<std::string> v;
    for (const auto& p : prompts())
      if (p.find("\nA. ") != std::string::npos) v.push_back(p);
    for (size_t i = 0; !v.empty() && v.size() < 64; ++i) v.push_back(std::string(v[i]));
    return v;
  }();
  static const std::vector<std::string> free_form = [] {
    std::vector<std::string> v;
    for (const auto& p : prompts())
      if (p.find("\nA. ") == std::string::npos) v.push_back(p);
    for (size_t i = 0; !v.empty() && v.size() < 64; ++i) v.push_back(std::string(v[i]));
    return v;
  }();
  return kind == 1 ? mc : kind == 2 ? free_form : prompts();
}

void BM_ComplexityScore(benchmark::State& state) {
  auto s = scorer();
  const auto& p = prompts_of(state.range(0));
  const double hash_ns = byte_hash_ns_per_prompt();
  size_t i = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    double v = s->score(p[i++ & 63]);
    benchmark::DoNotOptimize(v);
  }
  double score_ns =
      std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count() /
      static_cast<double>(std::max<int64_t>(state.iterations(), 1));
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * 1024);
  state.counters["prompts_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  // How many byte-hash passes one score costs (machine-independent-ish).
  state.counters["x_byte_hash"] = score_ns / hash_ns;
}
BENCHMARK(BM_ComplexityScore)->Arg(0)->Arg(1)->Arg(2);

void BM_ReferenceMemcpy(benchmark::State& state) {
  const auto& p = prompts();
  char buf[1024];
  size_t i = 0;
  for (auto _ : state) {
    std::memcpy(buf, p[i++ & 63].data(), 1024);
    benchmark::DoNotOptimize(buf);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["prompts_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ReferenceMemcpy);

// FNV-1a over every byte: a lower bound for any scorer that reads the whole prompt byte by byte.
void BM_ReferenceByteHash(benchmark::State& state) {
  const auto& p = prompts();
  size_t i = 0;
  for (auto _ : state) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (unsigned char c : p[i++ & 63]) h = (h ^ c) * 0x100000001b3ull;
    benchmark::DoNotOptimize(h);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["prompts_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ReferenceByteHash);

// Feature extraction alone (tokenise + hash + shape), to show where the time goes.
void BM_ComplexityFeaturesOnly(benchmark::State& state) {
  const auto& p = prompts();
  cx::FeatureOptions o = scorer()->model().features;
  std::vector<uint32_t> ids;
  ids.reserve(1024);
  size_t i = 0;
  for (auto _ : state) {
    const std::string& s = p[i++ & 63];
    cx::PromptShape shape = cx::analyse_shape(s);
    cx::extract_sparse(s, o, ids);
    benchmark::DoNotOptimize(shape);
    benchmark::DoNotOptimize(ids.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["prompts_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ComplexityFeaturesOnly);

}  // namespace

BENCHMARK_MAIN();
