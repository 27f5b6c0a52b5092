// limits: the slow-client and per-address keys (issue 7).
#include <gtest/gtest.h>

#include "config/config.h"

namespace tiergate::config {
namespace {

constexpr const char* kTier = R"(
tiers:
  - name: cloud
    kind: openai
    base_url: "http://127.0.0.1:9000/v1"
    model: "m"
)";

TEST(ConfigLimits, SlowClientDefaults) {
  auto c = load_config_string(kTier);
  ASSERT_TRUE(c) << c.error().message;
  const ServerLimits& l = (*c)->limits;
  EXPECT_EQ(l.max_connections_per_ip, 256);
  EXPECT_EQ(l.min_send_bytes_per_s, 1024);
  EXPECT_EQ(l.send_grace_ms, 10'000);
}

TEST(ConfigLimits, SlowClientKeysAreRead) {
  auto c = load_config_string(std::string(kTier) + R"(
limits: { max_connections_per_ip: 4, min_send_bytes_per_s: 100, send_grace_ms: 500 }
)");
  ASSERT_TRUE(c) << c.error().message;
  const ServerLimits& l = (*c)->limits;
  EXPECT_EQ(l.max_connections_per_ip, 4);
  EXPECT_EQ(l.min_send_bytes_per_s, 100);
  EXPECT_EQ(l.send_grace_ms, 500);
}

TEST(ConfigLimits, OutOfRangeValuesAreNamed) {
  auto c = load_config_string(std::string(kTier) + R"(
limits: { max_connections_per_ip: 0, min_send_bytes_per_s: 0, send_grace_ms: 5 }
)");
  ASSERT_FALSE(c);
  for (const char* key : {"limits.max_connections_per_ip", "limits.min_send_bytes_per_s",
                          "limits.send_grace_ms"})
    EXPECT_NE(c.error().message.find(key), std::string::npos) << key << "\n" << c.error().message;
}

}  // namespace
}  // namespace tiergate::config
