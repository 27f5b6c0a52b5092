// The chat-completion pipeline: parse -> signals -> decide -> serve (attempts: fallback, cascade,
// hedging) -> stream back (or assemble) -> account and log.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include <charconv>
#include <random>

#include "api/openai/json.h"
#include "gateway/app.h"
#include "gateway/response_builder.h"
#include "gateway/tier_channel.h"
#include "route/signals/privacy/policy.h"
#include "route/signals/privacy/redactor.h"

namespace tiergate::gateway {

namespace asio = boost::asio;
using asio::awaitable;
using route::Reason;

namespace {

constexpr auto kTryAwait = asio::as_tuple(asio::use_awaitable);
constexpr auto kWatchDisconnectAfter = std::chrono::milliseconds(20);

std::string new_request_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return fmt::format("chatcmpl-{:016x}{:08x}", rng(), static_cast<uint32_t>(rng()));
}

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

// x-tiergate-latency-budget-ms: a positive number of milliseconds.
Result<std::optional<double>> parse_latency_budget(std::string_view v) {
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  if (v.empty()) return std::optional<double>{};
  double ms = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), ms);
  if (ec != std::errc() || p != v.data() + v.size() || !(ms > 0) || ms > 3'600'000)
    return fail(Error::client(ErrorCode::kInvalidRequest,
                              "x-tiergate-latency-budget-ms must be a number of milliseconds "
                              "between 0 and 3600000."));
  return std::optional<double>(ms);
}

// Does this failure say something about the tier's health (for its circuit breaker)?
bool counts_against_tier(const Error& e) {
  if (e.code == ErrorCode::kCancelled || e.code == ErrorCode::kContextTooLong) return false;
  return e.source != ErrorSource::kClient;
}

// May another tier succeed where this one failed before the first byte?
bool worth_another_tier(const Error& e) {
  if (e.code == ErrorCode::kCancelled) return false;
  return e.retryable || e.code == ErrorCode::kContextTooLong;
}

bool is_content(const TierEvent& ev) {
  if (std::holds_alternative<TierDone>(ev)) return true;
  const auto* d = std::get_if<api::ChoiceDelta>(&ev);
  return d && (!d->content.empty() || !d->tool_calls_json.empty() || !d->finish_reason.empty());
}

// The connection's view of the client: when it leaves, every attempt still running is cancelled.
// Touched only on the connection's event loop.
struct ClientWatch {
  bool gone = false;
  std::vector<std::shared_ptr<Cancellation>> attempts;
  void leave() {
    gone = true;
    for (auto& c : attempts) c->request();
  }
};

// One try of one tier for this request.
struct Attempt {
  int tier = -1;
  std::shared_ptr<Cancellation> cancel;
  bool live = true;       // its events still matter
  bool redacted = false;  // the tier saw placeholders: its answer needs restoring
  bool probe = false;     // cascade: held until its first tokens are judged
  bool standby = false;   // cascade: judged unsure, kept in reserve until the cloud answers
  bool strip_logprobs = false;  // asked for logprobs for the cascade; the client did not
  std::vector<TierEvent> held;  // events before the attempt was chosen to serve
  int64_t tokens = 0;           // probe: tokens with a log-probability seen
  double logprob_sum = 0;
};

}  // namespace

awaitable<void> App::chat_completions(http::Exchange& ex, const std::string& authenticated_tenant) {
  const auto start = Clock::now();
  telemetry::AccessRecord log;
  log.request_id = new_request_id();
  log.method = "POST";
  log.path = "/v1/chat/completions";
  log.tenant = authenticated_tenant;
  auto finish_log = [&](int status) {
    log.status = status;
    log.total_ms = ms_between(start, Clock::now());
    access_log_->write(log);
  };

  auto id_header = [&] {  // only errors need it on its own
    http::Headers h;
    h.emplace_back("x-request-id", log.request_id);
    return h;
  };
  auto parsed = api::parse_chat_request(ex.request().body());
  auto budget_header = parse_latency_budget(ex.header("x-tiergate-latency-budget-ms"));
  if (!parsed || !budget_header) {
    const Error& e = parsed ? budget_header.error() : parsed.error();
    log.error_code = error_code_name(e.code);
    const http::Headers error_headers = id_header();
    co_await respond_error(ex, e, error_headers);
    finish_log(http_status(e));
    co_return;
  }
  api::ChatRequest chat = std::move(*parsed);
  log.requested_model = chat.model;
  log.stream = chat.stream;

  // Signals. Privacy: every text field is scanned on every request (reported even in mode off).
  const auto& pcfg = config_->routing.privacy;
  // With authentication on, the tenant is the key's; otherwise the client may name one.
  const std::string_view tenant =
      auth_->required() ? std::string_view(authenticated_tenant) : ex.header("x-tiergate-tenant");
  if (!auth_->required()) log.tenant = tenant;
  const privacy::PrivacyMode mode =
      privacy::effective_mode(pcfg, tenant, ex.header("x-tiergate-sensitivity"));
  privacy::PrivacyScan scan = scanner_->scan_request(chat);
  route::RouteSignals signals;
  signals.privacy = privacy::decide_privacy_action(mode, scan);
  signals.privacy_scan = &scan;
  signals.tenant = tenant;
  signals.latency_budget_ms = *budget_header;
  log.privacy_entities = privacy::render_counts(scan);

  auto decision = router_->decide(chat, signals);
  // Untrusted tiers get a redacted copy; trusted ones the original. A redaction that fails must
  // not leave a half-redacted request for an untrusted tier: strict for this request (fail closed).
  std::optional<privacy::Redactor> redactor;
  std::optional<api::ChatRequest> redacted;
  if (decision && decision->redact) {
    redactor.emplace(scanner_);
    redacted = chat;
    if (auto r = redactor->redact(*redacted); !r) {
      redactor.reset();
      redacted.reset();
      scan.failed = true;
      signals.privacy = privacy::PrivacyAction::kPinTrusted;
      signals.record = false;
      decision = router_->decide(chat, signals);
    }
  }
  const bool pinned = decision && signals.privacy == privacy::PrivacyAction::kPinTrusted;
  log.privacy_action = !decision && decision.error().code == ErrorCode::kForbidden &&
                               signals.privacy == privacy::PrivacyAction::kPinTrusted
                           ? std::string(privacy::kRefusedActionName)
                           : redactor ? "redacted" : pinned ? "pinned" : "none";
  metrics_->count_privacy(scan, log.privacy_action);
  std::string privacy_header = "action=" + log.privacy_action;
  if (!log.privacy_entities.empty()) privacy_header += "; entities=" + log.privacy_entities;

  if (!decision) {
    log.error_code = error_code_name(decision.error().code);
    const http::Headers refusal_headers = {{"x-request-id", log.request_id},
                                           {"x-tiergate-privacy", privacy_header}};
    co_await respond_error(ex, decision.error(), refusal_headers);
    finish_log(http_status(decision.error()));
    co_return;
  }
  const route::RouteDecision& d = *decision;
  route::ReasonSet reasons = d.reasons;
  if (!std::isnan(d.complexity)) log.complexity = d.complexity;
  if (d.latency_budget_ms) log.latency_budget_ms = *d.latency_budget_ms;
  log.hedged = d.hedge_with >= 0;

  // Spend is reserved now and settled at the end, so concurrent requests see each other.
  route::TenantBudget* budget = router_->budget(tenant);
  if (budget) budget->reserve(d.estimated_cost_usd, std::chrono::system_clock::now());

  // Serving: one attempt, or several (fallback after a failure before the first byte, the cloud
  // after an unsure edge, two at once when hedged). Every attempt's events arrive tagged on one
  // channel; only the serving attempt's reach the client.
  const bool stream = chat.stream;
  const bool include_usage = chat.include_usage;
  const auto& rc = config_->routing;
  auto executor = co_await asio::this_coro::executor;
  auto channel = make_event_channel(executor);
  auto client = std::make_shared<ClientWatch>();
  // Each tier is tried at most once: with room for all of them, references stay valid.
  std::vector<Attempt> attempts;
  attempts.reserve(router_->tiers().size());
  std::vector<int> next(d.fallbacks.rbegin(), d.fallbacks.rend());  // back() is tried next
  const bool single_try = next.empty() && d.hedge_with < 0 && d.escalate_to < 0;
  int live = 0;
  int winner = -1;

  auto start_attempt = [&](int t, bool probe) -> bool {
    if (client->gone || attempts.size() == attempts.capacity()) return false;
    if (!router_->breaker(t).acquire(Clock::now())) {
      log.attempts.push_back(router_->tiers()[t].name + ":circuit_open");
      return false;
    }
    Attempt& a = attempts.emplace_back();
    a.tier = t;
    a.probe = probe;
    a.redacted = redacted && !router_->tiers()[t].trusted;
    TierRequest tr;
    api::ChatRequest& source = a.redacted ? *redacted : chat;
    tr.chat = single_try ? std::move(source) : source;
    if (probe && !tr.chat.logprobs) {
      tr.chat.logprobs = true;
      a.strip_logprobs = true;
    }
    a.cancel = tr.cancel;
    client->attempts.push_back(tr.cancel);
    ++live;
    tiers_[t]->submit(std::move(tr),
                      std::make_shared<ChannelSink>(channel, static_cast<int>(attempts.size() - 1)));
    return true;
  };
  auto start_next = [&]() -> bool {
    while (!next.empty()) {
      const int t = next.back();
      next.pop_back();
      if (start_attempt(t, false)) return true;
    }
    return false;
  };
  // Stops an attempt whose answer is no longer wanted (a hedge that lost, an unsure edge).
  auto drop = [&](Attempt& a, bool healthy) {
    a.live = false;
    --live;
    a.cancel->request();
    auto& b = router_->breaker(a.tier);
    healthy ? b.record_success(Clock::now()) : b.record_neutral(Clock::now());
  };

  if (!start_attempt(d.tier, d.escalate_to >= 0) && !start_next()) {
    // Every planned tier's breaker refused between the decision and now.
    Error e = Error::upstream(ErrorCode::kUnavailable,
                              "Every tier that may serve this request is failing; retry shortly.", false);
    e.retry_after_seconds = std::max(1, static_cast<int>(rc.circuit_breaker.open_s));
    if (budget) budget->commit(d.estimated_cost_usd, 0, std::chrono::system_clock::now());
    log.error_code = error_code_name(e.code);
    const http::Headers error_headers = id_header();
    co_await respond_error(ex, e, error_headers);
    finish_log(http_status(e));
    co_return;
  }
  if (d.hedge_with >= 0) start_attempt(d.hedge_with, false);

  // Watch for the client leaving only once the request has run a while: arming the watch costs a
  // syscall, and a fast answer needs none (a write to a vanished client is noticed anyway).
  ex.watch_disconnect([client] { client->leave(); }, kWatchDisconnectAfter);

  ResponseBuilder out(stream);
  api::Usage usage;
  bool got_usage = false;
  bool done = false;
  bool wrote_output = false;  // a byte of the answer reached the client: no more fallback
  bool started = false;       // streaming: response head sent
  bool client_gone = false;
  std::optional<Error> error;
  Clock::time_point first_token{};

  // Events of the serving attempt.
  auto apply = [&](Attempt& a, TierEvent& ev) {
    if (auto* dl = std::get_if<api::ChoiceDelta>(&ev)) {
      if (a.strip_logprobs) {
        dl->logprobs.clear();
        dl->has_logprobs = false;
      }
      if (first_token == Clock::time_point{} && (!dl->content.empty() || !dl->tool_calls_json.empty()))
        first_token = Clock::now();
      if (dl->index == 0 && !dl->finish_reason.empty()) log.finish_reason = dl->finish_reason;
      out.add(*dl);
    } else if (auto* u = std::get_if<api::Usage>(&ev)) {
      usage = *u;
      got_usage = true;
    } else if (std::holds_alternative<TierDone>(ev)) {
      out.finish();
      a.live = false;
      --live;
      router_->breaker(a.tier).record_success(Clock::now());
      done = true;
    }
  };
  // `a` serves the request from now on: the others stop, its held events go out.
  int escalating = -1;  // the unsure edge attempt, while the cloud is asked instead
  auto commit = [&](int index) {
    winner = index;
    Attempt& a = attempts[index];
    if (escalating >= 0 && index != escalating) {
      reasons.add(Reason::kEscalated);
      log.escalated = true;
      metrics_->tier(attempts[escalating].tier).escalated_from.fetch_add(1, std::memory_order_relaxed);
    }
    out.restore_with(a.redacted ? &*redactor : nullptr);
    out.set_meta({log.request_id,
                  std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch()).count(),
                  tiers_[a.tier]->info().model});
    for (size_t i = 0; i < attempts.size(); ++i)
      if (static_cast<int>(i) != index && attempts[i].live) drop(attempts[i], false);
    if (d.hedge_with >= 0 && attempts.size() > 1)
      metrics_->tier(a.tier).hedges_won.fetch_add(1, std::memory_order_relaxed);
    auto held = std::move(a.held);
    for (auto& ev : held) apply(a, ev);
  };
  auto on_failure = [&](int index, Error e) {
    Attempt& a = attempts[index];
    a.live = false;
    --live;
    auto& b = router_->breaker(a.tier);
    counts_against_tier(e) ? b.record_failure(Clock::now()) : b.record_neutral(Clock::now());
    if (index == winner && stream && (wrote_output || started)) {
      error = std::move(e);  // after the first byte: the stream ends with an error event
      done = true;
      return;
    }
    if (index == winner) {  // nothing reached the client: start over on another tier
      winner = -1;
      out = ResponseBuilder(stream);
      usage = {};
      got_usage = false;
      first_token = {};
    }
    if (e.code != ErrorCode::kCancelled)
      log.attempts.push_back(router_->tiers()[a.tier].name + ":" + error_code_name(e.code));
    if (live > 0) {
      // A hedge may still answer; an unsure edge kept in reserve serves if nothing else can.
      bool others = false;
      int reserve = -1;
      for (size_t i = 0; i < attempts.size(); ++i) {
        if (!attempts[i].live) continue;
        if (attempts[i].standby)
          reserve = static_cast<int>(i);
        else
          others = true;
      }
      if (others || reserve < 0) return;
      if (start_next()) return;
      attempts[reserve].standby = false;
      commit(reserve);
      return;
    }
    if (rc.fallback && worth_another_tier(e) && start_next()) {
      reasons.add(Reason::kFallback);
      metrics_->tier(a.tier).fallbacks_from.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    error = std::move(e);
    done = true;
  };
  auto handle = [&](TaggedEvent& te) {
    const int index = te.attempt;
    Attempt& a = attempts[index];
    if (!a.live) return;  // dropped: whatever it still says is ignored
    if (auto* e = std::get_if<Error>(&te.event)) {
      on_failure(index, std::move(*e));
      return;
    }
    if (winner == index) {
      apply(a, te.event);
      return;
    }
    const bool decisive = is_content(te.event);
    if (a.probe) {
      const auto* dl = std::get_if<api::ChoiceDelta>(&te.event);
      if (dl)
        for (const auto& lp : dl->logprobs) {
          a.logprob_sum += lp.logprob;
          ++a.tokens;
        }
      const bool finished =
          std::holds_alternative<TierDone>(te.event) || (dl && !dl->finish_reason.empty());
      a.held.push_back(std::move(te.event));
      if (a.tokens < rc.escalation.tokens && !finished) return;
      a.probe = false;
      const double mean = a.tokens > 0 ? a.logprob_sum / double(a.tokens) : 0;
      if (a.tokens > 0 && mean < rc.escalation.min_mean_logprob && d.escalate_to >= 0) {
        std::erase(next, d.escalate_to);
        // The edge keeps going in reserve: if the cloud fails before answering, its answer serves.
        a.standby = true;
        if (start_attempt(d.escalate_to, false)) {
          escalating = index;
          return;
        }
        a.standby = false;
      }
      commit(index);
      return;
    }
    a.held.push_back(std::move(te.event));
    if (a.standby) return;
    // An attempt serves from its first real token on: until then (a role-only opening chunk) a
    // failure can still fall back, and when hedged, the first real token wins.
    if (!decisive) return;
    commit(index);
  };

  // The cloud was wanted, but it could not serve and an edge tier did.
  auto degraded = [&](int tier) {
    return d.wanted_cloud && router_->tiers()[tier].edge &&
           (reasons.has(Reason::kCloudUnavailable) || reasons.has(Reason::kFallback));
  };
  auto headers_for = [&](int tier) {
    http::Headers h;  // emplaced, not an initializer list: that would copy every value twice
    h.reserve(6);
    h.emplace_back("x-request-id", log.request_id);
    h.emplace_back("x-tiergate-tier", router_->tiers()[tier].name);
    h.emplace_back("x-tiergate-reason", reasons.joined());
    h.emplace_back("x-tiergate-privacy", privacy_header);
    if (degraded(tier)) h.emplace_back("x-tiergate-degraded", "cloud-unavailable");
    return h;
  };

  while (!done) {
    auto [ec, te] = co_await channel->async_receive(kTryAwait);
    if (ec) {  // cannot happen while a tier holds a sink; be safe
      error = Error::internal("event channel closed");
      break;
    }
    handle(te);
    // Drain what is already queued so one write carries it all.
    while (!done && channel->try_receive([&](boost::system::error_code, TaggedEvent e) {
      handle(e);
    })) {
    }
    if (!stream || client_gone || winner < 0) continue;
    std::string& pending = out.pending();
    if (!started && (!pending.empty() || (done && !error))) {
      started = true;
      if (!co_await ex.start_stream(200, headers_for(attempts[winner].tier))) {
        client_gone = true;
        client->leave();
        continue;
      }
    }
    if (started && !pending.empty()) {
      wrote_output = true;
      if (!co_await ex.write(pending)) {
        client_gone = true;
        client->leave();
      }
      pending.clear();
    }
  }
  channel->close();
  for (auto& a : attempts)
    if (a.live) drop(a, false);

  // Account: the serving tier's tokens and cost, against the tenant's budget and all-cloud.
  const int served = winner >= 0 ? attempts[winner].tier : attempts.back().tier;
  const route::TierTraits& st = router_->tiers()[served];
  telemetry::TierMetrics& tm = metrics_->tier(served);
  log.tier = st.name;
  reasons.for_each([&](Reason r) { log.reasons.emplace_back(route::reason_name(r)); });
  if (const auto* p = d.prediction(served)) {
    log.predicted_ttft_ms = p->ttft_ms;
    log.predicted_total_ms = p->total_ms;
  }
  if (first_token != Clock::time_point{}) {
    log.ttft_ms = ms_between(start, first_token);
    tm.ttft.observe(log.ttft_ms / 1000);
  }
  log.prompt_tokens = usage.prompt_tokens;
  log.completion_tokens = usage.completion_tokens;
  log.cost_usd = st.cost_usd(usage.prompt_tokens, usage.completion_tokens);
  double all_cloud = 0;
  if (const int ref = router_->reference_cloud_tier(); ref >= 0) {
    all_cloud = router_->tiers()[ref].cost_usd(usage.prompt_tokens, usage.completion_tokens);
    log.all_cloud_cost_usd = all_cloud;
  }
  if (budget) budget->commit(d.estimated_cost_usd, log.cost_usd, std::chrono::system_clock::now());
  tm.prompt_tokens.fetch_add(usage.prompt_tokens, std::memory_order_relaxed);
  tm.completion_tokens.fetch_add(usage.completion_tokens, std::memory_order_relaxed);
  telemetry::atomic_add(tm.cost_usd, log.cost_usd);
  tm.total.observe(ms_between(start, Clock::now()) / 1000);
  (error ? tm.requests_failed : tm.requests_ok).fetch_add(1, std::memory_order_relaxed);
  metrics_->count_route(reasons, usage.total(), log.cost_usd, all_cloud);
  if (!error) router_->observe_completion(usage.completion_tokens);
  if (error) log.error_code = error_code_name(error->code);

  if (client_gone || client->gone || (error && error->code == ErrorCode::kCancelled)) {
    ex.abandon();
    finish_log(499);
    co_return;
  }
  log.degraded = degraded(served);
  if (log.degraded) metrics_->degraded().fetch_add(1, std::memory_order_relaxed);
  if (stream && started) {
    std::string& tail = out.pending();
    if (error) {
      // After the first byte an error cannot change the status: end with an SSE error event and
      // no [DONE], so no client mistakes a cut stream for a finished one.
      metrics_->streams_broken().fetch_add(1, std::memory_order_relaxed);
      tail = "data: " + api::write_error(*error) + "\n\n";
    } else {
      out.end_stream(include_usage, got_usage, usage);
    }
    co_await ex.write(tail);
    metrics_->count_response(200);
    finish_log(200);
    co_return;
  }
  http::Headers headers = headers_for(served);
  if (error) {
    co_await respond_error(ex, *error, headers);
    finish_log(http_status(*error) == 499 ? 500 : http_status(*error));
    co_return;
  }
  headers.emplace_back("x-tiergate-cost-usd", fmt::format("{:.8f}", log.cost_usd));
  std::string body = out.completion(usage);
  metrics_->count_response(200);
  co_await ex.respond(200, std::move(body), "application/json", headers);
  finish_log(200);
}

}  // namespace tiergate::gateway
