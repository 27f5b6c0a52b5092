#include "route/policy/router.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/container/small_vector.hpp>
#include <cmath>

#include "route/policy/predict.h"
#include "route/signals/complexity/calibration.h"
#include "route/signals/complexity/scorer.h"

namespace tiergate::route {
namespace {

// Tier indices, held inline for any likely number of tiers: no allocation per filter.
using TierList = boost::container::small_vector<int, 8>;

// A small list of tier indices that is filtered in place, remembering why tiers left it.
struct Candidates {
  TierList list;
  RouteDecision* d;

  // Drops the tiers `drop` says no to, recording `why`. Returns true when nothing is left (the
  // list is then restored, so the caller can report the error with the original candidates).
  template <typename Pred>
  bool drop_if(Reason why, Pred&& drop) {
    TierList kept;
    const size_t excluded_before = d->excluded.size();
    for (int t : list) {
      if (drop(t))
        d->excluded.push_back({t, why});
      else
        kept.push_back(t);
    }
    if (kept.empty()) {
      d->excluded.resize(excluded_before);
      return true;
    }
    if (kept.size() != list.size()) d->reasons.add(why);
    list = std::move(kept);
    return false;
  }
};

std::string names_of(const std::vector<TierTraits>& tiers, const TierList& list) {
  std::string out;
  for (int t : list) out += (out.empty() ? "'" : ", '") + tiers[t].name + "'";
  return out;
}

}  // namespace

TierTraits traits_of(const config::TierConfig& c, const TierInfo* info) {
  TierTraits t;
  t.name = c.name;
  t.edge = c.edge;
  // Edge tiers run on this machine or next to it: they may see sensitive data.
  t.trusted = c.trusted || c.edge || (info && (info->trusted || info->local));
  t.context_window = info && info->context_window > 0 ? info->context_window : c.context_window;
  t.tools = info ? info->supports_tools : c.supports_tools;
  t.images = info ? info->supports_images : c.supports_images;
  t.json_mode = info ? info->supports_json_mode : c.supports_json_mode;
  t.logprobs = info ? info->supports_logprobs : (c.kind == "embedded" || c.kind == "openai");
  t.price_input_per_mtok = c.price_input_per_mtok;
  t.price_output_per_mtok = c.price_output_per_mtok;
  t.prior = c.latency_prior;
  return t;
}

Result<std::unique_ptr<Router>> Router::create(std::shared_ptr<const config::Config> config,
                                               std::vector<TierTraits> tiers,
                                               std::vector<const TierStats*> stats) {
  std::unique_ptr<Router> r(new Router());
  const auto& rc = config->routing;
  if (rc.complexity) {
    auto q = complexity::load_complexity_signal(*rc.complexity);
    if (!q) {
      Error e = q.error();
      e.message = "routing.complexity: " + e.message;
      return fail(std::move(e));
    }
    r->quality_ = std::move(*q);
  }
  r->tiers_ = std::move(tiers);
  stats.resize(r->tiers_.size(), nullptr);
  for (auto*& s : stats)
    if (!s) s = r->own_stats_.emplace_back(std::make_unique<TierStats>()).get();
  r->stats_ = std::move(stats);
  for (size_t i = 0; i < r->tiers_.size(); ++i) {
    r->breakers_.push_back(std::make_unique<CircuitBreaker>(rc.circuit_breaker));
    if (r->tiers_[i].name == rc.default_tier) r->default_tier_ = static_cast<int>(i);
    if (r->reference_cloud_ < 0 && !r->tiers_[i].edge && r->tiers_[i].paying())
      r->reference_cloud_ = static_cast<int>(i);
  }
  std::map<std::string, BudgetOptions, std::less<>> budgets;
  for (const auto& [name, policy] : rc.tenants)
    if (policy.budget) budgets.emplace(name, *policy.budget);
  r->budgets_ = std::make_unique<BudgetLedger>(budgets);
  r->config_ = std::move(config);
  return r;
}

void Router::observe_completion(int64_t completion_tokens) const {
  if (completion_tokens > 0) update_ema(expected_output_, double(completion_tokens), 0.05);
}

int64_t Router::estimate_prompt_tokens(const api::ChatRequest& request) {
  size_t bytes = 0;
  request.for_each_text([&](const std::string& s) { bytes += s.size(); });
  return static_cast<int64_t>((bytes + 3) / 4) + 4 * static_cast<int64_t>(request.messages.size()) +
         3;
}

Result<RouteDecision> Router::decide(const api::ChatRequest& request, const RouteSignals& signals,
                                     const Now& now) const {
  const auto& rc = config_->routing;
  RouteDecision d;
  Candidates c{{}, &d};

  // 1. Candidates.
  int forced = -1;
  if (request.model != "auto") {
    for (size_t i = 0; i < tiers_.size(); ++i)
      if (tiers_[i].name == request.model) forced = static_cast<int>(i);
    if (forced < 0) {
      std::string known = "auto";
      for (const auto& t : tiers_) known += ", " + t.name;
      return fail(Error::client(
          ErrorCode::kUnknownModel,
          "The model '" + request.model + "' does not exist. Use one of: " + known + "."));
    }
    c.list.push_back(forced);
    d.reasons.add(Reason::kForced);
  }

  const config::TenantPolicy* tenant = nullptr;
  if (auto it = rc.tenants.find(signals.tenant); it != rc.tenants.end()) tenant = &it->second;
  TenantBudget* budget = budgets_->find(signals.tenant);
  Pace pace;
  if (budget) {
    pace = budget->pace(now.wall);
    d.has_budget = true;
    d.budget_spent_usd = pace.spent_usd;
    d.budget_usd = pace.budget_usd;
    d.budget_share_scale = pace.share_scale;
  }

  if (forced < 0) {
    if (quality_) {
      d.complexity = quality_->scorer->score(complexity::scoring_text(request));
      const double base = quality_->current_threshold();
      d.threshold = base;
      if (budget && !pace.exhausted && pace.share_scale < 1 && !quality_->quantiles.empty()) {
        const double paced = complexity::threshold_from_quantiles(
            quality_->quantiles, quality_->target_share * pace.share_scale);
        if (paced > base) {
          d.threshold = paced;
          d.reasons.add(Reason::kBudgetPacing);
        }
      }
      if (signals.record && quality_->tracker) quality_->tracker->record(d.complexity >= base);
      d.wanted_cloud = d.complexity >= d.threshold;
      d.reasons.add(d.wanted_cloud ? Reason::kComplexityHigh : Reason::kComplexityLow);
      for (int pass = 0; pass < 2; ++pass)  // the wanted location first, config order within
        for (size_t i = 0; i < tiers_.size(); ++i)
          if (tiers_[i].edge == (d.wanted_cloud == (pass == 1)))
            c.list.push_back(static_cast<int>(i));
    } else {
      d.wanted_cloud = !tiers_[default_tier_].edge;
      d.reasons.add(Reason::kDefault);
      c.list.push_back(default_tier_);
      for (size_t i = 0; i < tiers_.size(); ++i)
        if (static_cast<int>(i) != default_tier_) c.list.push_back(static_cast<int>(i));
    }
  }

  // 2. Hard constraints.
  if (signals.privacy == privacy::PrivacyAction::kPinTrusted) {
    const int first = c.list.front();
    if (c.drop_if(Reason::kPrivacyPinned, [&](int t) { return !tiers_[t].trusted; }) ||
        (forced >= 0 && !tiers_[forced].trusted)) {
      privacy::PrivacyScan none;
      Error e = privacy::privacy_refusal(signals.privacy_scan ? *signals.privacy_scan : none);
      int trusted = -1;
      for (size_t i = 0; i < tiers_.size() && trusted < 0; ++i)
        if (tiers_[i].trusted) trusted = static_cast<int>(i);
      if (forced >= 0 && trusted >= 0)
        e.message += " The request named the untrusted tier '" + tiers_[forced].name +
                     "'; use 'auto' or a trusted tier such as '" + tiers_[trusted].name + "'.";
      return fail(std::move(e));
    }
    if (c.list.front() == first) {  // the first choice was trusted already
      d.reasons.remove(Reason::kPrivacyPinned);
      d.reasons.add(Reason::kPrivacyTrusted);
    }
  }

  d.prompt_tokens = estimate_prompt_tokens(request);
  const auto limit = request.output_limit();
  {
    const double learned = expected_output_.load(std::memory_order_relaxed);
    d.output_tokens = learned > 0 ? std::llround(learned) : rc.expected_output_tokens;
    if (limit) d.output_tokens = std::min(d.output_tokens, std::max<int64_t>(*limit, 1));
  }
  const int64_t needed = d.prompt_tokens + (limit ? *limit : 0);
  if (c.drop_if(Reason::kContextWindow, [&](int t) {
        return tiers_[t].context_window > 0 && needed > tiers_[t].context_window;
      }))
    return fail(Error::client(
        ErrorCode::kContextTooLong,
        fmt::format("This request needs about {} tokens (prompt and max_tokens), more than the "
                    "context window of {}.",
                    needed, names_of(tiers_, c.list))));
  const bool wants_tools = request.wants_tools(), wants_images = request.has_images(),
             wants_json = request.wants_json_mode(), wants_logprobs = request.logprobs;
  if (c.drop_if(Reason::kCapability, [&](int t) {
        const auto& x = tiers_[t];
        return (wants_tools && !x.tools) || (wants_images && !x.images) ||
               (wants_json && !x.json_mode) || (wants_logprobs && !x.logprobs);
      })) {
    std::string needs;
    if (wants_tools) needs += " tools";
    if (wants_images) needs += " images";
    if (wants_json) needs += " response_format";
    if (wants_logprobs) needs += " logprobs";
    return fail(Error::client(ErrorCode::kInvalidRequest,
                              fmt::format("No tier that may serve this request supports what it "
                                          "uses:{} (tried {}).",
                                          needs, names_of(tiers_, c.list))));
  }
  if (tenant && !tenant->allowed_tiers.empty() && c.drop_if(Reason::kTenantPolicy, [&](int t) {
        return std::find(tenant->allowed_tiers.begin(), tenant->allowed_tiers.end(),
                         tiers_[t].name) == tenant->allowed_tiers.end();
      }))
    return fail(Error::client(
        ErrorCode::kForbidden,
        fmt::format("Tenant '{}' may not use {}.", signals.tenant, names_of(tiers_, c.list))));
  if (budget && pace.exhausted && c.drop_if(Reason::kBudgetExhausted, [&](int t) {
        return !tiers_[t].edge && tiers_[t].paying();
      })) {
    Error e = Error::client(
        ErrorCode::kRateLimited,
        fmt::format("Tenant '{}' has spent its budget of ${:.2f} for this {}, and no edge tier can "
                    "serve this request.",
                    signals.tenant, pace.budget_usd, budget_period_name(budget->options().period)));
    e.retry_after_seconds = 60;
    return fail(std::move(e));
  }
  const bool cloud_first = !tiers_[c.list.front()].edge;
  if (c.drop_if(Reason::kCircuitOpen,
                [&](int t) { return !breakers_[t]->available(now.steady); })) {
    Error e = Error::upstream(
        ErrorCode::kUnavailable,
        fmt::format("Every tier that may serve this request is failing ({}); retry shortly.",
                    names_of(tiers_, c.list)),
        false);
    e.retry_after_seconds = std::max(1, static_cast<int>(std::ceil(rc.circuit_breaker.open_s)));
    return fail(std::move(e));
  }
  if (cloud_first && d.wanted_cloud && tiers_[c.list.front()].edge)
    d.reasons.add(Reason::kCloudUnavailable);

  // 3. Deadline.
  d.latency_budget_ms = signals.latency_budget_ms;
  if (!d.latency_budget_ms && tenant && tenant->latency_budget_ms)
    d.latency_budget_ms = tenant->latency_budget_ms;
  if (!d.latency_budget_ms && rc.latency_budget_ms > 0) d.latency_budget_ms = rc.latency_budget_ms;
  d.budget_on_ttft = request.stream;
  d.predictions.reserve(c.list.size());
  for (int t : c.list) {
    TierPrediction p = predict_latency(t, tiers_[t].edge, tiers_[t].prior, *stats_[t],
                                       d.prompt_tokens, d.output_tokens);
    if (d.latency_budget_ms)
      p.meets_budget = (d.budget_on_ttft ? p.ttft_ms : p.total_ms) <= *d.latency_budget_ms;
    d.predictions.push_back(p);
  }
  if (d.latency_budget_ms && c.list.size() > 1) {
    auto key = [&](const TierPrediction& p) { return d.budget_on_ttft ? p.ttft_ms : p.total_ms; };
    const bool any = std::any_of(d.predictions.begin(), d.predictions.end(),
                                 [](const TierPrediction& p) { return p.meets_budget; });
    if (!any) {
      std::stable_sort(
          d.predictions.begin(), d.predictions.end(),
          [&](const TierPrediction& a, const TierPrediction& b) { return key(a) < key(b); });
      d.reasons.add(Reason::kDeadlineUnmeetable);
    } else if (!std::all_of(d.predictions.begin(), d.predictions.end(),
                            [](const TierPrediction& p) { return p.meets_budget; })) {
      std::stable_partition(d.predictions.begin(), d.predictions.end(),
                            [](const TierPrediction& p) { return p.meets_budget; });
      d.reasons.add(Reason::kDeadline);
      for (const auto& p : d.predictions)
        if (!p.meets_budget) d.excluded.push_back({p.tier, Reason::kDeadline});
    }
    for (size_t i = 0; i < c.list.size(); ++i) c.list[i] = d.predictions[i].tier;
  } else if (d.latency_budget_ms && !d.predictions.front().meets_budget) {
    d.reasons.add(Reason::kDeadlineUnmeetable);
  }

  d.tier = c.list.front();
  if (forced < 0 && rc.fallback) d.fallbacks.assign(c.list.begin() + 1, c.list.end());
  d.estimated_cost_usd = tiers_[d.tier].cost_usd(d.prompt_tokens, d.output_tokens);

  // 4. What may happen while serving.
  if (forced < 0 && !d.fallbacks.empty()) {
    if (rc.hedging.enabled && d.latency_budget_ms &&
        *d.latency_budget_ms <= rc.hedging.max_budget_ms) {
      d.hedge_with = d.fallbacks.front();
      d.fallbacks.erase(d.fallbacks.begin());
      d.reasons.add(Reason::kHedged);
    } else if (rc.escalation.enabled && tiers_[d.tier].edge && tiers_[d.tier].logprobs &&
               request.n.value_or(1) == 1) {
      for (int t : d.fallbacks)
        if (!tiers_[t].edge) {
          d.escalate_to = t;
          d.reasons.add(Reason::kCascade);
          break;
        }
    }
  }
  if (signals.privacy == privacy::PrivacyAction::kRedact) {
    auto untrusted = [&](int t) { return t >= 0 && !tiers_[t].trusted; };
    d.redact = untrusted(d.tier) || untrusted(d.hedge_with) ||
               std::any_of(d.fallbacks.begin(), d.fallbacks.end(), untrusted);
    if (untrusted(d.tier) || untrusted(d.hedge_with)) d.reasons.add(Reason::kPrivacyRedacted);
  }
  return d;
}

}  // namespace tiergate::route
