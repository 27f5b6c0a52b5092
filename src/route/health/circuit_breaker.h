#pragma once
// A per-tier circuit breaker: stop sending to a tier that keeps failing, then probe it.
//
//   closed --(N failures in a row, or error rate >= R over the window with >= M requests)--> open
//   open --(open_s passed)--> half-open: exactly one probe request may be sent
//   half-open --probe succeeds--> closed (counters reset)
//   half-open --probe fails--> open for another open_s
//   half-open --probe neutral (client left, client error, cancelled)--> half-open, probe released
//
// Outcomes are not tagged with the request they belong to. While open, a success or failure is
// taken as the probe's outcome only when a probe is held; other outcomes reported while open (late
// answers to requests sent before the circuit opened) are ignored.
//
// The error-rate window is bucketed: kWindowBuckets buckets of window_s / kWindowBuckets, so an
// outcome is forgotten between window_s * (1 - 1/kWindowBuckets) and window_s after it happened.
//
// Time is passed in (`now`) so that tests drive it; nothing here reads a clock.
// Thread-safe: any thread may call any method. available(), state() and the closed-state path of
// acquire() are lock-free reads of atomics; the record_*() calls and the probe hand-out take a
// small mutex.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>

namespace tiergate::config {
class YamlReader;
}

namespace tiergate::route {

using Clock = std::chrono::steady_clock;  // same type as tiergate::Clock (tiers/tier.h)

struct BreakerOptions {
  int consecutive_failures = 5;  // open after this many failures in a row
  double error_rate = 0.5;       // or when failures/requests over the window reach this...
  int min_requests = 20;         // ...with at least this many requests in the window
  double window_s = 30;          // sliding window for the error rate (bucketed)
  double open_s = 10;            // stay open this long, then half-open: one probe request
};

enum class BreakerState : uint8_t { kClosed, kOpen, kHalfOpen };

// "closed", "open", "half_open".
const char* breaker_state_name(BreakerState state);

class CircuitBreaker {
 public:
  static constexpr int kWindowBuckets = 10;

  explicit CircuitBreaker(BreakerOptions options = {});
  CircuitBreaker(const CircuitBreaker&) = delete;
  CircuitBreaker& operator=(const CircuitBreaker&) = delete;

  // May routing pick this tier now? Closed: true. Open: false until open_s has passed, then true as
  // long as no probe is in flight (half-open). Does not change state. Lock-free.
  bool available(Clock::time_point now) const;

  // Called just before a request is sent to the tier. Closed: true. Open (time not up): false.
  // Open with time up / half-open: the first caller claims the single probe (true), others false.
  // A caller that got true must report exactly one record_*() for that request.
  bool acquire(Clock::time_point now);

  // Outcome of an acquired request. A success of the probe closes the circuit (counters reset); a
  // failure of the probe re-opens it for another open_s. Neutral (client left, client error,
  // cancelled) counts for nothing but releases a held probe so another may be sent.
  void record_success(Clock::time_point now);
  void record_failure(Clock::time_point now);
  void record_neutral(Clock::time_point now);

  // kOpen turns kHalfOpen once open_s has passed (whether or not a probe is in flight).
  BreakerState state(Clock::time_point now) const;
  // How many times the circuit went from closed (or half-open) to open.
  uint64_t times_opened() const { return times_opened_.load(std::memory_order_relaxed); }
  const BreakerOptions& options() const { return options_; }

 private:
  struct Bucket {
    int64_t index = -1;  // which bucket-width slice of time this bucket holds
    uint32_t requests = 0;
    uint32_t failures = 0;
  };

  int64_t ticks(Clock::time_point now) const;  // nanoseconds since the clock's epoch
  void count(int64_t now_ns, bool failed);     // REQUIRES: mu_ held
  void trip(int64_t now_ns);                   // REQUIRES: mu_ held
  void reset_counts();                         // REQUIRES: mu_ held

  const BreakerOptions options_;
  const int64_t bucket_ns_;
  const int64_t open_ns_;

  // Read lock-free; written only with mu_ held.
  std::atomic<bool> open_{false};
  std::atomic<int64_t> half_open_at_ns_{0};  // when an open circuit turns half-open
  std::atomic<bool> probe_held_{false};
  std::atomic<uint64_t> times_opened_{0};

  std::mutex mu_;
  int consecutive_ = 0;                        // guarded by mu_
  std::array<Bucket, kWindowBuckets> window_;  // guarded by mu_
};

// Parses a mapping with keys consecutive_failures, error_rate, min_requests, window_s, open_s (all
// optional, defaults as above); range errors go to the reader; unknown keys are rejected.
BreakerOptions parse_breaker_options(config::YamlReader& reader);

}  // namespace tiergate::route
