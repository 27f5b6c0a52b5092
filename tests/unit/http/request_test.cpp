// The server's request reader: what handlers see of a request, fed as the socket delivers it.
#include "http/request.h"

#include <gtest/gtest.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>

#include <string>
#include <string_view>

namespace tiergate::http {
namespace {

namespace bhttp = boost::beast::http;

// Feeds `wire` to a reader `step` bytes at a time, as reads from a socket would. Returns the
// error that stopped it (none when the request is complete).
boost::beast::error_code feed(RequestReader& reader, std::string_view wire, size_t step) {
  std::string pending;
  boost::beast::error_code ec;
  while (!reader.is_done()) {
    const size_t n = std::min(step, wire.size());
    pending.append(wire.substr(0, n));
    wire.remove_prefix(n);
    ec = {};
    const size_t used = reader.put(boost::asio::buffer(pending), ec);
    pending.erase(0, used);
    if (ec == bhttp::error::need_more) {
      if (n == 0) return ec;  // the input ended first
      continue;
    }
    if (ec) return ec;
  }
  return ec;
}

TEST(RequestReader, FieldsTargetBodyAtEverySplit) {
  const std::string wire =
      "POST /v1/chat/completions?x=1 HTTP/1.1\r\nHost: localhost\r\n"
      "Authorization: Bearer sk-1\r\nX-Stainless-Lang: js\r\nx-tiergate-tenant: acme\r\n"
      "X-Empty:\r\nContent-Length: 11\r\n\r\n{\"a\":\"b c\"}";
  for (size_t step : {1, 2, 3, 7, 64, 4096}) {
    RequestReader reader;
    ASSERT_FALSE(feed(reader, wire, step)) << step;
    const Request r = reader.release();
    EXPECT_EQ(r.method(), bhttp::verb::post);
    EXPECT_EQ(r.target(), "/v1/chat/completions?x=1");
    EXPECT_EQ(r.version(), 11u);
    EXPECT_TRUE(r.keep_alive());
    EXPECT_EQ(r.header("authorization"), "Bearer sk-1") << "names match in any case";
    EXPECT_EQ(r.header("X-TIERGATE-TENANT"), "acme");
    EXPECT_EQ(r.header("x-stainless-lang"), "js");
    EXPECT_EQ(r.header("x-empty"), "");
    EXPECT_EQ(r.header("x-missing").data(), nullptr);
    EXPECT_EQ(r.header("content-length"), "11");
    EXPECT_EQ(r.body(), "{\"a\":\"b c\"}");
    std::string names;
    r.for_each_header([&](std::string_view n, std::string_view) { names += std::string(n) + ","; });
    EXPECT_EQ(names, "Host,Authorization,X-Stainless-Lang,x-tiergate-tenant,X-Empty,Content-Length,");
  }
}

TEST(RequestReader, ManyFieldsAndTheFirstOfARepeatedOne) {
  std::string wire = "GET /healthz HTTP/1.1\r\nHost: h\r\n";
  for (int i = 0; i < 60; ++i) wire += "X-F" + std::to_string(i) + ": v" + std::to_string(i) + "\r\n";
  wire += "X-F3: again\r\n\r\n";
  RequestReader reader;
  ASSERT_FALSE(feed(reader, wire, 5));
  const Request r = reader.release();
  EXPECT_EQ(r.method(), bhttp::verb::get);
  EXPECT_EQ(r.header("x-f0"), "v0");
  EXPECT_EQ(r.header("x-f59"), "v59");
  EXPECT_EQ(r.header("x-f3"), "v3");
  EXPECT_TRUE(r.body().empty());
}

TEST(RequestReader, ChunkedBodyHttp10AndConnectionClose) {
  RequestReader chunked;
  ASSERT_FALSE(feed(chunked,
                    "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "3\r\nabc\r\n4;ext=1\r\ndefg\r\n0\r\n\r\n",
                    4));
  EXPECT_EQ(chunked.release().body(), "abcdefg");

  RequestReader old;
  ASSERT_FALSE(feed(old, "GET / HTTP/1.0\r\n\r\n", 64));
  const Request r10 = old.release();
  EXPECT_EQ(r10.version(), 10u);
  EXPECT_FALSE(r10.keep_alive());

  RequestReader close;
  ASSERT_FALSE(feed(close, "GET / HTTP/1.1\r\nConnection: close\r\n\r\n", 64));
  EXPECT_FALSE(close.release().keep_alive());
}

TEST(RequestReader, LimitsAndMalformedInput) {
  RequestReader big;
  big.body_limit(10);
  EXPECT_EQ(feed(big, "POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n", 64), bhttp::error::body_limit);

  RequestReader big_chunked;
  big_chunked.body_limit(10);
  EXPECT_EQ(feed(big_chunked,
                 "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\nghijkl\r\n0\r\n\r\n",
                 64),
            bhttp::error::body_limit);

  RequestReader long_head;
  long_head.header_limit(64);
  EXPECT_EQ(feed(long_head, "GET / HTTP/1.1\r\nX-Big: " + std::string(100, 'a') + "\r\n\r\n", 16),
            bhttp::error::header_limit);

  RequestReader bad;
  EXPECT_TRUE(feed(bad, "GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", 64));
  RequestReader smuggle;
  EXPECT_TRUE(feed(smuggle,
                   "POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 64))
      << "two different lengths are refused";
}

}  // namespace
}  // namespace tiergate::http
