#include "route/policy/explain.h"

#include "common/json_writer.h"

namespace tiergate::route {

std::string explain_json(const Router& router, const RouteDecision& d,
                         const privacy::PrivacyScan& scan, std::string_view privacy_action) {
  const auto& tiers = router.tiers();
  std::string out;
  JsonWriter w(out);
  w.begin_object().field("tier", tiers[d.tier].name);
  w.key("fallbacks").begin_array();
  for (int t : d.fallbacks) w.value(tiers[t].name);
  w.end_array();
  w.key("reasons").begin_array();
  d.reasons.for_each([&](Reason r) { w.value(reason_name(r)); });
  w.end_array();

  w.key("signals").begin_object();
  w.key("privacy").begin_object().field("action", privacy_action);
  w.key("entities").begin_object();
  scan.for_each_count([&](privacy::EntityType t, uint32_t n) {
    w.dynamic_key(privacy::entity_type_name(t)).value(static_cast<int64_t>(n));
  });
  w.end_object().end_object();
  if (!std::isnan(d.complexity)) {
    w.key("complexity").begin_object().field("score", d.complexity).field("threshold", d.threshold);
    w.field("wants_cloud", d.wanted_cloud).end_object();
  }
  w.field("prompt_tokens_estimate", d.prompt_tokens).field("output_tokens_expected", d.output_tokens);
  if (d.latency_budget_ms) {
    w.key("latency_budget").begin_object().field("ms", *d.latency_budget_ms);
    w.field("bounds", d.budget_on_ttft ? "ttft" : "total").end_object();
  }
  if (d.has_budget) {
    w.key("tenant_budget").begin_object().field("spent_usd", d.budget_spent_usd);
    w.field("budget_usd", d.budget_usd).field("share_scale", d.budget_share_scale).end_object();
  }
  w.field("estimated_cost_usd", d.estimated_cost_usd);
  w.end_object();

  w.key("predictions").begin_object();
  for (const auto& p : d.predictions) {
    w.dynamic_key(tiers[p.tier].name).begin_object();
    w.field("queue_ms", p.queue_ms).field("ttft_ms", p.ttft_ms).field("total_ms", p.total_ms);
    w.field("meets_budget", p.meets_budget).field("measured", p.measured).end_object();
  }
  w.end_object();
  w.key("excluded").begin_array();
  for (const auto& e : d.excluded)
    w.begin_object().field("tier", tiers[e.tier].name).field("reason", reason_name(e.reason)).end_object();
  w.end_array();
  w.key("plan").begin_object();
  if (d.escalate_to >= 0) w.field("cascade_to", tiers[d.escalate_to].name);
  if (d.hedge_with >= 0) w.field("hedge_with", tiers[d.hedge_with].name);
  w.field("redact_for_untrusted", d.redact);
  w.end_object();
  w.end_object();
  return out;
}

}  // namespace tiergate::route
