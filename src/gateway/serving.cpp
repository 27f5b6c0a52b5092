#include "gateway/serving.h"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace tiergate::gateway {

namespace asio = boost::asio;
using asio::awaitable;
using route::Reason;

namespace {

constexpr auto kTryAwait = asio::as_tuple(asio::use_awaitable);
// Watching for the client leaving costs a syscall; a fast answer needs none (a write to a
// vanished client is noticed anyway), so the watch starts only once the request has run a while.
constexpr auto kWatchDisconnectAfter = std::chrono::milliseconds(20);

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

// Does this event decide that its attempt serves (a real token, the end)?
bool is_content(const TierEvent& ev) {
  if (std::holds_alternative<TierDone>(ev) || std::holds_alternative<api::RelayedCompletion>(ev))
    return true;
  const auto* d = std::get_if<api::ChoiceDelta>(&ev);
  return d && (!d->content.empty() || !d->tool_calls_json.empty() || !d->finish_reason.empty());
}

}  // namespace

Serving::Serving(ServingContext context, const route::RouteDecision& decision,
                 ServingRequest request, telemetry::AccessRecord& log, route::ReasonSet& reasons,
                 std::string privacy_header, asio::any_io_executor executor)
    : ctx_(context),
      d_(decision),
      request_(request),
      log_(log),
      reasons_(reasons),
      privacy_header_(std::move(privacy_header)),
      stream_(request.chat.stream),
      sequential_(decision.hedge_with < 0 && decision.escalate_to < 0),
      executor_(std::move(executor)),
      next_(decision.fallbacks.rbegin(), decision.fallbacks.rend()),
      single_try_(next_.empty() && decision.hedge_with < 0 && decision.escalate_to < 0),
      out_(request.chat.stream) {
  attempts_.reserve(ctx_.router.tiers().size());
}

bool Serving::start() {
  if (!start_attempt(d_.tier, d_.escalate_to >= 0) && !start_next()) return false;
  if (d_.hedge_with >= 0) start_attempt(d_.hedge_with, false);
  return true;
}

bool Serving::start_attempt(int t, bool probe) {
  if (client_->gone || attempts_.size() == attempts_.capacity()) return false;
  if (!ctx_.router.breaker(t).acquire(Clock::now())) {
    log_.attempts.push_back(ctx_.router.tiers()[t].name + ":circuit_open");
    return false;
  }
  Attempt& a = attempts_.emplace_back();
  a.tier = t;
  a.probe = probe;
  a.redacted = request_.redacted && !ctx_.router.tiers()[t].trusted;
  // A sequential attempt is built in place, where run() takes it from (one move fewer).
  TierRequest local;
  TierRequest& tr = sequential_ ? pending_request_ : local;
  tr = TierRequest{};
  api::ChatRequest& source = a.redacted ? *request_.redacted : request_.chat;
  tr.chat = single_try_ ? std::move(source) : source;
  if (probe && !tr.chat.logprobs) {
    tr.chat.logprobs = true;
    a.strip_logprobs = true;
  }
  // A cascade probe's tokens are judged one by one, and a redacted answer is restored: both need
  // the answer as deltas. Otherwise a whole completion may go to the client as the tier wrote it.
  tr.relay = !stream_ && !probe && !a.redacted;
  a.cancel = tr.cancel;
  client_->attempts.push_back(tr.cancel);
  ++live_;
  const int index = static_cast<int>(attempts_.size() - 1);
  if (sequential_) {  // run() starts it, inline when the tier can
    pending_ = index;
    return true;
  }
  ctx_.tiers[t]->submit(std::move(tr), std::make_shared<ChannelSink>(channel(), index));
  return true;
}

const std::shared_ptr<EventChannel>& Serving::channel() {
  if (!channel_) channel_ = make_event_channel(executor_);
  return channel_;
}

bool Serving::start_next() {
  while (!next_.empty()) {
    const int t = next_.back();
    next_.pop_back();
    if (start_attempt(t, false)) return true;
  }
  return false;
}

void Serving::drop(Attempt& a, bool healthy) {
  a.live = false;
  --live_;
  a.cancel->request();
  auto& b = ctx_.router.breaker(a.tier);
  healthy ? b.record_success(Clock::now()) : b.record_neutral(Clock::now());
}

void Serving::apply(Attempt& a, TierEvent& ev) {
  if (auto* dl = std::get_if<api::ChoiceDelta>(&ev)) {
    if (a.strip_logprobs) {
      dl->logprobs.clear();
      dl->has_logprobs = false;
    }
    if (first_token_ == Clock::time_point{} &&
        (!dl->content.empty() || !dl->tool_calls_json.empty()))
      first_token_ = Clock::now();
    if (dl->index == 0 && !dl->finish_reason.empty()) log_.finish_reason = dl->finish_reason;
    out_.add(*dl);
  } else if (auto* u = std::get_if<api::Usage>(&ev)) {
    usage_ = *u;
    got_usage_ = true;
  } else if (auto* r = std::get_if<api::RelayedCompletion>(&ev)) {
    if (first_token_ == Clock::time_point{}) first_token_ = Clock::now();
    log_.finish_reason = r->finish_reason;
    usage_ = r->usage;
    got_usage_ = true;
    out_.relay(std::move(*r));
  } else if (std::holds_alternative<TierDone>(ev)) {
    out_.finish();
    a.live = false;
    --live_;
    ctx_.router.breaker(a.tier).record_success(Clock::now());
    done_ = true;
  }
}

void Serving::commit(int index) {
  winner_ = index;
  Attempt& a = attempts_[index];
  if (escalating_ >= 0 && index != escalating_) {
    reasons_.add(Reason::kEscalated);
    log_.escalated = true;
    ctx_.metrics.tier(attempts_[escalating_].tier)
        .escalated_from.fetch_add(1, std::memory_order_relaxed);
  }
  out_.restore_with(a.redacted ? request_.redactor : nullptr);
  out_.set_meta({log_.request_id,
                 std::chrono::duration_cast<std::chrono::seconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count(),
                 ctx_.tiers[a.tier]->info().model});
  for (size_t i = 0; i < attempts_.size(); ++i)
    if (static_cast<int>(i) != index && attempts_[i].live) drop(attempts_[i], false);
  if (d_.hedge_with >= 0 && attempts_.size() > 1)
    ctx_.metrics.tier(a.tier).hedges_won.fetch_add(1, std::memory_order_relaxed);
  auto held = std::move(a.held);
  for (auto& ev : held) apply(a, ev);
}

void Serving::on_failure(int index, Error e) {
  Attempt& a = attempts_[index];
  a.live = false;
  --live_;
  auto& b = ctx_.router.breaker(a.tier);
  counts_against_tier(e) ? b.record_failure(Clock::now()) : b.record_neutral(Clock::now());
  if (index == winner_ && stream_ && (wrote_output_ || started_)) {
    error_ = std::move(e);  // after the first byte: the stream ends with an error event
    done_ = true;
    return;
  }
  if (index == winner_) {  // nothing reached the client: start over on another tier
    winner_ = -1;
    out_ = ResponseBuilder(stream_);
    usage_ = {};
    got_usage_ = false;
    first_token_ = {};
  }
  if (e.code != ErrorCode::kCancelled)
    log_.attempts.push_back(ctx_.router.tiers()[a.tier].name + ":" + error_code_name(e.code));
  if (live_ > 0) {
    // A hedge may still answer; an unsure edge kept in reserve serves if nothing else can.
    bool others = false;
    int reserve = -1;
    for (size_t i = 0; i < attempts_.size(); ++i) {
      if (!attempts_[i].live) continue;
      if (attempts_[i].standby)
        reserve = static_cast<int>(i);
      else
        others = true;
    }
    if (others || reserve < 0) return;
    if (start_next()) return;
    attempts_[reserve].standby = false;
    commit(reserve);
    return;
  }
  if (ctx_.routing.fallback && worth_another_tier(e) && start_next()) {
    reasons_.add(Reason::kFallback);
    ctx_.metrics.tier(a.tier).fallbacks_from.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  error_ = std::move(e);
  done_ = true;
}

void Serving::handle(int index, TierEvent& event) {
  Attempt& a = attempts_[index];
  if (!a.live) return;  // dropped: whatever it still says is ignored
  if (auto* e = std::get_if<Error>(&event)) {
    on_failure(index, std::move(*e));
    return;
  }
  if (winner_ == index) {
    apply(a, event);
    return;
  }
  const bool decisive = is_content(event);
  if (a.probe) {
    // Cascade: the edge's first tokens are held and judged by their mean log-probability.
    const auto* dl = std::get_if<api::ChoiceDelta>(&event);
    if (dl)
      for (const auto& lp : dl->logprobs) {
        a.logprob_sum += lp.logprob;
        ++a.tokens;
      }
    const bool finished =
        std::holds_alternative<TierDone>(event) || (dl && !dl->finish_reason.empty());
    a.held.push_back(std::move(event));
    if (a.tokens < ctx_.routing.escalation.tokens && !finished) return;
    a.probe = false;
    const double mean = a.tokens > 0 ? a.logprob_sum / double(a.tokens) : 0;
    if (a.tokens > 0 && mean < ctx_.routing.escalation.min_mean_logprob && d_.escalate_to >= 0) {
      next_.erase(std::remove(next_.begin(), next_.end(), d_.escalate_to), next_.end());
      // The edge keeps going in reserve: if the cloud fails before answering, its answer serves.
      a.standby = true;
      if (start_attempt(d_.escalate_to, false)) {
        escalating_ = index;
        return;
      }
      a.standby = false;
    }
    commit(index);
    return;
  }
  if (a.standby || !decisive) {
    // An attempt serves from its first real token on: until then (a role-only opening chunk) a
    // failure can still fall back, and when hedged, the first real token wins.
    a.held.push_back(std::move(event));
    return;
  }
  commit(index);  // what it held goes out first, then this
  apply(a, event);
}

bool Serving::degraded(int tier) const {
  return d_.wanted_cloud && ctx_.router.tiers()[tier].edge &&
         (reasons_.has(Reason::kCloudUnavailable) || reasons_.has(Reason::kFallback));
}

http::Headers Serving::headers_for(int tier) const {
  http::Headers h;  // emplaced, not an initializer list: that would copy every value twice
  h.reserve(6);
  h.emplace_back("x-request-id", log_.request_id);
  h.emplace_back("x-tiergate-tier", ctx_.router.tiers()[tier].name);
  h.emplace_back("x-tiergate-reason", reasons_.joined());
  h.emplace_back("x-tiergate-privacy", privacy_header_);
  if (degraded(tier)) h.emplace_back("x-tiergate-degraded", "cloud-unavailable");
  return h;
}

int Serving::served_tier() const {
  return winner_ >= 0 ? attempts_[winner_].tier : attempts_.back().tier;
}

awaitable<void> Serving::write_stream(http::Exchange& ex) {
  std::string& pending = out_.pending();
  if (!started_ && (!pending.empty() || (done_ && !error_))) {
    started_ = true;
    const http::Headers headers = headers_for(attempts_[winner_].tier);
    if (!co_await ex.start_stream(200, headers)) {
      client_gone_ = true;
      client_->leave();
      co_return;
    }
  }
  if (started_ && !pending.empty()) {
    wrote_output_ = true;
    if (!co_await ex.write(pending)) {
      client_gone_ = true;
      client_->leave();
    }
    pending.clear();
  }
}

awaitable<void> Serving::DirectSink::flush() {
  Serving& s = serving_;
  if (s.stream_ && !s.client_gone_ && s.winner_ >= 0) co_await s.write_stream(ex_);
}

awaitable<void> Serving::run(http::Exchange& ex) {
  auto client = client_;
  ex.watch_disconnect([client] { client->leave(); }, kWatchDisconnectAfter);
  while (!done_) {
    if (pending_ >= 0) {
      const int index = std::exchange(pending_, -1);
      Tier& tier = *ctx_.tiers[attempts_[index].tier];
      if (tier.serves_inline()) {
        DirectSink sink(*this, ex, index);
        // The call's own request: a failure's fallback builds the next one in pending_request_
        // while this call is still returning.
        TierRequest request = std::move(pending_request_);
        co_await tier.serve(request, sink);
        // Its terminal event ended the request or chose the next attempt.
        if (!done_ && pending_ < 0) {
          error_ = Error::internal("a tier returned without a terminal event");
          done_ = true;
        }
        continue;
      }
      tier.submit(std::move(pending_request_), std::make_shared<ChannelSink>(channel(), index));
    }
    auto [ec, te] = co_await channel_->async_receive(kTryAwait);
    if (ec) {  // cannot happen while a tier holds a sink; be safe
      error_ = Error::internal("event channel closed");
      break;
    }
    handle(te.attempt, te.event);
    // Drain what is already queued so one write carries it all.
    while (!done_ && pending_ < 0 &&
           channel_->try_receive(
               [&](boost::system::error_code, TaggedEvent e) { handle(e.attempt, e.event); })) {
    }
    if (stream_ && !client_gone_ && winner_ >= 0) co_await write_stream(ex);
  }
  if (channel_) channel_->close();
  for (auto& a : attempts_)
    if (a.live) drop(a, false);
}

}  // namespace tiergate::gateway
