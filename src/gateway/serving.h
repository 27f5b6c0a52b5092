#pragma once
// Serving one chat completion once its route is decided: the attempts (the chosen tier; the next
// fallback after a failure before the first byte; the cloud after an unsure edge, the edge kept in
// reserve; a hedge, the first real token winning) and the answer going out to the client. Only the
// serving attempt's events reach the client.
//
// Attempts one after another (no hedge, no cascade) run inline when their tier can: the tier's
// call runs within this coroutine and hands each event straight to handle(), with no coroutine, no
// channel and no allocation of its own. Attempts that overlap, and tiers with a thread of their own
// (the embedded engine), send their events tagged on one channel instead.
//
// One per request, on the connection's event loop; every reference it holds outlives it.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/container/small_vector.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/openai/chat.h"
#include "config/config.h"
#include "gateway/response_builder.h"
#include "gateway/tier_channel.h"
#include "http/server.h"
#include "route/policy/router.h"
#include "route/signals/privacy/redactor.h"
#include "telemetry/access_log.h"
#include "telemetry/metrics.h"
#include "tiers/tier.h"

namespace tiergate::gateway {

// What serving reads and updates beyond the request: the App's parts.
struct ServingContext {
  route::Router& router;  // breakers
  const std::vector<std::unique_ptr<Tier>>& tiers;
  telemetry::Metrics& metrics;
  const config::RoutingConfig& routing;
};

// The request as the tiers may see it: `chat` for trusted tiers; `redacted` (placeholders, to be
// restored with `redactor`) for the others when the decision says so. Serving moves out of them.
struct ServingRequest {
  api::ChatRequest& chat;
  api::ChatRequest* redacted = nullptr;
  const privacy::Redactor* redactor = nullptr;
};

class Serving {
 public:
  // `log` and `reasons` are the request's, updated as attempts fail, fall back and escalate.
  Serving(ServingContext context, const route::RouteDecision& decision, ServingRequest request,
          telemetry::AccessRecord& log, route::ReasonSet& reasons, std::string privacy_header,
          boost::asio::any_io_executor executor);
  Serving(const Serving&) = delete;
  Serving& operator=(const Serving&) = delete;

  // Starts the decided tier (and its hedge). False when every planned tier's circuit breaker
  // refused since the decision: nothing runs, the caller answers 503.
  bool start();

  // Runs the attempts until the answer is complete, has failed, or the client has left. A stream
  // is written to `ex` as it comes (head at the first real token); a non-streaming answer is left
  // in response() for the caller. Stops every attempt still running before it returns.
  boost::asio::awaitable<void> run(http::Exchange& ex);

  // After run():
  int served_tier() const;
  bool client_gone() const { return client_gone_ || client_->gone; }
  bool stream_started() const { return started_; }
  const std::optional<Error>& error() const { return error_; }
  const api::Usage& usage() const { return usage_; }
  bool got_usage() const { return got_usage_; }
  Clock::time_point first_token() const { return first_token_; }
  ResponseBuilder& response() { return out_; }
  // The cloud was wanted, but it could not serve and this edge tier did.
  bool degraded(int tier) const;
  // x-request-id and the x-tiergate-* headers for an answer served by `tier`.
  http::Headers headers_for(int tier) const;

 private:
  // The connection's view of the client: when it leaves, every attempt still running is
  // cancelled.
  struct ClientWatch {
    bool gone = false;
    boost::container::small_vector<std::shared_ptr<Cancellation>, 2> attempts;
    void leave() {
      gone = true;
      for (auto& c : attempts) c->request();
    }
  };

  // One try of one tier for this request.
  struct Attempt {
    int tier = -1;
    std::shared_ptr<Cancellation> cancel;
    bool live = true;             // its events still matter
    bool redacted = false;        // the tier saw placeholders: its answer needs restoring
    bool probe = false;           // cascade: held until its first tokens are judged
    bool standby = false;         // cascade: judged unsure, kept in reserve until the cloud answers
    bool strip_logprobs = false;  // asked for logprobs for the cascade; the client did not
    std::vector<TierEvent> held;  // events before the attempt was chosen to serve
    int64_t tokens = 0;           // probe: tokens with a log-probability seen
    double logprob_sum = 0;
  };

  // The sink of an inline attempt: events go to handle() as they come; a stream is written out
  // after each batch, before the tier reads on.
  class DirectSink : public TierSink {
   public:
    DirectSink(Serving& serving, http::Exchange& ex, int attempt)
        : serving_(serving), ex_(ex), attempt_(attempt) {}
    void on_event(TierEvent event) override { serving_.handle(attempt_, event); }
    boost::asio::awaitable<void> flush() override;

   private:
    Serving& serving_;
    http::Exchange& ex_;
    int attempt_;
  };

  bool start_attempt(int tier, bool probe);
  bool start_next();
  // Stops an attempt whose answer is no longer wanted (a hedge that lost, an unsure edge).
  void drop(Attempt& a, bool healthy);
  // An event of the serving attempt.
  void apply(Attempt& a, TierEvent& event);
  // Attempt `index` serves the request from now on: the others stop, its held events go out.
  void commit(int index);
  void on_failure(int index, Error e);
  void handle(int index, TierEvent& event);
  const std::shared_ptr<EventChannel>& channel();
  // Writes what the stream has ready; false when the client is gone.
  boost::asio::awaitable<void> write_stream(http::Exchange& ex);

  ServingContext ctx_;
  const route::RouteDecision& d_;
  ServingRequest request_;
  telemetry::AccessRecord& log_;
  route::ReasonSet& reasons_;
  const std::string privacy_header_;
  const bool stream_;
  const bool sequential_;  // no hedge, no cascade: one attempt at a time
  boost::asio::any_io_executor executor_;
  std::shared_ptr<EventChannel> channel_;  // made when the first attempt needs it
  // Sequential: the attempt to run next (-1: none) and its request.
  int pending_ = -1;
  TierRequest pending_request_;
  std::shared_ptr<ClientWatch> client_ = std::make_shared<ClientWatch>();
  // Each tier is tried at most once: with room for all of them, references stay valid.
  boost::container::small_vector<Attempt, 2> attempts_;
  boost::container::small_vector<int, 4> next_;  // fallbacks left; back() is tried next
  const bool single_try_;
  int live_ = 0;
  int winner_ = -1;
  int escalating_ = -1;  // the unsure edge attempt, while the cloud is asked instead

  ResponseBuilder out_;
  api::Usage usage_;
  bool got_usage_ = false;
  bool done_ = false;
  bool wrote_output_ = false;  // a byte of the answer reached the client: no more fallback
  bool started_ = false;       // streaming: response head sent
  bool client_gone_ = false;
  std::optional<Error> error_;
  Clock::time_point first_token_{};
};

}  // namespace tiergate::gateway
