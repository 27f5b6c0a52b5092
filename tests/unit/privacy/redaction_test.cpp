// Whole-request scanning, redaction, restoration (plain, JSON and streaming) and fail-closed paths.

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "route/signals/privacy/corpus_eval.h"
#include "route/signals/privacy/redactor.h"
#include "test_util.h"

namespace tiergate::privacy {
namespace {

api::ChatMessage text_message(std::string role, std::string text) {
  api::ChatMessage m;
  m.role = std::move(role);
  m.content.push_back(api::ContentPart{api::ContentPart::Kind::kText, std::move(text), {}});
  return m;
}

// One entity in every place a client can put text.
api::ChatRequest request_with_entities_everywhere() {
  api::ChatRequest r;
  r.model = "auto";
  r.messages.push_back(text_message("system", "Escalate to ops@example.com if stuck."));
  r.messages.push_back(
      text_message("user", "My card is 4111 1111 1111 1111, mail me at jane@example.org"));
  api::ChatMessage call;
  call.role = "assistant";
  call.content_is_null = true;
  call.tool_calls_json =
      R"([{"id":"c1","type":"function","function":{"name":"lookup","arguments":"{\"email\":\"jane@example.org\",\"ip\":\"10.1.2.3\"}"}}])";
  r.messages.push_back(call);
  api::ChatMessage tool = text_message("tool", "{\"ssn\": \"123-45-6789\"}");
  tool.tool_call_id = "c1";
  r.messages.push_back(tool);
  r.tools_json =
      R"([{"type":"function","function":{"name":"lookup","description":"Use key AKIAIOSFODNN7EXAMPLE","parameters":{"type":"object"}}}])";
  r.user = "bob@example.net";
  r.extra_json.emplace_back("metadata", R"({"note":"call +44 20 7946 0958"})");
  return r;
}

bool valid_json(const std::string& s) {
  boost::system::error_code ec;
  boost::json::parse(s, ec);
  return !ec;
}

TEST(PrivacyRequest, ScansEveryField) {
  const auto& scanner = testing::default_scanner();
  PrivacyScan scan = scanner.scan_request(request_with_entities_everywhere());
  EXPECT_FALSE(scan.failed);
  EXPECT_EQ(scan.count(EntityType::kEmail), 4u);  // system, user, tool-call args, user field
  EXPECT_EQ(scan.count(EntityType::kCard), 1u);
  EXPECT_EQ(scan.count(EntityType::kIpAddress), 1u);  // tool-call arguments
  EXPECT_EQ(scan.count(EntityType::kSsn), 1u);        // tool result
  EXPECT_EQ(scan.count(EntityType::kApiKey), 1u);     // tool definition
  EXPECT_EQ(scan.count(EntityType::kPhone), 1u);      // pass-through JSON
  EXPECT_TRUE(scan.sensitive());
  EXPECT_EQ(render_counts(scan), "email=4,phone=1,card=1,ssn=1,ip_address=1,api_key=1");
}

TEST(PrivacyRequest, CleanRequestIsNotSensitive) {
  api::ChatRequest r;
  r.messages.push_back(
      text_message("user", "What is the capital of France? Version 1.2.3 please."));
  PrivacyScan scan = testing::default_scanner().scan_request(r);
  EXPECT_FALSE(scan.sensitive());
  EXPECT_EQ(render_counts(scan), "");
}

TEST(PrivacyRedact, ReplacesEverywhereConsistently) {
  auto scanner = testing::make_scanner();
  api::ChatRequest r = request_with_entities_everywhere();
  Redactor red(scanner);
  auto scan = red.redact(r);
  ASSERT_TRUE(scan) << scan.error().message;
  EXPECT_EQ(scan->count(EntityType::kEmail), 4u);

  const std::string& user = r.messages[1].content[0].text;
  EXPECT_EQ(user, "My card is <CARD_1>, mail me at <EMAIL_2>");
  EXPECT_EQ(r.messages[0].content[0].text, "Escalate to <EMAIL_1> if stuck.");
  // The same address inside the tool-call arguments gets the same placeholder.
  EXPECT_NE(r.messages[2].tool_calls_json.find("<EMAIL_2>"), std::string::npos);
  EXPECT_EQ(r.user, "<EMAIL_3>");
  for (const char* v : {"jane@example.org", "ops@example.com", "4111 1111 1111 1111", "10.1.2.3",
                        "123-45-6789", "AKIAIOSFODNN7EXAMPLE", "bob@example.net", "7946 0958"}) {
    r.for_each_text([&](const std::string& s) { EXPECT_EQ(s.find(v), std::string::npos) << v; });
  }
  // Raw JSON fields stay valid JSON.
  EXPECT_TRUE(valid_json(r.messages[2].tool_calls_json)) << r.messages[2].tool_calls_json;
  EXPECT_TRUE(valid_json(r.tools_json));
  EXPECT_TRUE(valid_json(r.extra_json[0].second));
  EXPECT_TRUE(valid_json(r.messages[3].content[0].text));
  EXPECT_EQ(red.placeholder_count(), 8u);
}

TEST(PrivacyRedact, RestoresAnswers) {
  auto scanner = testing::make_scanner();
  api::ChatRequest r = request_with_entities_everywhere();
  Redactor red(scanner);
  ASSERT_TRUE(red.redact(r));
  EXPECT_EQ(red.restore("Sent to <EMAIL_2> and charged <CARD_1>."),
            "Sent to jane@example.org and charged 4111 1111 1111 1111.");
  // Unknown or malformed placeholders and ordinary angle brackets pass through.
  EXPECT_EQ(red.restore("<EMAIL_99> <b>bold</b> a < b > c <EMAIL_2"),
            "<EMAIL_99> <b>bold</b> a < b > c <EMAIL_2");
}

TEST(PrivacyRedact, RestoreJsonEscapesValues) {
  auto scanner = testing::make_scanner();
  api::ChatRequest r;
  r.messages.push_back(text_message("user", R"(password="pa\"ss\\word")"));
  Redactor red(scanner);
  ASSERT_TRUE(red.redact(r));
  ASSERT_EQ(r.messages[0].content[0].text, "password=\"<PASSWORD_1>\"");
  EXPECT_EQ(red.restore("<PASSWORD_1>"), R"(pa\"ss\\word)");
  // In a JSON string, the restored value is escaped once more.
  const std::string json = R"({"arguments":"<PASSWORD_1>"})";
  const std::string restored = red.restore_json(json);
  ASSERT_TRUE(valid_json(restored)) << restored;
  EXPECT_EQ(boost::json::parse(restored).at("arguments").as_string(), R"(pa\"ss\\word)");
}

TEST(PrivacyRedact, SkipsPlaceholdersTheClientAlreadyWrote) {
  auto scanner = testing::make_scanner();
  api::ChatRequest r;
  r.messages.push_back(text_message("user", "Template <EMAIL_1> goes to a@example.com"));
  Redactor red(scanner);
  ASSERT_TRUE(red.redact(r));
  EXPECT_EQ(r.messages[0].content[0].text, "Template <EMAIL_1> goes to <EMAIL_2>");
  EXPECT_EQ(red.restore("<EMAIL_1> <EMAIL_2>"), "<EMAIL_1> a@example.com");
}

TEST(PrivacyRedact, JsonEscapeAtTheEdgeOfAFinding) {
  // A token right after an escaped newline in raw JSON: the replacement must not leave a
  // dangling backslash.
  auto scanner = testing::make_scanner();
  api::ChatRequest r;
  r.tools_json = R"({"d":"x\nZx8sKd93JdkQm2Lp0Vb7Tn4Rw1Yc6Hf5"})";
  Redactor red(scanner);
  ASSERT_TRUE(red.redact(r));
  EXPECT_TRUE(valid_json(r.tools_json)) << r.tools_json;
  EXPECT_EQ(r.tools_json.find("Zx8sKd93"), std::string::npos);
}

// Every way to cut `answer` into two and three chunks restores like the whole answer.
void expect_stream_restores(const Redactor& red, const std::string& answer) {
  const std::string expected = red.restore(answer);
  for (size_t i = 0; i <= answer.size(); ++i) {
    StreamRestorer s(red);
    std::string out = s.push(answer.substr(0, i));
    out += s.push(answer.substr(i));
    out += s.finish();
    ASSERT_EQ(out, expected) << "split at " << i;
  }
  for (size_t i = 0; i <= answer.size(); ++i) {
    for (size_t j = i; j <= answer.size(); ++j) {
      StreamRestorer s(red);
      std::string out = s.push(answer.substr(0, i));
      out += s.push(answer.substr(i, j - i));
      out += s.push(answer.substr(j));
      out += s.finish();
      ASSERT_EQ(out, expected) << "split at " << i << "," << j;
    }
  }
  StreamRestorer bytes(red);
  std::string out;
  for (char c : answer) out += bytes.push(std::string_view(&c, 1));
  out += bytes.finish();
  EXPECT_EQ(out, expected);
}

TEST(PrivacyStream, PlaceholdersSplitAtEveryByte) {
  auto scanner = testing::make_scanner();
  api::ChatRequest r;
  r.messages.push_back(text_message("user", "mail jane@example.org, card 4111-1111-1111-1111"));
  Redactor red(scanner);
  ASSERT_TRUE(red.redact(r));
  expect_stream_restores(red, "Hi <EMAIL_1>, your card <CARD_2> is fine. <EMAIL_1>");
  expect_stream_restores(red, "<EMAIL_1><CARD_2><<EMAIL_1>>");
  expect_stream_restores(red, "a < b and <EMAIL_ but <EMAIL_3> and <CARD_2");
  EXPECT_EQ(red.restore("Hi <EMAIL_1>"), "Hi jane@example.org");
}

TEST(PrivacyStream, HoldsBackOnlyAPossiblePlaceholder) {
  auto scanner = testing::make_scanner();
  api::ChatRequest r;
  r.messages.push_back(text_message("user", "jane@example.org"));
  Redactor red(scanner);
  ASSERT_TRUE(red.redact(r));
  StreamRestorer s(red);
  EXPECT_EQ(s.push("Hello <EMA"), "Hello ");
  EXPECT_EQ(s.push("IL_1> is"), "jane@example.org is");
  EXPECT_EQ(s.push(" x < 3"), " x < 3");  // '<' followed by a space cannot start a placeholder
  EXPECT_EQ(s.push(" <"), " ");
  EXPECT_EQ(s.finish(), "<");
}

TEST(PrivacyFailClosed, TooManyCandidatesIsSensitive) {
  PrivacyConfig cfg;
  cfg.max_candidates = 1024;
  auto scanner = testing::make_scanner(cfg);
  std::string digits;
  while (digits.size() < 100000) digits += "a@b.co ";
  EXPECT_FALSE(scanner->scan(digits));
  api::ChatRequest r;
  r.messages.push_back(text_message("user", digits));
  PrivacyScan scan = scanner->scan_request(r);
  EXPECT_TRUE(scan.failed);
  EXPECT_TRUE(scan.sensitive());
  EXPECT_EQ(render_counts(scan), "scan_failed");
  Redactor red(scanner);
  EXPECT_FALSE(red.redact(r));
}

TEST(PrivacyFailClosed, FindingAcrossJsonStringsFailsRedaction) {
  PrivacyConfig cfg;
  cfg.custom_entities.push_back({"pair", R"(a","b)", {}, false});
  auto scanner = testing::make_scanner(cfg);
  api::ChatRequest r;
  r.tools_json = R"(["a","b"])";
  Redactor red(scanner);
  auto res = red.redact(r);
  EXPECT_FALSE(res);
}

TEST(PrivacyCorpus, ConversationsRedactWithoutLeaksAndRestoreExactly) {
  auto scanner = testing::make_scanner();
  corpus::CorpusGenerator gen(99);
  for (int i = 0; i < 300; ++i) {
    corpus::PlantedConversation c = gen.conversation();
    api::ChatRequest original = c.request;
    ASSERT_TRUE(scanner->scan_request(original).sensitive());
    Redactor red(scanner);
    ASSERT_TRUE(red.redact(c.request));
    std::vector<std::string> before, after;
    original.for_each_text([&](const std::string& s) { before.push_back(s); });
    c.request.for_each_text([&](const std::string& s) { after.push_back(s); });
    ASSERT_EQ(before.size(), after.size());
    for (const std::string& s : after)
      for (const std::string& needle : c.needles)
        ASSERT_EQ(s.find(needle), std::string::npos) << "leaked " << needle << " in " << s;
    EXPECT_TRUE(valid_json(c.request.tools_json));
    EXPECT_TRUE(valid_json(c.request.messages[2].tool_calls_json));
    // Restoring what was sent gives back what the client wrote.
    for (size_t k = 0; k < after.size(); ++k) {
      const bool json = after[k].starts_with("[") || after[k].starts_with("{");
      EXPECT_EQ(json ? red.restore_json(after[k]) : red.restore(after[k]), before[k]);
    }
  }
}

TEST(PrivacyCorpus, MeetsRecallAndFalsePositiveTargets) {
  auto scanner = testing::make_scanner();
  corpus::CorpusReport rep = corpus::evaluate_corpus(*scanner, 1234, 300, 2000);
  EXPECT_EQ(rep.scan_errors, 0);
  for (const auto& [type, score] : rep.by_type) {
    EXPECT_GE(score.typed * 1000, score.planted * 995) << entity_type_name(type);
    EXPECT_GE(score.covered * 1000, score.planted * 995) << entity_type_name(type);
  }
  EXPECT_LE(rep.benign_with_finding * 100, rep.benign_documents);
}

}  // namespace
}  // namespace tiergate::privacy
