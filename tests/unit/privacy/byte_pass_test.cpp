// The byte pass's shortcuts (text_pass.cpp, assignment_keys.cpp): secret assignments read back
// from their separator, runs and tokens measured from the block masks, and the early rejections
// of IPv6 runs, dates and decimals. Each case is one the shortcut must not change.

#include <gtest/gtest.h>

#include <string>

#include "test_util.h"

namespace tiergate::privacy {
namespace {

using testing::findings;
using testing::Found;

void expect_one(std::string_view text, std::string_view label, std::string_view value) {
  Found f = findings(text);
  ASSERT_EQ(f.size(), 1u) << "in: " << text;
  EXPECT_EQ(f[0].first, label) << "in: " << text;
  EXPECT_EQ(f[0].second, value) << "in: " << text;
}

void expect_none(std::string_view text) {
  Found f = findings(text);
  EXPECT_TRUE(f.empty()) << "in: " << text << "\n  found " << (f.empty() ? "" : f[0].first) << ": '"
                         << (f.empty() ? "" : f[0].second) << "'";
}

TEST(PrivacyBytePass, AssignmentSeparators) {
  expect_one("password => 'hunter22x'", "PASSWORD", "hunter22x");
  expect_one("password := hunter22x", "PASSWORD", "hunter22x");
  expect_one("PASSWORD\t=\thunter22x", "PASSWORD", "hunter22x");
  expect_one("Passphrase: 'open sesame'", "PASSWORD", "open sesame");
  expect_one("user_passwd=Xy7pq2rs", "PASSWORD", "Xy7pq2rs");
  expect_one(R"({\"pwd\": \"Xy7pq2rs\"})", "PASSWORD", "Xy7pq2rs");
  expect_one("api_key: AbCd1234EfGh5678", "API_KEY", "AbCd1234EfGh5678");
  expect_one("API-KEY=AbCd1234EfGh5678", "API_KEY", "AbCd1234EfGh5678");
  expect_one("apikey => \"AbCd1234EfGh5678\"", "API_KEY", "AbCd1234EfGh5678");
  expect_one("secret_key = AbCd1234EfGh5678", "API_KEY", "AbCd1234EfGh5678");
  expect_one("SECRET-ACCESS-KEY: AbCd1234EfGh5678", "API_KEY", "AbCd1234EfGh5678");
  expect_one("refresh_token=AbCd1234EfGh5678", "API_KEY", "AbCd1234EfGh5678");
  expect_one("client_secret: AbCd1234EfGh5678", "API_KEY", "AbCd1234EfGh5678");
  expect_one("{\"accessToken\": \"AbCd1234EfGh5678\"}", "API_KEY", "AbCd1234EfGh5678");
}

TEST(PrivacyBytePass, PasswordWords) {
  expect_one("run app --PASS=Zq8wLmx3", "PASSWORD", "Zq8wLmx3");
  expect_one("run app --pass Zq8wLmx3", "PASSWORD", "Zq8wLmx3");
  expect_one("the passcode was Zq8wLmx3.", "PASSWORD", "Zq8wLmx3");
  expect_one("Passphrase\tIS Zq8wLmx3 now", "PASSWORD", "Zq8wLmx3");
  expect_none("the passport is valid; --passive mode; bypass was on");
  expect_none("my password is");
  expect_none("--pass");
  expect_none("--password");
}

TEST(PrivacyBytePass, AssignmentLookalikes) {
  expect_none("bypass: true");
  expect_none("compass = north");
  expect_none("monkey: AbCd1234EfGh5678");
  expect_none("Customer: Hi, I need help with order 42");
  expect_none("token: abcdefghij");     // no digit
  expect_none("std::string token = next_token();");
  expect_none("a = b; c := d; e => f; x::y");
  expect_none("password = = = ");
}

TEST(PrivacyBytePass, Ipv6Runs) {
  expect_one("ping fe80::1ff:fe23:4567:890a now", "IP", "fe80::1ff:fe23:4567:890a");
  expect_one("addr 2001:db8:85a3:0:0:8a2e:370:7334.", "IP", "2001:db8:85a3:0:0:8a2e:370:7334");
  expect_one("mapped ::ffff:192.0.2.128 ok", "IP", "::ffff:192.0.2.128");
  expect_none("std::map<int, std::vector<int>> m; a::b::c");
  expect_none("at 10:30:00 and 23:59:59.999, ratio 1:2:3");
  expect_none("deadbeef::cafe");  // no decimal digit
}

TEST(PrivacyBytePass, DatesAndDecimals) {
  expect_none("on 2024-03-15, 15.01.2024, 01 15 2024 and 2024/03/15");
  expect_none("pi is 3.14159, e is 2.71828, and 1.5.2 is a version");
  expect_one("call me on 555-123-4567", "PHONE", "555-123-4567");
  expect_one("server 10.0.0.12 is down", "IP", "10.0.0.12");
}

TEST(PrivacyBytePass, RunsAcrossBlockBoundaries) {
  // Numbers, tokens and separators at every offset around the 64-byte blocks of the masks.
  const std::string card = "4111 1111 1111 1111";
  const std::string token = "Zx9QpL2vR7mK4tW8yB3nC6";
  for (size_t pad = 40; pad < 140; ++pad) {
    const std::string filler(pad, 'a');
    expect_one(filler + " card " + card + " ok", "CARD", card);
    expect_one(filler + " " + token + " ok", "SECRET", token);
    expect_one(filler + " password=hunter22x ok", "PASSWORD", "hunter22x");
    expect_one(filler + " tel +44 20 7946 0958", "PHONE", "+44 20 7946 0958");
    // Short words before it: no other long token run in the block (the long-run search skips
    // blocks without an all-token aligned 8-byte group, and the token may start just before the
    // next block's).
    std::string words;
    while (words.size() < pad) words += "ab ";
    words.resize(pad);
    expect_one(words + " " + token.substr(0, 20) + " ok", "SECRET", token.substr(0, 20));
  }
  // A text whose last block is full and ends in the number.
  for (size_t len : {64u, 128u, 192u}) {
    std::string text = " call +1 415 555 2671";
    text.insert(0, len - text.size(), 'x');
    ASSERT_EQ(text.size(), len);
    Found f = findings(text);
    ASSERT_EQ(f.size(), 1u) << text;
    EXPECT_EQ(f[0].second, "+1 415 555 2671");
  }
}

}  // namespace
}  // namespace tiergate::privacy
