#include <gtest/gtest.h>

#include "api/openai/chat.h"
#include "route/signals/complexity/scorer.h"

namespace tiergate::complexity {
namespace {

api::ChatMessage msg(const std::string& role, const std::string& text) {
  api::ChatMessage m;
  m.role = role;
  m.content.push_back(api::ContentPart{api::ContentPart::Kind::kText, text, ""});
  return m;
}

TEST(ComplexityScoringText, LastUserMessageWithSystemPrompt) {
  api::ChatRequest req;
  req.messages = {msg("system", "You are terse."), msg("user", "first question"),
                  msg("assistant", "an answer"), msg("user", "second question")};
  EXPECT_EQ(scoring_text(req), "You are terse.\n\nsecond question");
}

TEST(ComplexityScoringText, UserOnlyAndEmpty) {
  api::ChatRequest req;
  req.messages = {msg("user", "only this")};
  EXPECT_EQ(scoring_text(req), "only this");
  EXPECT_EQ(scoring_text(api::ChatRequest{}), "");
}

TEST(ComplexityScoringText, BoundsHugeMessages) {
  api::ChatRequest req;
  req.messages = {msg("user", std::string(100000, 'x') + "tail")};
  std::string t = scoring_text(req, 1000);
  EXPECT_EQ(t.size(), 1000u);
  EXPECT_EQ(t.substr(t.size() - 4), "tail");
}

}  // namespace
}  // namespace tiergate::complexity
