#include "route/health/circuit_breaker.h"

#include <algorithm>
#include <cmath>

#include "config/yaml_reader.h"

namespace tiergate::route {

namespace {

int64_t seconds_to_ns(double s) { return static_cast<int64_t>(std::llround(s * 1e9)); }

// Floor division, so that times before the clock's epoch (fake clocks in tests) bucket correctly.
int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

const char* breaker_state_name(BreakerState state) {
  switch (state) {
    case BreakerState::kClosed:
      return "closed";
    case BreakerState::kOpen:
      return "open";
    case BreakerState::kHalfOpen:
      return "half_open";
  }
  return "unknown";
}

CircuitBreaker::CircuitBreaker(BreakerOptions options)
    : options_(options),
      bucket_ns_(std::max<int64_t>(seconds_to_ns(options.window_s) / kWindowBuckets, 1'000'000)),
      open_ns_(std::max<int64_t>(seconds_to_ns(options.open_s), 0)) {}

int64_t CircuitBreaker::ticks(Clock::time_point now) const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
}

bool CircuitBreaker::available(Clock::time_point now) const {
  if (!open_.load(std::memory_order_acquire)) return true;
  if (ticks(now) < half_open_at_ns_.load(std::memory_order_acquire)) return false;
  return !probe_held_.load(std::memory_order_acquire);
}

BreakerState CircuitBreaker::state(Clock::time_point now) const {
  if (!open_.load(std::memory_order_acquire)) return BreakerState::kClosed;
  return ticks(now) < half_open_at_ns_.load(std::memory_order_acquire) ? BreakerState::kOpen
                                                                       : BreakerState::kHalfOpen;
}

bool CircuitBreaker::acquire(Clock::time_point now) {
  if (!open_.load(std::memory_order_acquire)) return true;
  std::lock_guard lock(mu_);
  if (!open_.load(std::memory_order_relaxed)) return true;  // closed meanwhile
  if (ticks(now) < half_open_at_ns_.load(std::memory_order_relaxed)) return false;
  if (probe_held_.load(std::memory_order_relaxed)) return false;
  probe_held_.store(true, std::memory_order_release);
  return true;
}

void CircuitBreaker::record_success(Clock::time_point now) {
  std::lock_guard lock(mu_);
  if (open_.load(std::memory_order_relaxed)) {
    if (!probe_held_.load(std::memory_order_relaxed)) return;  // a late answer, not the probe
    reset_counts();
    probe_held_.store(false, std::memory_order_release);
    open_.store(false, std::memory_order_release);
    return;
  }
  consecutive_ = 0;
  count(ticks(now), false);
}

void CircuitBreaker::record_failure(Clock::time_point now) {
  std::lock_guard lock(mu_);
  const int64_t t = ticks(now);
  if (open_.load(std::memory_order_relaxed)) {
    if (probe_held_.load(std::memory_order_relaxed)) trip(t);  // the probe failed
    return;
  }
  ++consecutive_;
  count(t, true);
  if (consecutive_ >= options_.consecutive_failures) {
    trip(t);
    return;
  }
  const int64_t current = floor_div(t, bucket_ns_);
  uint64_t requests = 0, failures = 0;
  for (const Bucket& b : window_) {
    if (b.index > current - kWindowBuckets && b.index <= current) {
      requests += b.requests;
      failures += b.failures;
    }
  }
  if (requests >= static_cast<uint64_t>(std::max(options_.min_requests, 1)) &&
      static_cast<double>(failures) >= options_.error_rate * static_cast<double>(requests)) {
    trip(t);
  }
}

void CircuitBreaker::record_neutral(Clock::time_point now) {
  std::lock_guard lock(mu_);
  if (open_.load(std::memory_order_relaxed)) probe_held_.store(false, std::memory_order_release);
}

void CircuitBreaker::count(int64_t now_ns, bool failed) {
  const int64_t index = floor_div(now_ns, bucket_ns_);
  Bucket& b =
      window_[static_cast<size_t>(((index % kWindowBuckets) + kWindowBuckets) % kWindowBuckets)];
  if (b.index != index) b = Bucket{index, 0, 0};
  ++b.requests;
  b.failures += failed;
}

void CircuitBreaker::trip(int64_t now_ns) {
  reset_counts();
  half_open_at_ns_.store(now_ns + open_ns_, std::memory_order_release);
  probe_held_.store(false, std::memory_order_release);
  open_.store(true, std::memory_order_release);
  times_opened_.fetch_add(1, std::memory_order_relaxed);
}

void CircuitBreaker::reset_counts() {
  consecutive_ = 0;
  window_.fill(Bucket{});
}

BreakerOptions parse_breaker_options(config::YamlReader& reader) {
  BreakerOptions o;
  o.consecutive_failures = static_cast<int>(
      reader.integer("consecutive_failures", o.consecutive_failures, 1, 1'000'000));
  o.error_rate = reader.number("error_rate", o.error_rate, 0.01, 1.0);
  o.min_requests = static_cast<int>(reader.integer("min_requests", o.min_requests, 1, 1'000'000));
  o.window_s = reader.number("window_s", o.window_s, 1.0, 86'400.0);
  o.open_s = reader.number("open_s", o.open_s, 0.1, 86'400.0);
  reader.reject_unknown();
  return o;
}

}  // namespace tiergate::route
