#pragma once
// A tier serves chat completions: the embedded llama.cpp engine, or an OpenAI-compatible upstream.
// Policy decides which tier serves a request (route/); a tier never reads policy.

#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <variant>
#include <vector>

#include "api/openai/chat.h"
#include "api/openai/json.h"
#include "common/error.h"

namespace tiergate {

using Clock = std::chrono::steady_clock;

// Shared between the caller and the tier: the caller requests cancellation (client gone, deadline,
// hedge lost); the tier registers a hook that aborts its work (closes a socket, frees a sequence).
// Thread-safe.
class Cancellation {
 public:
  bool requested() const { return requested_.load(std::memory_order_acquire); }
  // Runs the hook (once) if set. Callable from any thread.
  void request();
  // Sets the hook; runs it at once if cancellation was already requested. The hook must be cheap
  // and thread-safe: it is called on the thread that requests cancellation.
  void on_cancel(std::function<void()> hook);
  // Drops the hook (the tier finished; what it captured may go away).
  void clear();

 private:
  std::atomic<bool> requested_{false};
  std::mutex mu_;
  std::function<void()> hook_;  // guarded by mu_
};

// What the router asks of a tier.
struct TierRequest {
  api::ChatRequest chat;  // model already mapped to the tier's upstream model by the tier itself
  Clock::time_point deadline = Clock::time_point::max();
  // Non-streaming: the caller takes a whole chat.completion as the upstream wrote it (one
  // api::RelayedCompletion event instead of deltas and usage) when the tier has one. Off when the
  // answer must be changed on the way (placeholders restored, log-probabilities stripped).
  bool relay = false;
  std::shared_ptr<Cancellation> cancel = std::make_shared<Cancellation>();
};

// The events a tier emits for one request, in order: zero or more deltas (and usage), or one
// relayed completion, then exactly one terminal event, Done or an Error. After the first delta an
// Error means the stream broke.
struct TierDone {
  std::string finish_reason;  // of choice 0, for logs
};
using TierEvent =
    std::variant<api::ChoiceDelta, api::Usage, TierDone, Error, api::RelayedCompletion>;

// Receives a request's events. Implemented by the server for each call.
class TierSink {
 public:
  virtual ~TierSink() = default;
  // Called from the tier's thread (an I/O thread or the engine thread), never concurrently for one
  // request. Must not block.
  virtual void on_event(TierEvent event) = 0;
  // Tiers serving in the caller's coroutine (Tier::serve) await this after each batch of events
  // (a read's worth of a stream), so the caller writes them out before the tier reads on.
  virtual boost::asio::awaitable<void> flush() { co_return; }
};

// What a tier says about itself, for /v1/models, capability checks and routing.
struct TierInfo {
  std::string name;
  std::string kind;   // "openai", "embedded"
  std::string model;  // the model it serves
  bool local = false;    // runs on this machine (edge)
  bool trusted = false;  // may see sensitive data (local tiers always may)
  int64_t context_window = 0;  // tokens; 0 = unknown
  bool supports_tools = false;
  bool supports_images = false;
  bool supports_json_mode = false;
  bool supports_logprobs = false;
  double price_input_per_mtok = 0;   // USD per million input tokens
  double price_output_per_mtok = 0;  // USD per million output tokens
};

// Live measurements a tier publishes for latency prediction. Written by the tier, read by the
// router without locks (relaxed atomics: a slightly stale snapshot is fine).
struct TierStats {
  std::atomic<int64_t> queue_length{0};
  std::atomic<int64_t> active{0};
  std::atomic<int64_t> free_kv_cells{-1};       // embedded only; -1 = not applicable
  std::atomic<double> prefill_tokens_per_s{0};  // moving averages; 0 = no sample yet
  std::atomic<double> decode_tokens_per_s{0};
  std::atomic<double> ttft_ms{0};
  std::atomic<double> rtt_ms{0};  // network round trip (connect), upstream tiers
  std::atomic<int64_t> slots{0};  // requests served at once (embedded); 0 = not bounded here
  std::atomic<double> request_ms{0};  // admitted to done, moving average (for queue wait)
  std::atomic<int64_t> requests{0};
  std::atomic<int64_t> failures{0};
};

class Tier {
 public:
  virtual ~Tier() = default;

  virtual const TierInfo& info() const = 0;
  virtual const TierStats& stats() const = 0;

  // Starts serving `request` and returns at once. Every event goes to `sink`, ending with exactly
  // one TierDone or Error, also when the request is cancelled (then Error kCancelled). The tier
  // keeps `sink` alive until that terminal event. Thread-safe: any thread may call it.
  virtual void submit(TierRequest request, std::shared_ptr<TierSink> sink) = 0;

  // True when the tier can also serve within the caller's coroutine: its work is I/O on the
  // caller's event loop (an upstream call), not a thread of its own.
  virtual bool serves_inline() const { return false; }
  // Serves `request` as submit() does, within the caller's coroutine on the caller's event loop,
  // returning after the terminal event: no coroutine of its own, no hop between loops, and the
  // sink outlives the call. `request` is the caller's, alive until the call returns; the tier may
  // move from it (no copy or move of the request per call). Only when serves_inline().
  virtual boost::asio::awaitable<void> serve(TierRequest& request, TierSink& sink);

  // True once the tier can serve (model loaded, upstream configured). For /readyz.
  virtual bool ready() const = 0;

  // Stops accepting work and ends what is running; called once at shutdown.
  virtual void shutdown() {}
};

// Exponential moving average on an atomic: cheap, lock-free, good enough for routing estimates.
inline void update_ema(std::atomic<double>& avg, double sample, double alpha = 0.2) {
  double old = avg.load(std::memory_order_relaxed);
  avg.store(old == 0 ? sample : old + alpha * (sample - old), std::memory_order_relaxed);
}

}  // namespace tiergate
