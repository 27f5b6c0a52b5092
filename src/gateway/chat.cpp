// The chat-completion pipeline: parse -> decide -> dispatch -> stream back (or assemble) -> log.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include <random>

#include "api/openai/json.h"
#include "gateway/app.h"
#include "gateway/tier_channel.h"
#include "http/sse.h"
#include "route/signals/privacy/policy.h"
#include "route/signals/privacy/redactor.h"

namespace tiergate::gateway {

namespace asio = boost::asio;
using asio::awaitable;

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

std::string join(const std::vector<std::string>& v, char sep) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
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

  const http::Headers id_header = {{"x-request-id", log.request_id}};
  auto parsed = api::parse_chat_request(ex.request().body());
  if (!parsed) {
    log.error_code = error_code_name(parsed.error().code);
    co_await respond_error(ex, parsed.error(), id_header);
    finish_log(http_status(parsed.error()));
    co_return;
  }
  api::ChatRequest chat = std::move(*parsed);
  log.requested_model = chat.model;
  log.stream = chat.stream;

  // Privacy signal: every text field is scanned on every request (reported even in mode off).
  const auto& pcfg = config_->routing.privacy;
  // With authentication on, the tenant is the key's; otherwise the client may name one.
  const std::string_view tenant =
      auth_->required() ? std::string_view(authenticated_tenant) : ex.header("x-tiergate-tenant");
  const privacy::PrivacyMode mode =
      privacy::effective_mode(pcfg, tenant, ex.header("x-tiergate-sensitivity"));
  privacy::PrivacyScan scan = scanner_->scan_request(chat);
  route::RouteSignals signals{privacy::decide_privacy_action(mode, scan), &scan};
  log.privacy_entities = privacy::render_counts(scan);

  auto decision = router_->decide(chat, signals);
  // Redaction that fails must not leave a half-redacted request for an untrusted tier: fall back
  // to strict for this request (fail closed).
  std::optional<privacy::Redactor> redactor;
  if (decision && decision->redact) {
    redactor.emplace(scanner_);
    if (auto r = redactor->redact(chat); !r) {
      redactor.reset();
      scan.failed = true;
      signals.privacy = privacy::PrivacyAction::kPinTrusted;
      decision = router_->decide(chat, signals);
    }
  }
  const bool pinned = decision && signals.privacy == privacy::PrivacyAction::kPinTrusted;
  log.privacy_action = !decision && decision.error().code == ErrorCode::kForbidden
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
  Tier& tier = *tiers_[decision->tier];
  telemetry::TierMetrics& tm = metrics_->tier(decision->tier);
  log.tier = tier.info().name;
  log.reasons = decision->reasons;

  const bool stream = chat.stream;
  const bool include_usage = chat.include_usage;
  api::ResponseMeta meta{log.request_id,
                         std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch()).count(),
                         tier.info().model};
  http::Headers headers = {{"x-request-id", log.request_id},
                           {"x-tiergate-tier", tier.info().name},
                           {"x-tiergate-reason", join(decision->reasons, ',')},
                           {"x-tiergate-privacy", privacy_header}};

  auto sink = std::make_shared<ChannelSink>(co_await asio::this_coro::executor);
  TierRequest tr;
  tr.chat = std::move(chat);
  auto cancel = tr.cancel;
  // Watch for the client leaving only once the request has run a while: arming the watch costs a
  // syscall, and a fast answer needs none (a write to a vanished client is noticed anyway).
  asio::steady_timer watch_after(co_await asio::this_coro::executor, kWatchDisconnectAfter);
  watch_after.async_wait([&ex, cancel](boost::system::error_code ec) {
    if (!ec) ex.watch_disconnect([cancel] { cancel->request(); });
  });
  tier.submit(std::move(tr), sink);

  std::vector<api::ChoiceResult> choices;
  api::Usage usage;
  bool got_usage = false;
  bool started = false;  // streaming: response head sent
  bool client_gone = false;
  std::optional<Error> error;
  std::string out;
  Clock::time_point first_token{};
  // Redacted requests: placeholders in the answer become the original values again, per choice;
  // in a stream, a placeholder split across chunks is held back until it is whole.
  std::vector<privacy::StreamRestorer> restorers;
  auto restorer = [&](int index) -> privacy::StreamRestorer& {
    while (restorers.size() <= static_cast<size_t>(index)) restorers.emplace_back(*redactor);
    return restorers[index];
  };

  auto apply = [&](TierEvent& ev) -> bool {  // returns true on the terminal event
    if (auto* d = std::get_if<api::ChoiceDelta>(&ev)) {
      if (first_token == Clock::time_point{} && (!d->content.empty() || !d->tool_calls_json.empty()))
        first_token = Clock::now();
      if (d->index == 0 && !d->finish_reason.empty()) log.finish_reason = d->finish_reason;
      if (redactor && stream) {
        auto& r = restorer(d->index);
        d->content = r.push(d->content);
        if (!d->finish_reason.empty()) d->content += r.finish();
        // Tool-call deltas are separate JSON fragments: restored one by one.
        if (!d->tool_calls_json.empty()) d->tool_calls_json = redactor->restore_json(d->tool_calls_json);
      }
      if (stream) {
        out += "data: ";
        api::write_chunk(out, meta, *d);
        out += "\n\n";
      } else {
        if (static_cast<size_t>(d->index) >= choices.size()) {
          size_t old = choices.size();
          choices.resize(d->index + 1);
          for (size_t i = old; i < choices.size(); ++i) choices[i].index = static_cast<int>(i);
        }
        choices[d->index].append(*d);
      }
      return false;
    }
    if (auto* u = std::get_if<api::Usage>(&ev)) {
      usage = *u;
      got_usage = true;
      return false;
    }
    if (std::get_if<TierDone>(&ev)) {
      // A stream that ended without a finish_reason delta may still hold restored text back.
      for (size_t i = 0; i < restorers.size(); ++i) {
        api::ChoiceDelta tail;
        tail.index = static_cast<int>(i);
        tail.content = restorers[i].finish();
        if (!tail.content.empty() && stream) {
          out += "data: ";
          api::write_chunk(out, meta, tail);
          out += "\n\n";
        }
      }
      return true;
    }
    error = std::get<Error>(std::move(ev));
    return true;
  };

  for (bool terminal = false; !terminal;) {
    auto [ec, ev] = co_await sink->channel().async_receive(kTryAwait);
    if (ec) {  // cannot happen while the tier holds the sink; be safe
      error = Error::internal("event channel closed");
      break;
    }
    terminal = apply(ev);
    // Drain what is already queued so one write carries it all.
    while (!terminal && sink->channel().try_receive([&](boost::system::error_code, TierEvent e) {
      terminal = apply(e);
    })) {
    }
    if (!stream || client_gone) continue;
    if (!started && (!out.empty() || (terminal && !error))) {
      started = true;
      if (!co_await ex.start_stream(200, headers)) {
        client_gone = true;
        cancel->request();
        continue;
      }
    }
    if (started && !out.empty()) {
      if (!co_await ex.write(out)) {
        client_gone = true;
        cancel->request();
      }
      out.clear();
    }
  }
  sink->close();
  watch_after.cancel();

  if (first_token != Clock::time_point{}) {
    log.ttft_ms = ms_between(start, first_token);
    tm.ttft.observe(log.ttft_ms / 1000);
  }
  log.prompt_tokens = usage.prompt_tokens;
  log.completion_tokens = usage.completion_tokens;
  log.cost_usd = (usage.prompt_tokens * tier.info().price_input_per_mtok +
                  usage.completion_tokens * tier.info().price_output_per_mtok) / 1e6;
  tm.prompt_tokens.fetch_add(usage.prompt_tokens, std::memory_order_relaxed);
  tm.completion_tokens.fetch_add(usage.completion_tokens, std::memory_order_relaxed);
  telemetry::atomic_add(tm.cost_usd, log.cost_usd);
  tm.total.observe(ms_between(start, Clock::now()) / 1000);
  (error ? tm.requests_failed : tm.requests_ok).fetch_add(1, std::memory_order_relaxed);
  if (error) log.error_code = error_code_name(error->code);

  if (client_gone || (error && error->code == ErrorCode::kCancelled)) {
    ex.abandon();
    finish_log(499);
    co_return;
  }
  if (stream && started) {
    if (error) {
      // After the first byte an error cannot change the status: end with an SSE error event and
      // no [DONE], so no client mistakes a cut stream for a finished one.
      metrics_->streams_broken().fetch_add(1, std::memory_order_relaxed);
      out = "data: " + api::write_error(*error) + "\n\n";
    } else {
      if (include_usage && got_usage) {
        out += "data: ";
        api::write_usage_chunk(out, meta, usage);
        out += "\n\n";
      }
      out += "data: [DONE]\n\n";
    }
    co_await ex.write(out);
    metrics_->count_response(200);
    finish_log(200);
    co_return;
  }
  if (error) {
    co_await respond_error(ex, *error, headers);
    finish_log(http_status(*error) == 499 ? 500 : http_status(*error));
    co_return;
  }
  headers.emplace_back("x-tiergate-cost-usd", fmt::format("{:.8f}", log.cost_usd));
  if (choices.empty()) choices.emplace_back();
  if (redactor)
    for (auto& c : choices) {
      c.content = redactor->restore(c.content);
      if (!c.tool_calls_json.empty()) c.tool_calls_json = redactor->restore_json(c.tool_calls_json);
    }
  out.clear();
  api::write_completion(out, meta, choices, usage);
  metrics_->count_response(200);
  co_await ex.respond(200, std::move(out), "application/json", headers);
  finish_log(200);
}

}  // namespace tiergate::gateway
