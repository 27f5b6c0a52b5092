// The chat-completion pipeline: parse -> signals -> decide -> serve (serving.h: attempts,
// fallback, cascade, hedging, streaming) -> answer -> account and log.
#include <boost/asio/use_awaitable.hpp>

#include <charconv>
#include <random>

#include "api/openai/json.h"
#include "gateway/app.h"
#include "gateway/response_builder.h"
#include "gateway/serving.h"
#include "route/signals/privacy/policy.h"
#include "route/signals/privacy/redactor.h"

namespace tiergate::gateway {

namespace asio = boost::asio;
using asio::awaitable;
using route::Reason;

namespace {

// chatcmpl- and 24 random hex digits. By hand, like usd(): fmt::format parses its format string
// on every call, about 1,000 instructions each on the request path (callgrind).
std::string new_request_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id = "chatcmpl-";
  id.resize(9 + 24);
  const uint64_t a = rng(), b = rng();
  for (int i = 0; i < 16; ++i) id[9 + i] = kHex[(a >> (60 - 4 * i)) & 15];
  for (int i = 0; i < 8; ++i) id[25 + i] = kHex[(b >> (28 - 4 * i)) & 15];
  return id;
}

// A price in dollars with 8 decimals, for x-tiergate-cost-usd.
std::string usd(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, 8);
  return std::string(buf, r.ec == std::errc() ? r.ptr : buf);
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

  // Serving: one attempt, or several (fallback, escalation, hedge); see serving.h.
  const bool stream = chat.stream;  // serving may move the request out of `chat`
  const bool include_usage = chat.include_usage;
  auto executor = co_await asio::this_coro::executor;
  Serving serving({*router_, tiers_, *metrics_, config_->routing}, d,
                  {chat, redacted ? &*redacted : nullptr, redactor ? &*redactor : nullptr}, log,
                  reasons, std::move(privacy_header), executor);
  if (!serving.start()) {
    // Every planned tier's breaker refused between the decision and now.
    Error e = Error::upstream(ErrorCode::kUnavailable,
                              "Every tier that may serve this request is failing; retry shortly.", false);
    e.retry_after_seconds = std::max(1, static_cast<int>(config_->routing.circuit_breaker.open_s));
    if (budget) budget->commit(d.estimated_cost_usd, 0, std::chrono::system_clock::now());
    log.error_code = error_code_name(e.code);
    const http::Headers error_headers = id_header();
    co_await respond_error(ex, e, error_headers);
    finish_log(http_status(e));
    co_return;
  }
  co_await serving.run(ex);
  const std::optional<Error>& error = serving.error();
  const api::Usage& usage = serving.usage();

  // Account: the serving tier's tokens and cost, against the tenant's budget and all-cloud.
  const int served = serving.served_tier();
  const route::TierTraits& st = router_->tiers()[served];
  telemetry::TierMetrics& tm = metrics_->tier(served);
  log.tier = st.name;
  reasons.for_each([&](Reason r) { log.reasons.emplace_back(route::reason_name(r)); });
  if (const auto* p = d.prediction(served)) {
    log.predicted_ttft_ms = p->ttft_ms;
    log.predicted_total_ms = p->total_ms;
  }
  if (serving.first_token() != Clock::time_point{}) {
    log.ttft_ms = ms_between(start, serving.first_token());
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

  if (serving.client_gone() || (error && error->code == ErrorCode::kCancelled)) {
    ex.abandon();
    finish_log(499);
    co_return;
  }
  log.degraded = serving.degraded(served);
  if (log.degraded) metrics_->degraded().fetch_add(1, std::memory_order_relaxed);
  ResponseBuilder& out = serving.response();
  if (stream && serving.stream_started()) {
    std::string& tail = out.pending();
    if (error) {
      // After the first byte an error cannot change the status: end with an SSE error event and
      // no [DONE], so no client mistakes a cut stream for a finished one.
      metrics_->streams_broken().fetch_add(1, std::memory_order_relaxed);
      tail = "data: " + api::write_error(*error) + "\n\n";
    } else {
      out.end_stream(include_usage, serving.got_usage(), usage);
    }
    co_await ex.write(tail);
    metrics_->count_response(200);
    finish_log(200);
    co_return;
  }
  http::Headers headers = serving.headers_for(served);
  if (error) {
    co_await respond_error(ex, *error, headers);
    finish_log(http_status(*error) == 499 ? 500 : http_status(*error));
    co_return;
  }
  headers.emplace_back("x-tiergate-cost-usd", usd(log.cost_usd));
  std::string body = out.completion(usage);
  metrics_->count_response(200);
  co_await ex.respond(200, std::move(body), "application/json", headers);
  finish_log(200);
}

}  // namespace tiergate::gateway
