// The routing policy over table-driven cases: constraints, deadline, quality, budgets, plans.
#include <gtest/gtest.h>

#include <functional>

#include "api/openai/json.h"
#include "config/config.h"
#include "route/policy/explain.h"
#include "route/policy/router.h"

namespace tiergate::route {
namespace {

// Two tiers: a free edge (embedded) and a paying cloud (openai), plus the routing section given.
std::string config_yaml(const std::string& routing, const std::string& edge_extra = "",
                        const std::string& cloud_extra = "") {
  return R"(
tiers:
  - name: edge
    kind: embedded
    model_path: /nonexistent/edge.gguf
    context_window: 2048
)" + edge_extra + R"(
  - name: cloud
    kind: openai
    base_url: "http://127.0.0.1:9/v1"
    model: "big"
    price: { input_per_mtok: 1.0, output_per_mtok: 2.0 }
    capabilities: { images: true }
)" + cloud_extra + R"(
routing:
)" + routing;
}

struct Fixture {
  std::shared_ptr<const config::Config> config;
  std::vector<std::unique_ptr<TierStats>> stats;
  std::unique_ptr<Router> router;
};

Fixture make(const std::string& yaml) {
  Fixture f;
  auto c = config::load_config_string(yaml);
  EXPECT_TRUE(c) << (c ? "" : c.error().message);
  if (!c) return f;
  f.config = *c;
  std::vector<TierTraits> traits;
  std::vector<const TierStats*> stats;
  for (const auto& t : f.config->tiers) {
    traits.push_back(traits_of(t, nullptr));
    stats.push_back(f.stats.emplace_back(std::make_unique<TierStats>()).get());
  }
  auto r = Router::create(f.config, std::move(traits), std::move(stats));
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  if (r) f.router = std::move(*r);
  return f;
}

api::ChatRequest request(const std::string& json) {
  auto r = api::parse_chat_request(json);
  EXPECT_TRUE(r) << json;
  return r ? *r : api::ChatRequest{};
}

std::string chat(const std::string& model, const std::string& text, const std::string& extra = "") {
  return R"({"model":")" + model + R"(","messages":[{"role":"user","content":")" + text + R"("}])" +
         extra + "}";
}

struct Case {
  const char* name;
  std::string routing;
  std::string body;
  std::function<void(Fixture&, RouteSignals&)> setup = nullptr;
  // Expected: a tier and its fallbacks, reasons that must be present; or an error code.
  std::string tier;
  std::vector<std::string> fallbacks;
  std::vector<Reason> reasons;
  std::optional<ErrorCode> error = std::nullopt;
  std::string edge_extra = "";
};

const std::string kLong(12000, 'a');  // about 3000 tokens: more than the edge's 2048

class RouterTable : public ::testing::TestWithParam<Case> {};

TEST_P(RouterTable, Decides) {
  const Case& c = GetParam();
  Fixture f = make(config_yaml(c.routing, c.edge_extra));
  ASSERT_TRUE(f.router);
  api::ChatRequest req = request(c.body);
  RouteSignals s;
  s.record = false;
  if (c.setup) c.setup(f, s);
  auto d = f.router->decide(req, s);
  if (c.error) {
    ASSERT_FALSE(d) << "decided " << (d ? f.router->tiers()[d->tier].name : "");
    EXPECT_EQ(d.error().code, *c.error) << d.error().message;
    return;
  }
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(f.router->tiers()[d->tier].name, c.tier) << d->reasons.joined();
  std::vector<std::string> fb;
  for (int t : d->fallbacks) fb.push_back(f.router->tiers()[t].name);
  EXPECT_EQ(fb, c.fallbacks);
  for (Reason r : c.reasons) EXPECT_TRUE(d->reasons.has(r)) << reason_name(r) << " not in " << d->reasons.joined();
}

void slow_edge(Fixture& f, RouteSignals&) {
  f.stats[0]->prefill_tokens_per_s = 100;
  f.stats[0]->decode_tokens_per_s = 2;  // 256 tokens: two minutes
  f.stats[1]->ttft_ms = 300;
  f.stats[1]->decode_tokens_per_s = 100;
}

INSTANTIATE_TEST_SUITE_P(
    Policy, RouterTable,
    ::testing::Values(
        Case{"auto_goes_to_default_tier_first", "  default_tier: edge\n", chat("auto", "hi"),
             nullptr, "edge", {"cloud"}, {Reason::kDefault}},
        Case{"default_cloud_falls_back_to_edge", "  default_tier: cloud\n", chat("auto", "hi"),
             nullptr, "cloud", {"edge"}, {Reason::kDefault}},
        Case{"forced_tier_has_no_fallback", "  default_tier: edge\n", chat("cloud", "hi"), nullptr,
             "cloud", {}, {Reason::kForced}},
        Case{"unknown_model_is_a_400", "  default_tier: edge\n", chat("gpt-9", "hi"), nullptr, "",
             {}, {}, ErrorCode::kUnknownModel},
        Case{"fallback_off_means_no_fallbacks", "  default_tier: cloud\n  fallback: false\n",
             chat("auto", "hi"), nullptr, "cloud", {}, {Reason::kDefault}},
        Case{"strict_privacy_pins_to_the_edge", "  default_tier: cloud\n", chat("auto", "hi"),
             [](Fixture&, RouteSignals& s) { s.privacy = privacy::PrivacyAction::kPinTrusted; },
             "edge", {}, {Reason::kPrivacyPinned}},
        Case{"strict_privacy_refuses_a_forced_cloud", "  default_tier: edge\n", chat("cloud", "hi"),
             [](Fixture&, RouteSignals& s) { s.privacy = privacy::PrivacyAction::kPinTrusted; },
             "", {}, {}, ErrorCode::kForbidden},
        Case{"redact_marks_untrusted_attempts", "  default_tier: cloud\n", chat("auto", "hi"),
             [](Fixture&, RouteSignals& s) { s.privacy = privacy::PrivacyAction::kRedact; },
             "cloud", {"edge"}, {Reason::kPrivacyRedacted}},
        Case{"too_long_for_the_edge_goes_to_the_cloud", "  default_tier: edge\n",
             chat("auto", kLong), nullptr, "cloud", {}, {Reason::kContextWindow}},
        Case{"too_long_and_private_is_a_400", "  default_tier: edge\n", chat("auto", kLong),
             [](Fixture&, RouteSignals& s) { s.privacy = privacy::PrivacyAction::kPinTrusted; },
             "", {}, {}, ErrorCode::kContextTooLong},
        Case{"max_tokens_counts_against_the_window", "  default_tier: edge\n",
             chat("auto", "hi", R"(,"max_tokens":4000)"), nullptr, "cloud", {},
             {Reason::kContextWindow}},
        Case{"images_need_a_tier_that_reads_them", "  default_tier: edge\n",
             R"({"model":"auto","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:,x"}}]}]})",
             nullptr, "cloud", {}, {Reason::kCapability}},
        Case{"tenant_allow_list", "  default_tier: cloud\n  tenants:\n    acme: { allowed_tiers: [edge] }\n",
             chat("auto", "hi"), [](Fixture&, RouteSignals& s) { s.tenant = "acme"; }, "edge", {},
             {Reason::kTenantPolicy}},
        Case{"tenant_forcing_a_tier_it_may_not_use", "  default_tier: edge\n  tenants:\n    acme: { allowed_tiers: [edge] }\n",
             chat("cloud", "hi"), [](Fixture&, RouteSignals& s) { s.tenant = "acme"; }, "", {}, {},
             ErrorCode::kForbidden},
        Case{"open_circuit_moves_to_the_edge_degraded",
             "  default_tier: cloud\n  circuit_breaker: { consecutive_failures: 1 }\n",
             chat("auto", "hi"),
             [](Fixture& f, RouteSignals&) {
               auto& b = f.router->breaker(1);
               ASSERT_TRUE(b.acquire(Clock::now()));
               b.record_failure(Clock::now());
             },
             "edge", {}, {Reason::kCircuitOpen, Reason::kCloudUnavailable}},
        Case{"every_circuit_open_is_a_503", "  default_tier: cloud\n  circuit_breaker: { consecutive_failures: 1 }\n",
             chat("auto", "hi"),
             [](Fixture& f, RouteSignals&) {
               for (int t : {0, 1}) {
                 auto& b = f.router->breaker(t);
                 ASSERT_TRUE(b.acquire(Clock::now()));
                 b.record_failure(Clock::now());
               }
             },
             "", {}, {}, ErrorCode::kUnavailable},
        Case{"deadline_moves_a_slow_edge_behind", "  default_tier: edge\n", chat("auto", "hi"),
             [](Fixture& f, RouteSignals& s) {
               slow_edge(f, s);
               s.latency_budget_ms = 10'000;
             },
             "cloud", {"edge"}, {Reason::kDeadline}},
        Case{"stream_budget_bounds_ttft_only", "  default_tier: edge\n",
             chat("auto", "hi", R"(,"stream":true)"),
             [](Fixture& f, RouteSignals& s) {
               slow_edge(f, s);
               s.latency_budget_ms = 1'000;
             },
             "edge", {"cloud"}, {Reason::kDefault}},
        Case{"no_tier_meets_the_deadline_fastest_first", "  default_tier: edge\n",
             chat("auto", "hi"),
             [](Fixture& f, RouteSignals& s) {
               slow_edge(f, s);
               s.latency_budget_ms = 50;
             },
             "cloud", {"edge"}, {Reason::kDeadlineUnmeetable}},
        Case{"tenant_default_latency_budget", "  default_tier: edge\n  tenants:\n    fast: { latency_budget_ms: 10000 }\n",
             chat("auto", "hi"),
             [](Fixture& f, RouteSignals& s) {
               slow_edge(f, s);
               s.tenant = "fast";
             },
             "cloud", {"edge"}, {Reason::kDeadline}},
        Case{"queue_wait_counts_for_the_edge", "  default_tier: edge\n", chat("auto", "hi", R"(,"max_tokens":10)"),
             [](Fixture& f, RouteSignals& s) {
               f.stats[0]->prefill_tokens_per_s = 1000;
               f.stats[0]->decode_tokens_per_s = 100;
               f.stats[0]->slots = 2;
               f.stats[0]->active = 2;
               f.stats[0]->queue_length = 20;
               f.stats[0]->request_ms = 1000;  // 21 requests ahead at 2 slots: ~10 s
               f.stats[1]->ttft_ms = 300;
               f.stats[1]->decode_tokens_per_s = 100;
               s.latency_budget_ms = 2000;
             },
             "cloud", {"edge"}, {Reason::kDeadline}},
        Case{"budget_exhausted_keeps_the_tenant_on_the_edge",
             "  default_tier: cloud\n  tenants:\n    acme: { budget: { usd: 0.001, period: day } }\n",
             chat("auto", "hi"),
             [](Fixture& f, RouteSignals& s) {
               s.tenant = "acme";
               auto now = std::chrono::system_clock::now();  // all of it: exhausted at any hour
               f.router->budget("acme")->reserve(0.002, now);
               f.router->budget("acme")->commit(0.002, 0.002, now);
             },
             "edge", {}, {Reason::kBudgetExhausted}},
        Case{"hedging_for_tight_budgets", "  default_tier: edge\n  hedging: { enabled: true, max_budget_ms: 5000 }\n",
             chat("auto", "hi", R"(,"stream":true)"),
             [](Fixture&, RouteSignals& s) { s.latency_budget_ms = 3000; }, "edge", {},
             {Reason::kHedged}},
        Case{"no_hedge_to_a_tier_privacy_forbids", "  default_tier: edge\n  hedging: { enabled: true, max_budget_ms: 5000 }\n",
             chat("auto", "hi", R"(,"stream":true)"),
             [](Fixture&, RouteSignals& s) {
               s.latency_budget_ms = 3000;
               s.privacy = privacy::PrivacyAction::kPinTrusted;
             },
             "edge", {}, {Reason::kPrivacyTrusted}},
        Case{"cascade_from_the_edge", "  default_tier: edge\n  escalation: { enabled: true }\n",
             chat("auto", "hi"), nullptr, "edge", {"cloud"}, {Reason::kCascade}}),
    [](const ::testing::TestParamInfo<Case>& i) { return std::string(i.param.name); });

TEST(Router, HedgePlanNamesTheSecondTier) {
  Fixture f = make(config_yaml("  default_tier: edge\n  hedging: { enabled: true, max_budget_ms: 5000 }\n"));
  RouteSignals s;
  s.latency_budget_ms = 1000;
  auto d = f.router->decide(request(chat("auto", "hi", R"(,"stream":true)")), s);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->hedge_with, 1);
  EXPECT_EQ(d->escalate_to, -1);
  s.privacy = privacy::PrivacyAction::kPinTrusted;
  d = f.router->decide(request(chat("auto", "hi", R"(,"stream":true)")), s);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->hedge_with, -1) << "privacy forbids the cloud: no hedge";
}

TEST(Router, QualitySignalOrdersByComplexity) {
  // A fixed threshold between an easy and a hard prompt's scores.
  Fixture f = make(config_yaml("  default_tier: edge\n  complexity: { threshold: 0.0 }\n"));
  ASSERT_TRUE(f.router);
  const auto* q = f.router->quality();
  ASSERT_NE(q, nullptr);
  const std::string easy = "hi", hard =
      "Which of the following best explains the mechanism of action of beta-lactam antibiotics "
      "against penicillin binding proteins? A) inhibition of transpeptidase B) ribosome C) DNA gyrase D) folate";
  const double se = q->scorer->score(easy), sh = q->scorer->score(hard);
  ASSERT_LT(se, sh) << "the scorer should rank the hard prompt higher";
  Fixture g = make(config_yaml("  default_tier: edge\n  complexity: { threshold: " +
                               std::to_string((se + sh) / 2) + " }\n"));
  RouteSignals s;
  s.record = false;
  auto de = g.router->decide(request(chat("auto", easy)), s);
  auto dh = g.router->decide(request(chat("auto", hard)), s);
  ASSERT_TRUE(de && dh);
  EXPECT_EQ(g.router->tiers()[de->tier].name, "edge");
  EXPECT_TRUE(de->reasons.has(Reason::kComplexityLow));
  EXPECT_EQ(g.router->tiers()[dh->tier].name, "cloud");
  EXPECT_TRUE(dh->reasons.has(Reason::kComplexityHigh));
  EXPECT_TRUE(dh->wanted_cloud);
}

TEST(Router, BudgetPacingRaisesTheThreshold) {
  Fixture f = make(config_yaml(
      "  default_tier: edge\n  complexity: { target_cloud_share: 0.5, drift_correction: false }\n"
      "  tenants:\n    acme: { budget: { usd: 1.0, period: day } }\n"));
  ASSERT_TRUE(f.router);
  RouteSignals s;
  s.record = false;
  s.tenant = "acme";
  const auto body = request(chat("auto", "hi"));
  // 02:00 UTC: a twelfth of the day gone.
  Now now;
  now.wall = std::chrono::floor<std::chrono::days>(now.wall) + std::chrono::hours(2);
  auto before = f.router->decide(body, s, now);
  ASSERT_TRUE(before);
  EXPECT_FALSE(before->reasons.has(Reason::kBudgetPacing));
  // Most of the budget gone this early: the pacer scales the cloud share down.
  f.router->budget("acme")->reserve(0.9, now.wall);
  f.router->budget("acme")->commit(0.9, 0.9, now.wall);
  auto after = f.router->decide(body, s, now);
  ASSERT_TRUE(after);
  ASSERT_LT(after->budget_share_scale, 1);
  EXPECT_GT(after->threshold, before->threshold);
  EXPECT_TRUE(after->reasons.has(Reason::kBudgetPacing));
  EXPECT_NEAR(after->budget_spent_usd, 0.9, 1e-9);
}

TEST(Router, ExplainJsonHasTheContractFields) {
  Fixture f = make(config_yaml("  default_tier: edge\n"));
  RouteSignals s;
  auto d = f.router->decide(request(chat("auto", "hi")), s);
  ASSERT_TRUE(d);
  privacy::PrivacyScan scan;
  const std::string j = explain_json(*f.router, *d, scan, "none");
  for (const char* k : {"\"tier\":\"edge\"", "\"reasons\":[\"default\"]", "\"signals\":{",
                        "\"predictions\":{\"edge\":{", "\"fallbacks\":[\"cloud\"]"})
    EXPECT_NE(j.find(k), std::string::npos) << k << " in " << j;
}

TEST(Router, LearnsTheTypicalAnswerLength) {
  Fixture f = make(config_yaml("  default_tier: edge\n  expected_output_tokens: 300\n"));
  RouteSignals s;
  auto d = f.router->decide(request(chat("auto", "hi")), s);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->output_tokens, 300);
  for (int i = 0; i < 200; ++i) f.router->observe_completion(20);
  d = f.router->decide(request(chat("auto", "hi")), s);
  EXPECT_NEAR(d->output_tokens, 20, 2);
  d = f.router->decide(request(chat("auto", "hi", R"(,"max_tokens":5)")), s);
  EXPECT_EQ(d->output_tokens, 5);
}

}  // namespace
}  // namespace tiergate::route
