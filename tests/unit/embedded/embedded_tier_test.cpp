#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "config/config.h"
#include "test_support.h"
#include "tiers/embedded/output_text.h"

namespace tiergate::embedded::testing {
namespace {

class EmbeddedTierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tier_ = make_tier(test_options());
    ASSERT_NE(tier_, nullptr);
  }
  std::unique_ptr<EmbeddedTier> tier_;
};

TEST_F(EmbeddedTierTest, GeneratesTokensWithRoleUsageAndDone) {
  EXPECT_TRUE(tier_->ready());
  EXPECT_EQ(tier_->info().kind, "embedded");
  EXPECT_TRUE(tier_->info().local);
  EXPECT_FALSE(tier_->info().supports_tools);
  EXPECT_EQ(tier_->info().context_window, 512);
  auto sink = run(*tier_, chat("Hello world, tell me a story"));
  ASSERT_FALSE(sink->error()) << sink->error()->message;
  auto deltas = sink->deltas();
  ASSERT_FALSE(deltas.empty());
  EXPECT_EQ(deltas.front().role, "assistant");
  for (size_t i = 1; i < deltas.size(); ++i) EXPECT_TRUE(deltas[i].role.empty());
  EXPECT_FALSE(sink->text().empty());
  ASSERT_TRUE(sink->usage());
  EXPECT_GT(sink->usage()->prompt_tokens, 5);
  EXPECT_EQ(sink->usage()->completion_tokens, 16);
  EXPECT_EQ(deltas.back().finish_reason, "length");
  EXPECT_EQ(sink->finish_reason(), "length");
  EXPECT_EQ(sink->after_terminal(), 0);
  EXPECT_TRUE(std::holds_alternative<TierDone>(sink->events().back()));
  EXPECT_EQ(tier_->stats().requests.load(), 1);
  EXPECT_GT(tier_->stats().ttft_ms.load(), 0);
  EXPECT_GT(tier_->stats().prefill_tokens_per_s.load(), 0);
  EXPECT_GT(tier_->stats().decode_tokens_per_s.load(), 0);
}

TEST_F(EmbeddedTierTest, GreedyIsDeterministic) {
  auto a = run(*tier_, chat("The edge model answers", 32));
  auto b = run(*tier_, chat("The edge model answers", 32));
  EXPECT_FALSE(a->text().empty());
  EXPECT_EQ(a->text(), b->text());
  // A different prompt takes a different path (the model is not constant).
  auto c = run(*tier_, chat("Once upon a time there was a router", 32));
  EXPECT_NE(a->text(), c->text());
}

TEST_F(EmbeddedTierTest, SeededSamplingIsReproducible) {
  auto r1 = chat("pick something", 24, 1.0);
  r1.chat.seed = 7;
  auto r2 = chat("pick something", 24, 1.0);
  r2.chat.seed = 7;
  EXPECT_EQ(run(*tier_, std::move(r1))->text(), run(*tier_, std::move(r2))->text());
}

TEST_F(EmbeddedTierTest, MaxTokensEndsWithLengthAndExactCount) {
  for (int64_t n : {1, 5, 40}) {
    auto r = chat("count", std::nullopt);
    r.chat.max_completion_tokens = n;
    auto sink = run(*tier_, std::move(r));
    ASSERT_TRUE(sink->usage());
    EXPECT_EQ(sink->usage()->completion_tokens, n);
    EXPECT_EQ(sink->finish_reason(), "length");
  }
}

TEST_F(EmbeddedTierTest, StopSequenceEndsGenerationAndIsNotEmitted) {
  const std::string full = run(*tier_, chat("a story about stop words", 48))->text();
  ASSERT_GE(full.size(), 20u) << full;
  // A stop string from the middle of the greedy answer: the answer must end right before it.
  size_t at = 12;
  while (at < full.size() && (static_cast<unsigned char>(full[at]) & 0xC0) == 0x80) ++at;
  size_t end = at + 4;
  while (end < full.size() && (static_cast<unsigned char>(full[end]) & 0xC0) == 0x80) ++end;
  const std::string stop = full.substr(at, end - at);
  auto r = chat("a story about stop words", 48);
  r.chat.stop = {"never-occurs-zz", stop};
  auto sink = run(*tier_, std::move(r));
  EXPECT_EQ(sink->text(), full.substr(0, full.find(stop)));
  EXPECT_EQ(sink->finish_reason(), "stop");
  EXPECT_EQ(sink->text().find(stop), std::string::npos);
}

TEST_F(EmbeddedTierTest, EightConcurrentRequestsAllComplete) {
  const std::string expected = run(*tier_, chat("concurrent 3", 20))->text();
  std::vector<std::shared_ptr<RecordingSink>> sinks;
  for (int i = 0; i < 8; ++i) {
    sinks.push_back(std::make_shared<RecordingSink>());
    tier_->submit(chat("concurrent " + std::to_string(i), 20), sinks.back());
  }
  for (int i = 0; i < 8; ++i) {
    ASSERT_TRUE(sinks[size_t(i)]->wait_done()) << i;
    EXPECT_FALSE(sinks[size_t(i)]->error()) << i;
    EXPECT_EQ(sinks[size_t(i)]->usage()->completion_tokens, 20) << i;
    EXPECT_EQ(sinks[size_t(i)]->after_terminal(), 0);
  }
  // Batched with others, a greedy answer is the same as alone.
  EXPECT_EQ(sinks[3]->text(), expected);
  EXPECT_TRUE(eventually([&] { return tier_->stats().active.load() == 0; }));
  EXPECT_EQ(tier_->stats().free_kv_cells.load(), 512 * 4);
}

TEST_F(EmbeddedTierTest, LongPromptIsPrefilledInChunksWhileOthersStream) {
  // prefill_chunk is 64: a ~400-token prompt takes several steps; a running stream keeps going.
  auto running = std::make_shared<RecordingSink>();
  tier_->submit(chat("running stream", 200), running);
  ASSERT_TRUE(running->wait_deltas(2));
  std::string longtext;
  for (int i = 0; i < 60; ++i) longtext += "the little model ";
  auto sink = run(*tier_, chat(longtext, 4));
  EXPECT_FALSE(sink->error());
  EXPECT_GT(sink->usage()->prompt_tokens, 64 * 3);
  ASSERT_TRUE(running->wait_done());
  EXPECT_EQ(running->usage()->completion_tokens, 200);
}

TEST(EmbeddedTierSlots, CancellationFreesTheSequence) {
  Options o = test_options();
  o.parallel = 1;
  auto tier = make_tier(o);
  ASSERT_NE(tier, nullptr);
  const int64_t total = tier->stats().free_kv_cells.load();
  EXPECT_EQ(total, 512);

  auto r = chat("never ending", 100000);
  auto cancel = r.cancel;
  auto first = std::make_shared<RecordingSink>();
  first->block_at_delta(3);  // holds the engine until the cancel is in
  tier->submit(std::move(r), first);
  ASSERT_TRUE(first->wait_deltas(3));
  EXPECT_TRUE(eventually([&] { return tier->stats().free_kv_cells.load() < total; }));
  cancel->request();
  first->release();
  ASSERT_TRUE(first->wait_done(5s));
  ASSERT_TRUE(first->error());
  EXPECT_EQ(first->error()->code, ErrorCode::kCancelled);
  EXPECT_TRUE(eventually([&] { return tier->stats().free_kv_cells.load() == total; }));
  EXPECT_EQ(tier->stats().active.load(), 0);

  // The only slot is free again: the next request gets it and completes.
  auto next = run(*tier, chat("after the cancel", 8));
  EXPECT_FALSE(next->error());
  EXPECT_EQ(next->usage()->completion_tokens, 8);
  EXPECT_EQ(first->after_terminal(), 0);
}

TEST(EmbeddedTierSlots, DeadlineExpiryEndsTheRequest) {
  Options o = test_options();
  o.parallel = 1;
  auto tier = make_tier(o);
  ASSERT_NE(tier, nullptr);
  auto r = chat("slow answer", 100000);
  r.deadline = Clock::now() + 30ms;
  auto sink = std::make_shared<RecordingSink>();
  sink->set_delay(2ms);  // a slow client: the 512-token answer would take a second
  tier->submit(std::move(r), sink);
  ASSERT_TRUE(sink->wait_done());
  ASSERT_TRUE(sink->error());
  EXPECT_EQ(sink->error()->code, ErrorCode::kUpstreamTimeout);
  EXPECT_TRUE(eventually([&] { return tier->stats().free_kv_cells.load() == 512; }));
}

TEST(EmbeddedTierSlots, FullQueueAnswersRateLimitedAtOnce) {
  Options o = test_options();
  o.parallel = 1;
  o.max_queue = 1;
  auto tier = make_tier(o);
  ASSERT_NE(tier, nullptr);
  auto ra = chat("occupies the slot", 100000);
  auto cancel_a = ra.cancel;
  auto a = std::make_shared<RecordingSink>();
  a->block_at_delta(1);  // holds the engine (and the only slot) until the end of the test
  tier->submit(std::move(ra), a);
  ASSERT_TRUE(a->wait_deltas(1));

  auto rb = chat("waits in the queue", 4);
  auto cancel_b = rb.cancel;
  auto b = std::make_shared<RecordingSink>();
  tier->submit(std::move(rb), b);
  EXPECT_TRUE(eventually([&] { return tier->stats().queue_length.load() == 1; }));

  auto c = std::make_shared<RecordingSink>();
  tier->submit(chat("no room", 4), c);
  ASSERT_TRUE(c->done()) << "a full queue must answer inside submit()";
  ASSERT_TRUE(c->error());
  EXPECT_EQ(c->error()->code, ErrorCode::kRateLimited);
  EXPECT_GE(c->error()->retry_after_seconds, 1);
  EXPECT_TRUE(c->error()->retryable);

  cancel_b->request();  // cancelled while queued
  cancel_a->request();
  a->release();
  ASSERT_TRUE(b->wait_done(5s));
  EXPECT_EQ(b->error()->code, ErrorCode::kCancelled);
  ASSERT_TRUE(a->wait_done(5s));
  EXPECT_EQ(a->error()->code, ErrorCode::kCancelled);
}

TEST_F(EmbeddedTierTest, PromptLongerThanContextIsRejected) {
  std::string huge;
  for (int i = 0; i < 400; ++i) huge += "water people ";
  auto sink = run(*tier_, chat(huge));
  ASSERT_TRUE(sink->error());
  EXPECT_EQ(sink->error()->code, ErrorCode::kContextTooLong);
  EXPECT_NE(sink->error()->message.find("512"), std::string::npos) << sink->error()->message;
  EXPECT_EQ(http_status(*sink->error()), 400);
  // The tier keeps serving.
  EXPECT_FALSE(run(*tier_, chat("short"))->error());
}

TEST(EmbeddedTierContext, GenerationStopsAtTheEndOfTheContext) {
  Options o = test_options();
  o.context_size = 64;
  auto tier = make_tier(o);
  ASSERT_NE(tier, nullptr);
  auto sink = run(*tier, chat("fill the context", 1000));
  ASSERT_FALSE(sink->error());
  EXPECT_EQ(sink->finish_reason(), "length");
  // llama.cpp rounds the context up (to 256 cells); info() reports what a request really gets.
  const int64_t window = tier->info().context_window;
  EXPECT_GE(window, 64);
  // Every cell holds a token; the last sampled token needs none.
  EXPECT_EQ(sink->usage()->prompt_tokens + sink->usage()->completion_tokens, window + 1);
}

TEST_F(EmbeddedTierTest, UnsupportedRequestsAreRefusedClearly) {
  auto r = chat("call a tool");
  r.chat.tools_json = R"([{"type":"function","function":{"name":"f"}}])";
  auto sink = std::make_shared<RecordingSink>();
  tier_->submit(std::move(r), sink);
  ASSERT_TRUE(sink->done());
  EXPECT_EQ(sink->error()->code, ErrorCode::kInvalidRequest);
  EXPECT_NE(sink->error()->message.find("tools"), std::string::npos);

  auto img = chat("look");
  img.chat.messages[0].content.push_back(
      {api::ContentPart::Kind::kOther, "", R"({"type":"image_url"})"});
  EXPECT_EQ(run(*tier_, std::move(img))->error()->code, ErrorCode::kInvalidRequest);
}

TEST_F(EmbeddedTierTest, EveryDeltaIsValidUtf8) {
  // Sampling at high temperature from random weights emits byte-fallback tokens in any order:
  // partial and invalid sequences must never reach the client.
  for (int seed = 1; seed <= 6; ++seed) {
    auto r = chat("日本語 and ünïcödé 😀 text", 64, 2.0);
    r.chat.seed = seed;
    auto sink = run(*tier_, std::move(r));
    ASSERT_FALSE(sink->error());
    for (const auto& d : sink->deltas()) {
      EXPECT_TRUE(is_valid_utf8(d.content)) << "seed " << seed;
      for (const auto& lp : d.logprobs) EXPECT_TRUE(is_valid_utf8(lp.token));
    }
  }
}

TEST_F(EmbeddedTierTest, LogprobsArePresentAndNotPositive) {
  auto r = chat("how confident", 12);
  r.chat.logprobs = true;
  r.chat.top_logprobs = 3;
  auto sink = run(*tier_, std::move(r));
  ASSERT_FALSE(sink->error());
  size_t entries = 0;
  for (const auto& d : sink->deltas()) {
    EXPECT_TRUE(d.has_logprobs);
    for (const auto& lp : d.logprobs) {
      ++entries;
      EXPECT_LE(lp.logprob, 0.0);
      ASSERT_EQ(lp.top.size(), 3u);
      EXPECT_GE(lp.top[0].second, lp.top[1].second);
      EXPECT_GE(lp.top[1].second, lp.top[2].second);
      // Greedy: the chosen token is the most likely one.
      EXPECT_DOUBLE_EQ(lp.logprob, lp.top[0].second);
    }
  }
  EXPECT_EQ(entries, 12u);
  // Without logprobs requested, none are computed.
  for (const auto& d : run(*tier_, chat("plain", 4))->deltas()) EXPECT_FALSE(d.has_logprobs);
}

TEST(EmbeddedTierLoad, MissingFileIsAClearErrorNamingTheFile) {
  Options o = test_options();
  o.model_path = "/nonexistent/dir/edge.gguf";
  config::TierConfig tc;
  tc.name = "edge";
  auto t = EmbeddedTier::create(tc, o);
  ASSERT_FALSE(t.has_value());
  EXPECT_NE(t.error().message.find("/nonexistent/dir/edge.gguf"), std::string::npos);
  EXPECT_NE(t.error().message.find("does not exist"), std::string::npos);
  EXPECT_NE(t.error().message.find("tier 'edge'"), std::string::npos);
}

TEST(EmbeddedTierLoad, CorruptFileIsAClearErrorNamingTheFile) {
  const std::string dir = std::filesystem::path(test_model_path()).parent_path().string();
  const std::string not_gguf = dir + "/not-a-model.gguf";
  std::ofstream(not_gguf) << "this is not a model";
  // A real header cut short: GGUF magic, then garbage.
  const std::string truncated = dir + "/truncated.gguf";
  {
    std::ifstream in(test_model_path(), std::ios::binary);
    std::string head(4096, '\0');
    in.read(head.data(), std::streamsize(head.size()));
    std::ofstream(truncated, std::ios::binary) << head;
  }
  for (const auto& path : {not_gguf, truncated}) {
    Options o = test_options();
    o.model_path = path;
    config::TierConfig tc;
    tc.name = "edge";
    auto t = EmbeddedTier::create(tc, o);
    ASSERT_FALSE(t.has_value()) << path;
    EXPECT_NE(t.error().message.find(path), std::string::npos) << t.error().message;
  }
}

TEST(EmbeddedTierConfig, ValidatesKeysAtConfigTime) {
  auto good = config::load_config_string(R"(
tiers:
  - name: edge
    kind: embedded
    model_path: models/edge.gguf
    parallel: 2
    context_size: 1024
    threads: 2
)");
  ASSERT_TRUE(good.has_value()) << good.error().message;
  const auto& t = (*good)->tiers.at(0);
  EXPECT_FALSE(t.supports_tools);
  EXPECT_TRUE(t.trusted);
  EXPECT_EQ(t.model, "edge");
  const auto* o = static_cast<const Options*>(t.options.get());
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->parallel, 2);
  EXPECT_EQ(o->context_size, 1024);

  auto bad = config::load_config_string(R"(
tiers:
  - name: edge
    kind: embedded
    parallel: 0
    prefill_chunk: 99999
    bogus: 1
)");
  ASSERT_FALSE(bad.has_value());
  const std::string& m = bad.error().message;
  EXPECT_NE(m.find("model_path"), std::string::npos) << m;
  EXPECT_NE(m.find("parallel"), std::string::npos) << m;
  EXPECT_NE(m.find("prefill_chunk"), std::string::npos) << m;
  EXPECT_NE(m.find("bogus"), std::string::npos) << m;
}

TEST(EmbeddedTierShutdown, EndsEveryRequest) {
  auto tier = make_tier(test_options());
  ASSERT_NE(tier, nullptr);
  std::vector<std::shared_ptr<RecordingSink>> sinks;
  for (int i = 0; i < 6; ++i) {
    sinks.push_back(std::make_shared<RecordingSink>());
    sinks.back()->set_delay(1ms);  // slow clients: nothing can finish before the shutdown
    tier->submit(chat("long " + std::to_string(i), 100000), sinks.back());
  }
  ASSERT_TRUE(sinks[0]->wait_deltas(1));
  tier->shutdown();
  for (auto& s : sinks) {
    ASSERT_TRUE(s->done());
    EXPECT_EQ(s->error()->code, ErrorCode::kUnavailable);
  }
  auto late = std::make_shared<RecordingSink>();
  tier->submit(chat("too late"), late);
  ASSERT_TRUE(late->done());
  EXPECT_EQ(late->error()->code, ErrorCode::kUnavailable);
}

// An extra check with a real (tiny) trained model, when it is beside the checkout.
TEST(EmbeddedTierRealModel, Stories260KContinuesAStory) {
  const std::string path = std::string(TIERGATE_SOURCE_DIR) + "/../shared/models/stories260K.gguf";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " not present";
  Options o = test_options();
  o.model_path = path;
  o.chat_template = "raw";  // a base story model: plain text in, continuation out
  auto tier = make_tier(o);
  ASSERT_NE(tier, nullptr);
  auto sink = run(*tier, chat("Once upon a time", 48));
  ASSERT_FALSE(sink->error());
  const std::string text = sink->text();
  EXPECT_GT(text.size(), 40u) << text;
  // Coherent-ish: mostly letters and spaces, and some common story words.
  int letters = 0;
  for (char c : text) letters += std::isalpha(static_cast<unsigned char>(c)) || c == ' ';
  EXPECT_GT(letters, int(text.size() * 8 / 10)) << text;
  std::cout << "[stories260K] Once upon a time" << text << "\n";
}

}  // namespace
}  // namespace tiergate::embedded::testing
