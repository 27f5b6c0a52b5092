// Privacy scanner speed: a 2 KiB realistic prompt (target: median < 5 us) and long text (target:
// >= 1 GB/s per core; text:1 = generated prose, code and tickets, text:2 = half number-dense,
// text:3 = this repository's own sources and docs; real text from the machine's Debian packages
// (real_text.h): text:4 = C++ headers, text:5 = the Python standard library, text:6 = Debian's
// copyright files, with real names and e-mail addresses), each next to
// references measured in the same run on the same bytes:
// memchr over the buffer (memory bandwidth floor) and a Hyperscan database with one trivial
// literal (the engine's own floor). Report with:
//   bench_privacy_scan --benchmark_repetitions=10 --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>
#include <hs/hs.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "real_text.h"
#include "route/signals/privacy/corpus.h"
#include "route/signals/privacy/redactor.h"
#include "route/signals/privacy/scanner.h"

namespace {

using namespace tiergate::privacy;

const Scanner& scanner() {
  static std::shared_ptr<const Scanner> s = *Scanner::create(PrivacyConfig{});
  return *s;
}

// A support-chat prompt of about 2 KiB: prose, a little code, numbers, dates, versions, one
// e-mail address and one phone number (what a real prompt with personal data looks like).
std::string prompt_2k() {
  std::string p =
      "You are a helpful support assistant for Acme Cloud. Answer briefly and cite the docs.\n"
      "Customer: Hi, I'm having trouble with my deployment since the upgrade to version 4.12.3 "
      "on 2024-03-15. The build log says 'connection refused' on port 8443 after about 30 "
      "seconds, and the health check at /v1/healthz returns 503. I tried restarting the "
      "service twice and clearing the cache (about 2.5 GB) but nothing changed. Our order "
      "number is ORD-2024-001234 and the invoice INV-000987 was paid on March 1st.\n"
      "Here is the relevant part of the config:\n"
      "```yaml\nserver:\n  port: 8443\n  timeout_ms: 30000\n  retries: 3\n  tls: true\n"
      "upstream:\n  url: https://api.acme.example/v2\n  pool_size: 16\n```\n"
      "And the code that calls it:\n"
      "```python\ndef fetch_status(client, region='eu-west-1'):\n"
      "    resp = client.get(f'/v2/status?region={region}', timeout=30)\n"
      "    if resp.status_code != 200:\n        raise RuntimeError(resp.text)\n"
      "    return resp.json()['items']\n```\n"
      "I'm not sure whether the problem is the TLS handshake or the load balancer. The "
      "request id of the last failure was 123e4567-e89b-12d3-a456-426614174000 and the "
      "commit we deployed is 9fceb02d0ae598e95dc970b74767f19372d61af8. Please reply to "
      "jane.doe@example.com or call me on +44 20 7946 0958 if that is easier. Thanks a lot "
      "for your help, we have about 1,200 users waiting and the SLA says 99.9% uptime.\n"
      "Assistant: Thanks for the details. Let's check the TLS settings first. Could you run "
      "the diagnostics command and paste the output? It takes about 10 seconds.\n"
      "Customer: Sure, here it is: handshake ok, cipher TLS_AES_128_GCM_SHA256, rtt 23 ms, "
      "upstream 502 after 30001 ms. What does that mean and what should I change?";
  while (p.size() < 2048) p += " Thanks again.";
  p.resize(2048);
  return p;
}

// Long text from the corpus generator with about one planted entity in twenty documents.
// kProse: chat, code and support tickets (what long prompts mostly are: documents, code, threads).
// kMixed: all six kinds, half of them number-dense (maths, orders, logs): a worst case.
// kRepo: real text, not generated: this repository's own sources and docs (C++, CMake, Markdown),
// repeated to 16 MiB.
// kCode, kPython, kCopyright: real text (real_text.h), not repeated: 16 MiB, 11 MB and 16 MiB on
// Debian 12.
enum Mix : int64_t {
  kPrompt2k = 0,
  kProse = 1,
  kMixed = 2,
  kRepo = 3,
  kCode = 4,
  kPython = 5,
  kCopyright = 6
};

std::string repo_text(size_t bytes) {
  namespace fs = std::filesystem;
  std::string all;
  for (const char* dir : {"src", "docs", "tests", "bench"}) {
    const fs::path root = fs::path(TIERGATE_SOURCE_DIR) / dir;
    if (!fs::exists(root)) continue;
    for (const auto& f : fs::recursive_directory_iterator(root)) {
      const auto ext = f.path().extension().string();
      if (!f.is_regular_file() || (ext != ".h" && ext != ".cpp" && ext != ".md" && ext != ".txt"))
        continue;
      std::ifstream in(f.path(), std::ios::binary);
      all.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      all += '\n';
    }
  }
  if (all.empty()) all = "empty";
  std::string t;
  while (t.size() < bytes) t += all;
  t.resize(bytes);
  return t;
}

std::string long_text(size_t bytes, bool prose_only) {
  tiergate::privacy::corpus::CorpusGenerator gen(2024);
  std::string t;
  int i = 0;
  const auto types = tiergate::privacy::corpus::plantable_types();
  while (t.size() < bytes) {
    auto d = (++i % 20 == 0) ? gen.with_entity(types[i % types.size()]) : gen.benign();
    if (prose_only && d.kind != "chat" && d.kind != "code" && d.kind != "ticket") continue;
    t += d.text;
    t += '\n';
  }
  t.resize(bytes);
  return t;
}

const std::string& text_for(int64_t which) {
  static std::string p2k = prompt_2k();
  static std::string prose = long_text(16 << 20, true);
  static std::string mixed = long_text(16 << 20, false);
  static std::string repo = repo_text(16 << 20);
  using tiergate::bench::RealText;
  switch (which) {
    case kPrompt2k:
      return p2k;
    case kProse:
      return prose;
    case kMixed:
      return mixed;
    case kRepo:
      return repo;
    case kCode: {
      static std::string t = tiergate::bench::real_text(RealText::kCode);
      return t;
    }
    case kPython: {
      static std::string t = tiergate::bench::real_text(RealText::kPython);
      return t;
    }
    default: {
      static std::string t = tiergate::bench::real_text(RealText::kCopyright);
      return t;
    }
  }
}

// Every text, for the benchmarks' argument lists.
void all_texts(benchmark::internal::Benchmark* b) {
  for (int64_t t = kPrompt2k; t <= kCopyright; ++t) b->Arg(t);
}

void BM_Scan(benchmark::State& state) {
  const std::string& text = text_for(state.range(0));
  if (text.empty()) {
    state.SkipWithError("this machine lacks the files of this text");
    return;
  }
  std::vector<Entity> out;
  for (auto _ : state) {
    auto st = scanner().scan_into(text, out);
    if (!st) state.SkipWithError("scan failed");
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(text.size()));
  state.counters["findings"] = static_cast<double>(out.size());
}
BENCHMARK(BM_Scan)->ArgName("text")->Apply(all_texts)->Unit(benchmark::kMicrosecond);

// Reference 1: memchr for a byte that is not there, over the same bytes.
void BM_RefMemchr(benchmark::State& state) {
  const std::string& text = text_for(state.range(0));
  for (auto _ : state) {
    const void* p = std::memchr(text.data(), '\x01', text.size());
    benchmark::DoNotOptimize(p);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_RefMemchr)->ArgName("text")->Apply(all_texts)->Unit(benchmark::kMicrosecond);

// Reference 2: Hyperscan with one literal that never matches: the engine's per-byte floor.
void BM_RefHyperscanLiteral(benchmark::State& state) {
  const std::string& text = text_for(state.range(0));
  static hs_database_t* db = [] {
    hs_database_t* d = nullptr;
    hs_compile_error_t* err = nullptr;
    hs_compile("zqxjkv_never", 0, HS_MODE_BLOCK, nullptr, &d, &err);
    return d;
  }();
  hs_scratch_t* scratch = nullptr;
  hs_alloc_scratch(db, &scratch);
  auto on_match = [](unsigned, unsigned long long, unsigned long long, unsigned, void*) {
    return 0;
  };
  for (auto _ : state) {
    hs_error_t rc =
        hs_scan(db, text.data(), static_cast<unsigned>(text.size()), 0, scratch, on_match, nullptr);
    benchmark::DoNotOptimize(rc);
  }
  hs_free_scratch(scratch);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_RefHyperscanLiteral)->ArgName("text")->Apply(all_texts)->Unit(benchmark::kMicrosecond);

// A whole request scan (every field) and a redaction of the 2 KiB prompt, for the request path.
void BM_Redact2k(benchmark::State& state) {
  static std::shared_ptr<const Scanner> s = *Scanner::create(PrivacyConfig{});
  tiergate::api::ChatRequest req;
  tiergate::api::ChatMessage m;
  m.role = "user";
  m.content.push_back({tiergate::api::ContentPart::Kind::kText, prompt_2k(), {}});
  req.messages.push_back(m);
  for (auto _ : state) {
    tiergate::api::ChatRequest copy = req;
    Redactor r(s);
    auto res = r.redact(copy);
    benchmark::DoNotOptimize(res);
  }
}
BENCHMARK(BM_Redact2k)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
