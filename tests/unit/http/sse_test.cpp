#include "http/sse.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tiergate::http {
namespace {

struct Collected {
  std::vector<std::string> data;
  std::vector<std::string> events;
};

Collected feed_all(const std::vector<std::string>& pieces) {
  Collected c;
  SseParser p;
  for (const auto& piece : pieces)
    EXPECT_TRUE(p.feed(piece, [&](const SseParser::Event& e) {
      c.data.emplace_back(e.data);
      c.events.emplace_back(e.event);
    }));
  return c;
}

TEST(SseParser, SplitsEventsOnBlankLines) {
  auto c = feed_all({"data: {\"a\":1}\n\ndata: [DONE]\n\n"});
  ASSERT_EQ(c.data.size(), 2u);
  EXPECT_EQ(c.data[0], "{\"a\":1}");
  EXPECT_EQ(c.data[1], "[DONE]");
}

TEST(SseParser, HandlesEverySplitPoint) {
  const std::string stream = "data: first\r\n\r\n: comment\n\ndata:second\rdata: more\r\r";
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    auto c = feed_all({stream.substr(0, cut), stream.substr(cut)});
    ASSERT_EQ(c.data.size(), 2u) << "cut at " << cut;
    EXPECT_EQ(c.data[0], "first");
    EXPECT_EQ(c.data[1], "second\nmore") << "cut at " << cut;
  }
}

TEST(SseParser, OneByteAtATime) {
  const std::string stream = "event: x\ndata: a\ndata: b\n\n";
  std::vector<std::string> bytes;
  for (char ch : stream) bytes.emplace_back(1, ch);
  auto c = feed_all(bytes);
  ASSERT_EQ(c.data.size(), 1u);
  EXPECT_EQ(c.data[0], "a\nb");
  EXPECT_EQ(c.events[0], "x");
}

TEST(SseParser, CommentsAndEmptyEventsDispatchNothing) {
  auto c = feed_all({": keep-alive\n\n\n\nid: 3\n\n"});
  EXPECT_TRUE(c.data.empty());
}

TEST(SseParser, ReportsPendingPartialEvent) {
  SseParser p;
  p.feed("data: cut", [](const SseParser::Event&) { FAIL(); });
  EXPECT_TRUE(p.pending());
}

TEST(SseParser, RefusesOversizedEvents) {
  SseParser p(64);
  EXPECT_FALSE(p.feed("data: " + std::string(100, 'x'), [](const SseParser::Event&) {}));
}

TEST(SseFraming, AppendsDataFrame) {
  std::string out;
  append_sse_data(out, "{}");
  EXPECT_EQ(out, "data: {}\n\n");
}

}  // namespace
}  // namespace tiergate::http
