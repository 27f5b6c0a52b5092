#include <gtest/gtest.h>

#include "config/config.h"

namespace tiergate::config {
namespace {

constexpr const char* kMinimal = R"(
listen: "127.0.0.1:8080"
tiers:
  - name: cloud
    kind: openai
    base_url: "http://127.0.0.1:9000/v1"
    model: "gpt-4o-mini"
    api_key_env: "OPENAI_API_KEY"
routing:
  default_tier: cloud
)";

std::string error_of(const std::string& yaml) {
  auto c = load_config_string(yaml);
  EXPECT_FALSE(c) << yaml;
  return c ? std::string() : c.error().message;
}

TEST(Config, MinimalFileLoads) {
  auto c = load_config_string(kMinimal);
  ASSERT_TRUE(c) << c.error().message;
  const Config& cfg = **c;
  EXPECT_EQ(cfg.listen, "127.0.0.1:8080");
  ASSERT_EQ(cfg.tiers.size(), 1u);
  EXPECT_EQ(cfg.tiers[0].name, "cloud");
  EXPECT_EQ(cfg.tiers[0].kind, "openai");
  EXPECT_EQ(cfg.tiers[0].model, "gpt-4o-mini");
  EXPECT_NE(cfg.tiers[0].options, nullptr);
  EXPECT_EQ(cfg.routing.default_tier, "cloud");
  EXPECT_EQ(cfg.limits.max_body_bytes, 4 << 20);
}

TEST(Config, EveryBadKeyIsNamed) {
  std::string msg = error_of(R"(
listen: "nowhere"
limits: { max_body_bytes: 10, bogus_limit: 1 }
tiers:
  - name: cloud
    kind: openai
    base_url: "gopher://x"
    price: { input_per_mtok: -1 }
    capabilities: { tools: maybe }
    tls: { verify: false, extra: 1 }
  - name: cloud
    kind: openai
    base_url: "http://x"
    model: m
    headers: { Authorization: "Bearer x" }
routing: { default_tier: nope }
logging: { level: loud }
)");
  for (const char* key :
       {"listen", "limits.max_body_bytes", "limits.bogus_limit", "tiers[0].base_url",
        "tiers[0].model", "tiers[0].price.input_per_mtok", "tiers[0].capabilities.tools",
        "tiers[0].tls.extra", "tiers[1].name", "tiers[1].headers", "routing.default_tier",
        "logging.level"})
    EXPECT_NE(msg.find(key), std::string::npos) << "missing " << key << " in:\n" << msg;
}

TEST(Config, RejectsEmptyOrMissingTiers) {
  EXPECT_NE(error_of("listen: \"127.0.0.1:1\"\n").find("tiers"), std::string::npos);
  EXPECT_NE(error_of("tiers: []\n").find("tiers"), std::string::npos);
  EXPECT_NE(error_of("tiers: [1, 2]\n").find("tiers[0]"), std::string::npos);
}

TEST(Config, InvalidYamlIsAClearError) {
  EXPECT_NE(error_of("tiers: [\n").find("invalid YAML"), std::string::npos);
}

TEST(Config, ReservedAndDuplicateNames) {
  std::string msg = error_of(R"(
tiers:
  - { name: auto, kind: openai, base_url: "http://x", model: m }
)");
  EXPECT_NE(msg.find("reserved"), std::string::npos);
}

TEST(Config, DefaultTierDefaultsToTheFirst) {
  auto c = load_config_string("tiers:\n  - { name: a, kind: openai, base_url: \"http://x\", model: m }\n");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ((*c)->routing.default_tier, "a");
}

TEST(HostPort, Parses) {
  auto hp = parse_host_port("127.0.0.1:0");
  ASSERT_TRUE(hp);
  EXPECT_EQ(hp->port, 0);
  hp = parse_host_port("[::1]:8080");
  ASSERT_TRUE(hp);
  EXPECT_EQ(hp->host, "::1");
  EXPECT_FALSE(parse_host_port("localhost"));
  EXPECT_FALSE(parse_host_port("h:70000"));
}

}  // namespace
}  // namespace tiergate::config
