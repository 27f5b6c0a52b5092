#include <gtest/gtest.h>

#include "http/client.h"

namespace tiergate::http {
namespace {

TEST(ParseUrl, PlainWithPortAndPath) {
  auto u = parse_url("http://127.0.0.1:9000/v1/");
  ASSERT_TRUE(u);
  EXPECT_FALSE(u->tls);
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 9000);
  EXPECT_EQ(u->path, "/v1");
  EXPECT_EQ(u->host_header(), "127.0.0.1:9000");
}

TEST(ParseUrl, HttpsDefaultsTo443) {
  auto u = parse_url("https://api.openai.com/v1");
  ASSERT_TRUE(u);
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->host_header(), "api.openai.com");
}

TEST(ParseUrl, Ipv6) {
  auto u = parse_url("http://[::1]:8080");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->path, "");
  EXPECT_EQ(u->host_header(), "[::1]:8080");
}

TEST(ParseUrl, RejectsBadInput) {
  for (const char* bad : {"ftp://x", "http://", "http://:80", "http://h:0", "http://h:99999",
                          "http://h:12ab", "http://user:pw@h/", "http://[::1", "localhost:80"}) {
    EXPECT_FALSE(parse_url(bad)) << bad;
  }
}

}  // namespace
}  // namespace tiergate::http
