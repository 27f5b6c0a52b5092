// The whole routing decision for a 2 KiB prompt (target: median < 20 us on one core): the privacy
// scan, then Router::decide with the complexity signal, constraints, latency predictions, a tenant
// budget and a deadline. Next to it, in the same run: each part alone, and the request's own JSON
// parse (work every gateway does anyway) as the reference. Report with:
//   bench_route_decision --benchmark_repetitions=10 --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>

#include <string>

#include "api/openai/json.h"
#include "config/config.h"
#include "route/policy/router.h"
#include "route/signals/complexity/scorer.h"
#include "route/signals/privacy/scanner.h"

namespace {

using namespace tiergate;

constexpr const char* kConfig = R"(
tiers:
  - name: edge
    kind: embedded
    model_path: /nonexistent/edge.gguf
    context_window: 8192
  - name: cloud
    kind: openai
    base_url: "http://127.0.0.1:9/v1"
    model: "big"
    price: { input_per_mtok: 1.0, output_per_mtok: 2.0 }
routing:
  default_tier: edge
  complexity: {}
  latency_budget_ms: 5000
  escalation: { enabled: true }
  tenants:
    acme: { budget: { usd: 1000000, period: day } }
)";

// A 2 KiB chat request: a system prompt and a user turn of support prose with numbers and dates.
std::string request_json() {
  std::string text;
  const char* para =
      "Our deployment of version 4.12.3 fails since 2024-03-15: the health check at /v1/healthz "
      "returns 503 after about 30 seconds and the build log says connection refused on 8443. "
      "We restarted twice and cleared 2.5 GB of cache. What should we check next, and why? ";
  while (text.size() < 1900) text += para;
  return R"({"model":"auto","messages":[{"role":"system","content":"You are a support assistant."},)"
         R"({"role":"user","content":")" + text + R"("}],"max_tokens":300})";
}

struct World {
  std::shared_ptr<const config::Config> config;
  std::vector<std::unique_ptr<TierStats>> stats;
  std::unique_ptr<route::Router> router;
  std::shared_ptr<const privacy::Scanner> scanner;
  std::string body = request_json();
  api::ChatRequest request;

  World() {
    config = *config::load_config_string(kConfig);
    std::vector<route::TierTraits> traits;
    std::vector<const TierStats*> live;
    for (const auto& t : config->tiers) {
      traits.push_back(route::traits_of(t, nullptr));
      auto& s = *stats.emplace_back(std::make_unique<TierStats>());
      s.prefill_tokens_per_s = 400;
      s.decode_tokens_per_s = 30;
      s.ttft_ms = 350;
      s.slots = 4;
      live.push_back(&s);
    }
    auto r = route::Router::create(config, std::move(traits), std::move(live));
    if (!r) throw std::runtime_error(r.error().message);
    router = std::move(*r);
    scanner = *privacy::Scanner::create(config->routing.privacy);
    request = *api::parse_chat_request(body);
  }
};

World& world() {
  static World w;
  return w;
}

void BM_WholeDecision(benchmark::State& state) {
  World& w = world();
  for (auto _ : state) {
    privacy::PrivacyScan scan = w.scanner->scan_request(w.request);
    route::RouteSignals s;
    s.privacy = privacy::decide_privacy_action(privacy::PrivacyMode::kStrict, scan);
    s.privacy_scan = &scan;
    s.tenant = "acme";
    auto d = w.router->decide(w.request, s);
    benchmark::DoNotOptimize(d);
  }
}
BENCHMARK(BM_WholeDecision);

void BM_PolicyOnly(benchmark::State& state) {  // decide() with the complexity score, no scan
  World& w = world();
  route::RouteSignals s;
  s.tenant = "acme";
  for (auto _ : state) {
    auto d = w.router->decide(w.request, s);
    benchmark::DoNotOptimize(d);
  }
}
BENCHMARK(BM_PolicyOnly);

void BM_PrivacyScanOnly(benchmark::State& state) {
  World& w = world();
  for (auto _ : state) {
    auto scan = w.scanner->scan_request(w.request);
    benchmark::DoNotOptimize(scan);
  }
}
BENCHMARK(BM_PrivacyScanOnly);

void BM_ComplexityScoreOnly(benchmark::State& state) {
  World& w = world();
  const auto& q = *w.router->quality();
  for (auto _ : state) {
    double s = q.scorer->score(complexity::scoring_text(w.request));
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_ComplexityScoreOnly);

void BM_ReferenceParseRequest(benchmark::State& state) {  // what every gateway does anyway
  World& w = world();
  for (auto _ : state) {
    auto r = api::parse_chat_request(w.body);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_ReferenceParseRequest);

}  // namespace

BENCHMARK_MAIN();
