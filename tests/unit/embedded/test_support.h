#pragma once
// Shared fixtures of the embedded-tier tests: a generated model and a sink that records events.

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tiers/embedded/embedded_tier.h"
#include "tiers/embedded/test_model.h"

namespace tiergate::embedded::testing {

using namespace std::chrono_literals;

// Records every event; checks the contract (exactly one terminal event, nothing after it).
class RecordingSink : public TierSink {
 public:
  void on_event(TierEvent e) override {
    if (delay_.count() > 0) std::this_thread::sleep_for(delay_);
    std::unique_lock lock(mu_);
    if (done_) ++after_terminal_;
    if (std::holds_alternative<TierDone>(e) || std::holds_alternative<Error>(e)) done_ = true;
    if (std::holds_alternative<api::ChoiceDelta>(e)) ++deltas_;
    events_.push_back(std::move(e));
    cv_.notify_all();
    // A test holds the engine thread here to keep a request running for as long as it needs.
    if (deltas_ == block_at_) cv_.wait_for(lock, 10s, [&] { return released_; });
  }

  // Test controls, set before submitting: every event sleeps `d` (a slow client); the engine thread
  // blocks at the n-th delta until release().
  void set_delay(std::chrono::microseconds d) { delay_ = d; }
  void block_at_delta(int n) { block_at_ = n; }
  void release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }

  // False on timeout: tests never hang on a lost event.
  bool wait_done(std::chrono::milliseconds timeout = 30s) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return done_; });
  }
  bool wait_deltas(int n, std::chrono::milliseconds timeout = 30s) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return deltas_ >= n || done_; }) && deltas_ >= n;
  }

  std::vector<TierEvent> events() const {
    std::lock_guard lock(mu_);
    return events_;
  }
  bool done() const {
    std::lock_guard lock(mu_);
    return done_;
  }
  int after_terminal() const {
    std::lock_guard lock(mu_);
    return after_terminal_;
  }
  std::string text() const {
    std::string s;
    for (const auto& e : events())
      if (auto* d = std::get_if<api::ChoiceDelta>(&e)) s += d->content;
    return s;
  }
  std::vector<api::ChoiceDelta> deltas() const {
    std::vector<api::ChoiceDelta> out;
    for (const auto& e : events())
      if (auto* d = std::get_if<api::ChoiceDelta>(&e)) out.push_back(*d);
    return out;
  }
  std::optional<Error> error() const {
    for (const auto& e : events())
      if (auto* err = std::get_if<Error>(&e)) return *err;
    return std::nullopt;
  }
  std::optional<api::Usage> usage() const {
    for (const auto& e : events())
      if (auto* u = std::get_if<api::Usage>(&e)) return *u;
    return std::nullopt;
  }
  std::string finish_reason() const {
    for (const auto& e : events())
      if (auto* d = std::get_if<TierDone>(&e)) return d->finish_reason;
    return {};
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<TierEvent> events_;  // guarded by mu_
  bool done_ = false;              // guarded by mu_
  int deltas_ = 0;                 // guarded by mu_
  int after_terminal_ = 0;         // guarded by mu_
  bool released_ = false;          // guarded by mu_
  int block_at_ = -1;
  std::chrono::microseconds delay_{0};
};

// A temp directory with the generated test model, made once per test binary.
inline const std::string& test_model_path() {
  static const std::string path = [] {
    char tmpl[] = "/tmp/tiergate-embedded-XXXXXX";
    const char* dir = mkdtemp(tmpl);
    EXPECT_NE(dir, nullptr);
    std::string p = std::string(dir ? dir : "/tmp") + "/test.gguf";
    auto st = write_test_model(p);
    EXPECT_TRUE(st.has_value()) << (st ? "" : st.error().message);
    return p;
  }();
  return path;
}

inline Options test_options() {
  Options o;
  o.model_path = test_model_path();
  o.context_size = 512;
  o.parallel = 4;
  o.threads = 1;
  o.batch_size = 256;
  o.ubatch_size = 256;
  o.prefill_chunk = 64;
  o.max_queue = 16;
  o.seed = 1234;
  return o;
}

inline std::unique_ptr<EmbeddedTier> make_tier(const Options& o) {
  config::TierConfig tc;
  tc.name = "edge";
  tc.kind = "embedded";
  tc.model = "test";
  auto tier = EmbeddedTier::create(tc, o);
  EXPECT_TRUE(tier.has_value()) << (tier ? "" : tier.error().message);
  return tier ? std::move(*tier) : nullptr;
}

inline TierRequest chat(const std::string& user, std::optional<int64_t> max_tokens = 16,
                        std::optional<double> temperature = 0.0) {
  TierRequest r;
  api::ChatMessage m;
  m.role = "user";
  m.content.push_back({api::ContentPart::Kind::kText, user, ""});
  r.chat.messages.push_back(m);
  r.chat.max_tokens = max_tokens;
  r.chat.temperature = temperature;
  return r;
}

// Submits and waits for the terminal event.
inline std::shared_ptr<RecordingSink> run(Tier& tier, TierRequest r) {
  auto sink = std::make_shared<RecordingSink>();
  tier.submit(std::move(r), sink);
  EXPECT_TRUE(sink->wait_done()) << "no terminal event within the timeout";
  return sink;
}

// Polls a condition (stats are published asynchronously).
template <typename F>
bool eventually(F&& f, std::chrono::milliseconds timeout = 10s) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (f()) return true;
    std::this_thread::sleep_for(2ms);
  }
  return f();
}

}  // namespace tiergate::embedded::testing
