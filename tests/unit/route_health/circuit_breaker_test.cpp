#include "route/health/circuit_breaker.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "config/yaml_reader.h"

namespace tiergate::route {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// A fake clock: an arbitrary fixed origin plus whatever the test advances.
const Clock::time_point kT0 = Clock::time_point{} + seconds(1'000'000);
Clock::time_point at(double s) {
  return kT0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

BreakerOptions small_options() {
  BreakerOptions o;
  o.consecutive_failures = 3;
  o.error_rate = 0.5;
  o.min_requests = 10;
  o.window_s = 10;
  o.open_s = 5;
  return o;
}

// One request through the breaker: acquire, then the outcome. 'S' success, 'F' failure, 'N'
// neutral.
bool send(CircuitBreaker& b, double t, char outcome) {
  if (!b.acquire(at(t))) return false;
  if (outcome == 'S') b.record_success(at(t));
  if (outcome == 'F') b.record_failure(at(t));
  if (outcome == 'N') b.record_neutral(at(t));
  return true;
}

TEST(CircuitBreaker, StateNames) {
  EXPECT_STREQ(breaker_state_name(BreakerState::kClosed), "closed");
  EXPECT_STREQ(breaker_state_name(BreakerState::kOpen), "open");
  EXPECT_STREQ(breaker_state_name(BreakerState::kHalfOpen), "half_open");
}

// Outcome sequences sent 0.1 s apart (all within one window), and whether the circuit ends open.
TEST(CircuitBreaker, OpensOnConsecutiveFailuresOrErrorRateTable) {
  struct Case {
    const char* name;
    std::string outcomes;
    bool open;
  };
  const Case cases[] = {
      {"three failures in a row", "FFF", true},
      {"two failures in a row", "FF", false},
      {"a success breaks the run", "FFSFF", false},
      {"neutral neither breaks nor extends the run", "FFNF", true},
      {"rate 50% over 10 requests", "SFSFSFSFSF", true},
      {"rate 50% but only 9 requests", "SFSFSFSFS", false},
      {"rate 40% over 10 requests", "SFSSFSSFSF", false},
      {"rate 50% over 12 requests, runs of two", "SSFFSSFFSSFF", true},
      {"all successes", std::string(50, 'S'), false},
      {"neutrals do not count as requests", "SFNNNNNNNNNNSF", false},
  };
  for (const Case& c : cases) {
    CircuitBreaker b(small_options());
    double t = 0;
    for (char o : c.outcomes) {
      send(b, t, o);
      t += 0.1;
    }
    EXPECT_EQ(b.state(at(t)) == BreakerState::kOpen, c.open) << c.name;
    EXPECT_EQ(b.available(at(t)), !c.open) << c.name;
    EXPECT_EQ(b.times_opened(), c.open ? 1u : 0u) << c.name;
  }
}

TEST(CircuitBreaker, ErrorRateNeedsMinRequests) {
  BreakerOptions o = small_options();
  o.consecutive_failures = 1000;  // only the rate rule
  CircuitBreaker b(o);
  // 9 failures out of 9: 100% but below min_requests.
  for (int i = 0; i < 9; ++i) send(b, 0.1 * i, 'F');
  EXPECT_EQ(b.state(at(1)), BreakerState::kClosed);
  send(b, 1.0, 'F');  // the 10th request
  EXPECT_EQ(b.state(at(1)), BreakerState::kOpen);
}

TEST(CircuitBreaker, WindowSlidesOldFailuresForgotten) {
  BreakerOptions o = small_options();
  o.consecutive_failures = 1000;
  CircuitBreaker b(o);
  // 9 failures at t = 0..0.8, then quiet for a full window: they are forgotten.
  for (int i = 0; i < 9; ++i) send(b, 0.1 * i, 'F');
  // One more failure 10.5 s later: the window holds only it (1 request, below min_requests).
  send(b, 10.5, 'F');
  EXPECT_EQ(b.state(at(10.5)), BreakerState::kClosed);
  // Within the window, the rate still counts: 9 more failures among successes reach 10 requests.
  for (int i = 0; i < 8; ++i) send(b, 11 + 0.1 * i, 'S');
  EXPECT_EQ(b.state(at(12)), BreakerState::kClosed);  // 1 failure / 9 requests
  send(b, 12, 'F');                                   // 2 / 10: 20% < 50%
  EXPECT_EQ(b.state(at(12)), BreakerState::kClosed);
}

TEST(CircuitBreaker, WindowKeepsRecentFailures) {
  BreakerOptions o = small_options();
  o.consecutive_failures = 1000;
  CircuitBreaker b(o);
  // 5 failures and 4 successes spread over 8 s: all inside the 10 s window.
  const char* seq = "FSFSFSFSF";
  for (int i = 0; seq[i]; ++i) send(b, i * 1.0, seq[i]);
  EXPECT_EQ(b.state(at(8)), BreakerState::kClosed);    // 9 requests
  send(b, 8.5, 'S');                                   // 10 requests, 5 failures, but a success...
  EXPECT_EQ(b.state(at(8.5)), BreakerState::kClosed);  // ...never trips the breaker
  send(b, 8.6, 'F');                                   // 11 requests, 6 failures: 55%
  EXPECT_EQ(b.state(at(8.6)), BreakerState::kOpen);
}

TEST(CircuitBreaker, OpenTurnsHalfOpenAfterOpenSeconds) {
  CircuitBreaker b(small_options());
  for (int i = 0; i < 3; ++i) send(b, 0, 'F');
  EXPECT_EQ(b.state(at(0)), BreakerState::kOpen);
  EXPECT_FALSE(b.available(at(4.9)));
  EXPECT_FALSE(b.acquire(at(4.9)));
  EXPECT_EQ(b.state(at(4.9)), BreakerState::kOpen);
  EXPECT_EQ(b.state(at(5)), BreakerState::kHalfOpen);
  EXPECT_TRUE(b.available(at(5)));
}

TEST(CircuitBreaker, ExactlyOneProbeGranted) {
  CircuitBreaker b(small_options());
  for (int i = 0; i < 3; ++i) send(b, 0, 'F');
  EXPECT_TRUE(b.acquire(at(6)));
  EXPECT_FALSE(b.available(at(6)));  // probe in flight
  EXPECT_EQ(b.state(at(6)), BreakerState::kHalfOpen);
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(b.acquire(at(6 + i)));
}

TEST(CircuitBreaker, ProbeSuccessCloses) {
  CircuitBreaker b(small_options());
  for (int i = 0; i < 3; ++i) send(b, 0, 'F');
  ASSERT_TRUE(b.acquire(at(6)));
  b.record_success(at(7));
  EXPECT_EQ(b.state(at(7)), BreakerState::kClosed);
  EXPECT_TRUE(b.available(at(7)));
  EXPECT_TRUE(b.acquire(at(7)));
  b.record_success(at(7));
  // Counters were reset: it takes a full run of failures again.
  send(b, 7, 'F');
  send(b, 7, 'F');
  EXPECT_EQ(b.state(at(7)), BreakerState::kClosed);
  send(b, 7, 'F');
  EXPECT_EQ(b.state(at(7)), BreakerState::kOpen);
  EXPECT_EQ(b.times_opened(), 2u);
}

TEST(CircuitBreaker, ProbeFailureReopens) {
  CircuitBreaker b(small_options());
  for (int i = 0; i < 3; ++i) send(b, 0, 'F');
  ASSERT_TRUE(b.acquire(at(6)));
  b.record_failure(at(8));
  EXPECT_EQ(b.state(at(8)), BreakerState::kOpen);
  EXPECT_EQ(b.times_opened(), 2u);
  EXPECT_FALSE(b.acquire(at(12.9)));  // open for another open_s from the probe's failure
  EXPECT_EQ(b.state(at(13)), BreakerState::kHalfOpen);
  EXPECT_TRUE(b.acquire(at(13)));
}

TEST(CircuitBreaker, NeutralReleasesProbe) {
  CircuitBreaker b(small_options());
  for (int i = 0; i < 3; ++i) send(b, 0, 'F');
  ASSERT_TRUE(b.acquire(at(6)));
  EXPECT_FALSE(b.acquire(at(6)));
  b.record_neutral(at(6.5));
  EXPECT_EQ(b.state(at(6.5)), BreakerState::kHalfOpen);
  EXPECT_TRUE(b.available(at(6.5)));
  EXPECT_TRUE(b.acquire(at(6.5)));  // another probe may go
  b.record_success(at(7));
  EXPECT_EQ(b.state(at(7)), BreakerState::kClosed);
}

TEST(CircuitBreaker, LateOutcomesWhileOpenAreIgnored) {
  CircuitBreaker b(small_options());
  // Three requests in flight when the circuit opens; their answers arrive later.
  for (int i = 0; i < 3; ++i) send(b, 0, 'F');
  b.record_success(at(1));  // a late answer of a request sent before opening: not a probe
  EXPECT_EQ(b.state(at(1)), BreakerState::kOpen);
  b.record_failure(at(2));
  EXPECT_EQ(b.times_opened(), 1u);
  EXPECT_EQ(b.state(at(5)), BreakerState::kHalfOpen);
}

TEST(CircuitBreaker, ConcurrentAcquireGrantsExactlyOneProbe) {
  for (int round = 0; round < 50; ++round) {
    CircuitBreaker b(small_options());
    for (int i = 0; i < 3; ++i) send(b, 0, 'F');
    std::atomic<int> granted{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i) {
      threads.emplace_back([&] {
        while (!go.load()) std::this_thread::yield();
        for (int k = 0; k < 100; ++k) {
          (void)b.available(at(6));
          granted += b.acquire(at(6));
        }
      });
    }
    go = true;
    for (auto& t : threads) t.join();
    EXPECT_EQ(granted.load(), 1) << "round " << round;
  }
}

TEST(CircuitBreaker, ConcurrentOutcomesKeepCounts) {
  BreakerOptions o = small_options();
  o.consecutive_failures = 1'000'000;
  o.min_requests = 1'000'000;
  CircuitBreaker b(o);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&b, i] {
      for (int k = 0; k < 2000; ++k) {
        if (b.acquire(at(1))) (i % 2 ? b.record_failure(at(1)) : b.record_success(at(1)));
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(b.state(at(1)), BreakerState::kClosed);
}

std::vector<std::string> parse(const std::string& yaml, BreakerOptions* out) {
  std::vector<std::string> errors;
  config::YamlReader reader(YAML::Load(yaml), "tiers[0].breaker", &errors);
  *out = parse_breaker_options(reader);
  return errors;
}

TEST(CircuitBreaker, ParsesOptions) {
  BreakerOptions o;
  auto errors = parse(
      "{consecutive_failures: 3, error_rate: 0.25, min_requests: 40, window_s: 60, open_s: 2.5}",
      &o);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(o.consecutive_failures, 3);
  EXPECT_DOUBLE_EQ(o.error_rate, 0.25);
  EXPECT_EQ(o.min_requests, 40);
  EXPECT_DOUBLE_EQ(o.window_s, 60);
  EXPECT_DOUBLE_EQ(o.open_s, 2.5);

  errors = parse("{}", &o);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(o.consecutive_failures, BreakerOptions{}.consecutive_failures);
}

TEST(CircuitBreaker, ParseErrorsNameTheKey) {
  struct Case {
    const char* yaml;
    const char* error;
  };
  const Case cases[] = {
      {"{consecutive_failures: 0}", "tiers[0].breaker.consecutive_failures: must be between"},
      {"{error_rate: 1.5}", "tiers[0].breaker.error_rate: must be between"},
      {"{min_requests: x}", "tiers[0].breaker.min_requests: must be an integer"},
      {"{window_s: 0}", "tiers[0].breaker.window_s: must be between"},
      {"{open_s: -1}", "tiers[0].breaker.open_s: must be between"},
      {"{open_seconds: 3}", "tiers[0].breaker.open_seconds"},
  };
  for (const Case& c : cases) {
    BreakerOptions o;
    auto errors = parse(c.yaml, &o);
    ASSERT_EQ(errors.size(), 1u) << c.yaml;
    EXPECT_NE(errors[0].find(c.error), std::string::npos) << errors[0];
  }
}

}  // namespace
}  // namespace tiergate::route
