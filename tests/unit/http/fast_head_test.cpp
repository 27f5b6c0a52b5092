// The fast head path against Beast's parser: whatever it accepts, Beast accepts with the same
// meaning; what it declines still reaches Beast (fast_head.h's contract).
#include "http/fast_head.h"

#include <gtest/gtest.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "http/client.h"

namespace tiergate::http {
namespace {

namespace bhttp = boost::beast::http;

constexpr size_t kHeaderLimit = 16 * 1024;
constexpr uint64_t kBodyLimit = 1 << 20;

// What a parser made of a request: every property handlers can see.
struct RequestView {
  bhttp::verb method;
  std::string target;
  unsigned version;
  bool keep_alive;
  std::vector<std::pair<std::string, std::string>> fields;
  std::string body;
  bool operator==(const RequestView&) const = default;
};

RequestView view_of(const Request& r) {
  RequestView v{r.method(), std::string(r.target()), r.version(), r.keep_alive(), {}, r.body()};
  r.for_each_header([&](std::string_view n, std::string_view val) {
    v.fields.emplace_back(std::string(n), std::string(val));
  });
  return v;
}

// Beast's reading of `wire`, whole in one buffer; nullopt when Beast refuses it.
std::optional<RequestView> beast_request(std::string_view wire) {
  RequestReader reader;
  reader.header_limit(kHeaderLimit);
  reader.body_limit(kBodyLimit);
  reader.eager(true);
  boost::beast::error_code ec;
  reader.put(boost::asio::buffer(wire.data(), wire.size()), ec);
  if (ec || !reader.is_done()) return std::nullopt;
  return view_of(reader.release());
}

// The fast path's reading: the head, then the body as the server reads it.
std::optional<RequestView> fast_request(std::string_view wire) {
  Request r;
  auto head = parse_request_head(wire, kHeaderLimit, kBodyLimit, r);
  if (!head) return std::nullopt;
  if (wire.size() - head->head_size < head->content_length) return std::nullopt;
  r.body().assign(wire.substr(head->head_size, head->content_length));
  return view_of(r);
}

struct ResponseView {
  unsigned status;
  bool keep_alive;
  uint64_t content_length;
  std::string retry_after;
  bool operator==(const ResponseView&) const = default;
};

std::optional<ResponseView> beast_response(std::string_view wire) {
  ResponseReader reader;
  reader.header_limit(kHeaderLimit);
  reader.body_limit(kBodyLimit);
  boost::beast::error_code ec;
  reader.put(boost::asio::buffer(wire.data(), wire.size()), ec);
  if (ec || !reader.is_header_done() || !reader.content_length()) return std::nullopt;
  return ResponseView{reader.status(), reader.keep_alive(), *reader.content_length(),
                      std::string(reader.retry_after())};
}

std::optional<ResponseView> fast_response(std::string_view wire) {
  auto head = parse_response_head(wire, kHeaderLimit, kBodyLimit);
  if (!head) return std::nullopt;
  return ResponseView{head->status, head->keep_alive, head->content_length,
                      std::string(head->retry_after)};
}

// `wire` with 1-3 random edits: a byte from `bytes` inserted or written over one, or one removed.
std::string edited(std::string wire, std::mt19937& rng, std::string_view bytes) {
  const int edits = 1 + static_cast<int>(rng() % 3);
  for (int e = 0; e < edits; ++e) {
    const size_t at = rng() % wire.size();
    const char byte = bytes[rng() % bytes.size()];
    switch (rng() % 3) {
      case 0:
        wire.insert(wire.begin() + static_cast<long>(at), byte);
        break;
      case 1:
        wire[at] = byte;
        break;
      default:
        wire.erase(at, 1);
    }
    if (wire.empty()) wire = "G";
  }
  return wire;
}

const std::vector<std::string>& request_seeds() {
  static const std::vector<std::string> seeds = {
      "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: "
      "application/json\r\nContent-Length: 11\r\n\r\n{\"a\":\"b c\"}",
      "POST /v1/chat/completions?x=1 HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
      "sk-1\r\nX-Stainless-Lang: js\r\nx-tiergate-tenant: acme\r\nX-Empty:\r\nConnection: "
      "keep-alive\r\nContent-Length: 2\r\n\r\n{}",
      "GET /healthz HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
      "GET /v1/models HTTP/1.0\r\n\r\n",
      "GET /readyz HTTP/1.1\r\nConnection: close\r\nUser-Agent:   curl/7.88  \t\r\n\r\n",
      "PATCH /x HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
  };
  return seeds;
}

TEST(FastHead, TakesThePlainRequestsClientsSendAsBeastReadsThem) {
  for (const std::string& wire : request_seeds()) {
    const auto fast = fast_request(wire);
    ASSERT_TRUE(fast) << wire;
    const auto beast = beast_request(wire);
    ASSERT_TRUE(beast) << wire;
    EXPECT_EQ(*fast, *beast) << wire;
  }
  const auto r = fast_request(request_seeds()[1]);
  EXPECT_EQ(r->target, "/v1/chat/completions?x=1");
  EXPECT_EQ(r->fields.size(), 7u);
  EXPECT_EQ(r->fields[4], (std::pair<std::string, std::string>{"X-Empty", ""}));
  EXPECT_EQ(fast_request(request_seeds()[4])->fields[1].second, "curl/7.88") << "OWS trimmed";
  EXPECT_TRUE(fast_request(request_seeds()[2])->keep_alive);
  EXPECT_FALSE(fast_request(request_seeds()[3])->keep_alive) << "HTTP/1.0 closes by default";
  EXPECT_FALSE(fast_request(request_seeds()[4])->keep_alive);
}

TEST(FastHead, DeclinesWhatItDoesNotReadTheWayBeastDoes) {
  const std::vector<std::string> declined = {
      // chunked, conflicting or repeated framing
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
      "POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}",
      "POST / HTTP/1.1\r\nContent-Length: 2, 2\r\n\r\n{}",
      "POST / HTTP/1.1\r\nContent-Length: +2\r\n\r\n{}",
      "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
      "GET / HTTP/1.1\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\n",
      "GET / HTTP/1.1\r\nConnection: close\r\nConnection: close\r\n\r\n",
      "GET / HTTP/1.1\r\nProxy-Connection: close\r\n\r\n",
      // folded lines, bytes beyond printable ASCII, bare line ends, odd start lines
      "GET / HTTP/1.1\r\nX-A: one\r\n two\r\n\r\n",
      "GET / HTTP/1.1\r\nX-A: caf\xc3\xa9\r\n\r\n",
      "GET /caf\xc3\xa9 HTTP/1.1\r\n\r\n",
      "GET / HTTP/1.1\r\nX-A: a\rb\r\n\r\n",
      "GET / HTTP/1.1\nX-A: b\r\n\r\n",
      "GET / HTTP/1.1\r\nX-A : b\r\n\r\n",
      "GET / HTTP/1.1\r\n: b\r\n\r\n",
      "GET / HTTP/2.0\r\n\r\n",
      "GET / HTTP/1.1 \r\n\r\n",
      "GET  / HTTP/1.1\r\n\r\n",
      "\r\nGET / HTTP/1.1\r\n\r\n",
      "GET / HTTP/1.1\r\n",  // not whole yet
      // over the body limit: Beast answers 413
      "POST / HTTP/1.1\r\nContent-Length: 1048577\r\n\r\n",
  };
  for (const std::string& wire : declined) {
    Request r;
    EXPECT_FALSE(parse_request_head(wire, kHeaderLimit, kBodyLimit, r)) << wire;
    EXPECT_TRUE(r.target().empty()) << "a declined head leaves the request as it was";
  }
  // A head that reaches the size limit is Beast's to refuse (431).
  const std::string big = "GET / HTTP/1.1\r\nX-A: " + std::string(kHeaderLimit, 'a') + "\r\n\r\n";
  Request r;
  EXPECT_FALSE(parse_request_head(big, kHeaderLimit, kBodyLimit, r));
  EXPECT_TRUE(parse_request_head(big, big.size() + 1, kBodyLimit, r));
}

// Random edits of the seeds (bytes that matter to HTTP framing inserted, replaced, removed): the
// fast path must never accept what Beast refuses, nor read anything differently.
TEST(FastHead, NeverDisagreesWithBeastOnRandomEdits) {
  std::mt19937 rng(20261201);
  static constexpr std::string_view kBytes = "\r\n :\t,;=-/.0129aAzZ\x7f\x80\xff\"HTTPkeep-alive";
  int accepted = 0, total = 0;
  auto check = [&](const std::string& wire) {
    ++total;
    const auto fast = fast_request(wire);
    if (!fast) return;
    ++accepted;
    const auto beast = beast_request(wire);
    ASSERT_TRUE(beast) << "accepted what Beast refuses: " << testing::PrintToString(wire);
    ASSERT_EQ(*fast, *beast) << testing::PrintToString(wire);
  };
  for (int round = 0; round < 60000; ++round) {
    const std::string wire = edited(request_seeds()[rng() % request_seeds().size()], rng, kBytes);
    check(wire);
  }
  // The edits must leave many heads in the plain form, or this test would prove little.
  EXPECT_GT(accepted, total / 5);
}

TEST(FastHead, ResponsesWithALengthAsBeastReadsThem) {
  const std::vector<std::string> taken = {
      "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Tue, 01 Dec 2026 18:00:00 GMT\r\n"
      "Content-Type: application/json\r\nContent-Length: 258\r\nConnection: keep-alive\r\n\r\n",
      "HTTP/1.1 429 Too Many Requests\r\nretry-after: 7\r\ncontent-length: 0\r\n\r\n",
      "HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello",
      "HTTP/1.0 500 \r\nContent-Length: 5\r\nConnection: keep-alive\r\n\r\nhello",
      "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 3\r\n\r\n",
  };
  for (const std::string& wire : taken) {
    const auto fast = fast_response(wire);
    ASSERT_TRUE(fast) << wire;
    const auto beast = beast_response(wire);
    ASSERT_TRUE(beast) << wire;
    EXPECT_EQ(*fast, *beast) << wire;
  }
  EXPECT_EQ(fast_response(taken[1])->retry_after, "7");
  EXPECT_EQ(fast_response(taken[0])->content_length, 258u);
  EXPECT_FALSE(fast_response(taken[2])->keep_alive);
  EXPECT_TRUE(fast_response(taken[3])->keep_alive);
  EXPECT_FALSE(fast_response(taken[4])->keep_alive);

  const std::vector<std::string> declined = {
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n",  // to the end of the stream
      "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 100 Continue\r\n\r\n",
      "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 2000000\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n",
  };
  for (const std::string& wire : declined) EXPECT_FALSE(fast_response(wire)) << wire;
}

TEST(FastHead, ResponsesNeverDisagreeWithBeastOnRandomEdits) {
  std::mt19937 rng(7);
  static constexpr std::string_view kBytes = "\r\n :\t,0129aAzZ\x7f\x80HTTP/1.close";
  const std::string seed =
      "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 12\r\nConnection: keep-alive\r\n"
      "Retry-After: 3\r\n\r\n";
  int accepted = 0;
  for (int round = 0; round < 40000; ++round) {
    const std::string wire = edited(seed, rng, kBytes);
    const auto fast = fast_response(wire);
    if (!fast) continue;
    ++accepted;
    const auto beast = beast_response(wire);
    ASSERT_TRUE(beast) << testing::PrintToString(wire);
    ASSERT_EQ(*fast, *beast) << testing::PrintToString(wire);
  }
  EXPECT_GT(accepted, 40000 / 10);  // thousands of heads both parsers read
}

}  // namespace
}  // namespace tiergate::http
