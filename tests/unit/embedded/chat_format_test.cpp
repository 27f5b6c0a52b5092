#include "tiers/embedded/chat_format.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "test_support.h"

namespace tiergate::embedded {
namespace {

std::vector<api::ChatMessage> conversation() {
  std::vector<api::ChatMessage> msgs(2);
  msgs[0].role = "developer";
  msgs[0].content.push_back({api::ContentPart::Kind::kText, "Be brief.", ""});
  msgs[1].role = "user";
  msgs[1].content.push_back({api::ContentPart::Kind::kText, "Hi", ""});
  return msgs;
}

TEST(ChatFormat, FallsBackToChatMlWithoutATemplate) {
  auto f = ChatFormat::create(nullptr, "");
  ASSERT_TRUE(f.has_value());
  EXPECT_NE(f->description().find("fallback"), std::string::npos);
  EXPECT_EQ(*f->format(conversation()),
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
            "<|im_start|>assistant\n");
}

TEST(ChatFormat, RawJoinsText) {
  auto f = ChatFormat::create(nullptr, "raw");
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(*f->format(conversation()), "Be brief.\nHi");
}

TEST(ChatFormat, BuiltinTemplateByName) {
  auto f = ChatFormat::create(nullptr, "llama3");
  ASSERT_TRUE(f.has_value());
  const std::string p = *f->format(conversation());
  EXPECT_NE(p.find("<|start_header_id|>system<|end_header_id|>"), std::string::npos) << p;
  EXPECT_NE(p.find("<|start_header_id|>assistant<|end_header_id|>"), std::string::npos) << p;
}

TEST(ChatFormat, UnsupportedOverrideIsAnError) {
  EXPECT_FALSE(ChatFormat::create(nullptr, "{{ no known markers here }}").has_value());
}

TEST(ChatFormat, EmptyConversationIsAClientError) {
  auto f = ChatFormat::create(nullptr, "");
  auto r = f->format({});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidRequest);
}

TEST(TestModel, SameSeedSameBytesOtherSeedOtherBytes) {
  const std::string dir = std::filesystem::path(testing::test_model_path()).parent_path().string();
  auto read = [](const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  TestModelSpec spec;
  ASSERT_TRUE(write_test_model(dir + "/again.gguf", spec).has_value());
  EXPECT_EQ(read(dir + "/again.gguf"), read(testing::test_model_path()));
  spec.seed = 43;
  ASSERT_TRUE(write_test_model(dir + "/other.gguf", spec).has_value());
  EXPECT_NE(read(dir + "/other.gguf"), read(testing::test_model_path()));
  spec.weight_type = "q8_0";
  ASSERT_TRUE(write_test_model(dir + "/q8.gguf", spec).has_value());
  spec.weight_type = "bf15";
  EXPECT_FALSE(write_test_model(dir + "/bad.gguf", spec).has_value());
}

}  // namespace
}  // namespace tiergate::embedded
