#include "telemetry/metrics.h"

#include <fmt/format.h>

namespace tiergate::telemetry {

void atomic_add(std::atomic<double>& a, double v) {
  double old = a.load(std::memory_order_relaxed);
  while (!a.compare_exchange_weak(old, old + v, std::memory_order_relaxed)) {
  }
}

void Histogram::observe(double seconds) {
  size_t i = 0;
  while (i < kBounds.size() && seconds > kBounds[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  atomic_add(sum_, seconds);
}

void Histogram::render(std::string& out, const std::string& name, const std::string& labels) const {
  uint64_t cumulative = 0;
  for (size_t i = 0; i < kBounds.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    out += fmt::format("{}_bucket{{{},le=\"{}\"}} {}\n", name, labels, kBounds[i], cumulative);
  }
  cumulative += buckets_[kBounds.size()].load(std::memory_order_relaxed);
  out += fmt::format("{}_bucket{{{},le=\"+Inf\"}} {}\n", name, labels, cumulative);
  out += fmt::format("{}_sum{{{}}} {}\n", name, labels, sum_.load(std::memory_order_relaxed));
  out += fmt::format("{}_count{{{}}} {}\n", name, labels, count_.load(std::memory_order_relaxed));
}

Metrics::Metrics(const std::vector<const Tier*>& tiers) {
  for (const Tier* t : tiers) {
    auto m = std::make_unique<TierMetrics>();
    m->name = t->info().name;
    m->tier = t;
    tiers_.push_back(std::move(m));
  }
}

void Metrics::count_response(int status) {
  size_t cls = static_cast<size_t>(status / 100);
  if (cls < responses_by_class_.size()) responses_by_class_[cls].fetch_add(1, std::memory_order_relaxed);
}

void Metrics::count_privacy(const privacy::PrivacyScan& scan, std::string_view action) {
  scan.for_each_count([&](privacy::EntityType t, uint32_t n) {
    privacy_entities_[static_cast<size_t>(t)].fetch_add(n, std::memory_order_relaxed);
  });
  if (scan.failed) privacy_scan_failures_.fetch_add(1, std::memory_order_relaxed);
  for (size_t i = 0; i < kPrivacyActions.size(); ++i)
    if (kPrivacyActions[i] == action) privacy_actions_[i].fetch_add(1, std::memory_order_relaxed);
}

void Metrics::count_route(route::ReasonSet reasons, int64_t tokens, double cost_usd,
                          double reference_cost_usd) {
  reasons.for_each([&](route::Reason r) {
    const auto i = static_cast<size_t>(r);
    reason_requests_[i].fetch_add(1, std::memory_order_relaxed);
    reason_tokens_[i].fetch_add(static_cast<uint64_t>(tokens), std::memory_order_relaxed);
    atomic_add(reason_cost_[i], cost_usd);
  });
  atomic_add(spent_, cost_usd);
  atomic_add(reference_cost_, reference_cost_usd);
}

std::string Metrics::render() const {
  std::string out;
  out.reserve(8192);
  auto family = [&](const char* name, const char* type, const char* help) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  };
  family("tiergate_http_responses_total", "counter", "HTTP responses by status class.");
  for (size_t c = 1; c < responses_by_class_.size(); ++c)
    out += fmt::format("tiergate_http_responses_total{{class=\"{}xx\"}} {}\n", c,
                       responses_by_class_[c].load(std::memory_order_relaxed));
  family("tiergate_open_connections", "gauge", "Client connections open now.");
  out += fmt::format("tiergate_open_connections {}\n",
                     server_ ? server_->open_connections.load(std::memory_order_relaxed) : 0);
  family("tiergate_connections_refused_total", "counter",
         "New connections refused: over limits.max_connections or limits.max_connections_per_ip.");
  out += fmt::format("tiergate_connections_refused_total{{limit=\"max_connections\"}} {}\n",
                     server_ ? server_->refused_max_connections.load(std::memory_order_relaxed) : 0);
  out += fmt::format("tiergate_connections_refused_total{{limit=\"per_ip\"}} {}\n",
                     server_ ? server_->refused_per_ip.load(std::memory_order_relaxed) : 0);
  family("tiergate_slow_readers_closed_total", "counter",
         "Connections closed because the client read its response slower than "
         "limits.min_send_bytes_per_s (after limits.send_grace_ms).");
  out += fmt::format("tiergate_slow_readers_closed_total {}\n",
                     server_ ? server_->slow_readers_closed.load(std::memory_order_relaxed) : 0);
  family("tiergate_streams_broken_total", "counter",
         "Streams that ended with an SSE error event after the first byte.");
  out += fmt::format("tiergate_streams_broken_total {}\n", streams_broken_.load());

  family("tiergate_privacy_entities_total", "counter",
         "Sensitive entities found in requests, by type (values are never recorded).");
  for (size_t i = 0; i < privacy::kEntityTypeCount; ++i)
    out += fmt::format("tiergate_privacy_entities_total{{type=\"{}\"}} {}\n",
                       privacy::entity_type_name(static_cast<privacy::EntityType>(i)),
                       privacy_entities_[i].load(std::memory_order_relaxed));
  family("tiergate_privacy_actions_total", "counter", "Privacy actions taken on requests.");
  for (size_t i = 0; i < kPrivacyActions.size(); ++i)
    out += fmt::format("tiergate_privacy_actions_total{{action=\"{}\"}} {}\n", kPrivacyActions[i],
                       privacy_actions_[i].load(std::memory_order_relaxed));
  family("tiergate_privacy_scan_failures_total", "counter",
         "Scans that failed; the request was treated as sensitive (fail closed).");
  out += fmt::format("tiergate_privacy_scan_failures_total {}\n", privacy_scan_failures_.load());

  family("tiergate_requests_total", "counter", "Chat completions by tier and outcome.");
  for (const auto& t : tiers_) {
    out += fmt::format("tiergate_requests_total{{tier=\"{}\",outcome=\"ok\"}} {}\n", t->name, t->requests_ok.load());
    out += fmt::format("tiergate_requests_total{{tier=\"{}\",outcome=\"error\"}} {}\n", t->name, t->requests_failed.load());
  }
  family("tiergate_tokens_total", "counter", "Tokens by tier and direction.");
  for (const auto& t : tiers_) {
    out += fmt::format("tiergate_tokens_total{{tier=\"{}\",direction=\"prompt\"}} {}\n", t->name, t->prompt_tokens.load());
    out += fmt::format("tiergate_tokens_total{{tier=\"{}\",direction=\"completion\"}} {}\n", t->name, t->completion_tokens.load());
  }
  family("tiergate_cost_usd_total", "counter", "Spend by tier, from per-token prices.");
  for (const auto& t : tiers_)
    out += fmt::format("tiergate_cost_usd_total{{tier=\"{}\"}} {}\n", t->name, t->cost_usd.load());
  family("tiergate_fallbacks_total", "counter",
         "Attempts on a tier that failed before the first byte, after which another tier was tried.");
  for (const auto& t : tiers_)
    out += fmt::format("tiergate_fallbacks_total{{tier=\"{}\"}} {}\n", t->name, t->fallbacks_from.load());
  family("tiergate_escalations_total", "counter",
         "Cascade: the tier was unsure of its first tokens; another tier answered.");
  for (const auto& t : tiers_)
    out += fmt::format("tiergate_escalations_total{{tier=\"{}\"}} {}\n", t->name, t->escalated_from.load());
  family("tiergate_hedges_won_total", "counter", "Hedged requests, by the tier that answered first.");
  for (const auto& t : tiers_)
    out += fmt::format("tiergate_hedges_won_total{{tier=\"{}\"}} {}\n", t->name, t->hedges_won.load());
  family("tiergate_degraded_total", "counter",
         "Requests that wanted the cloud but were served by the edge (cloud unavailable).");
  out += fmt::format("tiergate_degraded_total {}\n", degraded_.load());
  if (!breakers_.empty()) {
    const auto now = Clock::now();
    family("tiergate_circuit_state", "gauge", "Circuit breaker per tier: 0 closed, 1 open, 2 half-open.");
    for (size_t i = 0; i < breakers_.size() && i < tiers_.size(); ++i)
      out += fmt::format("tiergate_circuit_state{{tier=\"{}\"}} {}\n", tiers_[i]->name,
                         static_cast<int>(breakers_[i]->state(now)));
    family("tiergate_circuit_opened_total", "counter", "Times each tier's circuit opened.");
    for (size_t i = 0; i < breakers_.size() && i < tiers_.size(); ++i)
      out += fmt::format("tiergate_circuit_opened_total{{tier=\"{}\"}} {}\n", tiers_[i]->name,
                         breakers_[i]->times_opened());
  }
  family("tiergate_route_requests_total", "counter", "Served requests by routing reason code.");
  for (size_t i = 0; i < kReasons; ++i)
    out += fmt::format("tiergate_route_requests_total{{reason=\"{}\"}} {}\n", route::kReasonNames[i],
                       reason_requests_[i].load());
  family("tiergate_route_tokens_total", "counter", "Tokens (prompt + completion) by routing reason code.");
  for (size_t i = 0; i < kReasons; ++i)
    out += fmt::format("tiergate_route_tokens_total{{reason=\"{}\"}} {}\n", route::kReasonNames[i],
                       reason_tokens_[i].load());
  family("tiergate_route_cost_usd_total", "counter", "Spend by routing reason code.");
  for (size_t i = 0; i < kReasons; ++i)
    out += fmt::format("tiergate_route_cost_usd_total{{reason=\"{}\"}} {}\n", route::kReasonNames[i],
                       reason_cost_[i].load());
  family("tiergate_all_cloud_cost_usd_total", "counter",
         "What the same tokens would have cost on the reference cloud tier (the first paying cloud tier).");
  out += fmt::format("tiergate_all_cloud_cost_usd_total {}\n", reference_cost_.load());
  family("tiergate_savings_usd_total", "gauge", "All-cloud cost minus actual spend.");
  out += fmt::format("tiergate_savings_usd_total {}\n", reference_cost_.load() - spent_.load());
  family("tiergate_time_to_first_token_seconds", "histogram", "Time to first token by tier.");
  for (const auto& t : tiers_) t->ttft.render(out, "tiergate_time_to_first_token_seconds", fmt::format("tier=\"{}\"", t->name));
  family("tiergate_request_duration_seconds", "histogram", "Total request time by tier.");
  for (const auto& t : tiers_) t->total.render(out, "tiergate_request_duration_seconds", fmt::format("tier=\"{}\"", t->name));

  // Live tier statistics, as the router sees them.
  struct Gauge { const char* name; const char* help; double (*get)(const TierStats&); };
  static const Gauge gauges[] = {
      {"tiergate_tier_queue_length", "Requests waiting for the tier.", [](const TierStats& s) { return double(s.queue_length.load()); }},
      {"tiergate_tier_active", "Requests the tier is serving now.", [](const TierStats& s) { return double(s.active.load()); }},
      {"tiergate_tier_free_kv_cells", "Free KV-cache cells (embedded tiers).", [](const TierStats& s) { return double(s.free_kv_cells.load()); }},
      {"tiergate_tier_prefill_tokens_per_second", "Moving average of prompt processing speed.", [](const TierStats& s) { return s.prefill_tokens_per_s.load(); }},
      {"tiergate_tier_decode_tokens_per_second", "Moving average of generation speed.", [](const TierStats& s) { return s.decode_tokens_per_s.load(); }},
      {"tiergate_tier_ttft_milliseconds", "Moving average of time to first token.", [](const TierStats& s) { return s.ttft_ms.load(); }},
      {"tiergate_tier_rtt_milliseconds", "Moving average of connect round trip.", [](const TierStats& s) { return s.rtt_ms.load(); }},
      {"tiergate_tier_ready", "1 if the tier can serve.", nullptr},
  };
  for (const auto& g : gauges) {
    family(g.name, "gauge", g.help);
    for (const auto& t : tiers_) {
      double v = g.get ? g.get(t->tier->stats()) : (t->tier->ready() ? 1.0 : 0.0);
      out += fmt::format("{}{{tier=\"{}\"}} {}\n", g.name, t->name, v);
    }
  }
  return out;
}

}  // namespace tiergate::telemetry
