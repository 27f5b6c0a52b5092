// The HTTP request path up to the handler: the server's request reader (Beast's parser) with its
// limits (src/http/server.cpp: header 16 KiB, body 4 MiB) fed in pieces, then the body parsed as a
// chat request; and the fast head path (src/http/fast_head.h) checked against Beast on the whole
// input. The server coroutine itself (timeouts, keep-alive, responses) is not driven here.
#include <boost/beast/http.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "api/openai/json.h"
#include "http/fast_head.h"
#include "http/request.h"

namespace beast_http = boost::beast::http;

namespace {

// The fast head path (http/fast_head.h) must never accept what Beast refuses, nor read it
// differently: whatever it takes from the whole input, Beast takes from the same bytes, with the
// same method, target, version, keep-alive, fields and body.
void check_fast_head(std::string_view wire) {
  tiergate::http::Request fast;
  const auto head = tiergate::http::parse_request_head(wire, 16 * 1024, 4 * 1024 * 1024, fast);
  if (!head || wire.size() - head->head_size < head->content_length) return;
  tiergate::http::RequestReader parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(4 * 1024 * 1024);
  parser.eager(true);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(wire.data(), wire.size()), ec);
  if (ec || !parser.is_done()) __builtin_trap();  // accepted what Beast refuses
  const tiergate::http::Request beast = parser.release();
  if (fast.method() != beast.method() || fast.target() != beast.target() ||
      fast.version() != beast.version() || fast.keep_alive() != beast.keep_alive() ||
      beast.body() != wire.substr(head->head_size, head->content_length))
    __builtin_trap();
  std::vector<std::pair<std::string_view, std::string_view>> a, b;
  fast.for_each_header([&](std::string_view n, std::string_view v) { a.emplace_back(n, v); });
  beast.for_each_header([&](std::string_view n, std::string_view v) { b.emplace_back(n, v); });
  if (a != b) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  check_fast_head(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  const size_t step = 1 + data[0] % 64;  // piece size, as if read from the socket in chunks
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);

  tiergate::http::RequestReader parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(4 * 1024 * 1024);
  parser.eager(true);
  std::string pending;  // bytes the parser has not consumed yet (like a flat_buffer)
  while (!parser.is_done()) {
    size_t n = std::min(step, rest.size());
    pending.append(rest.substr(0, n));
    rest.remove_prefix(n);
    boost::beast::error_code ec;
    size_t used = parser.put(boost::asio::buffer(pending), ec);
    pending.erase(0, used);
    if (ec == beast_http::error::need_more) {
      if (n == 0) {  // end of input
        parser.put_eof(ec);
        if (ec) return 0;
        break;
      }
      continue;
    }
    if (ec) return 0;
    if (used == 0 && n == 0) break;
  }
  if (!parser.is_done()) return 0;
  const tiergate::http::Request req = parser.release();
  (void)req.method();
  (void)req.target();
  req.for_each_header([&](std::string_view name, std::string_view) {
    if (req.header(name).data() == nullptr) __builtin_trap();  // every field is found by its name
  });
  if (req.method() == beast_http::verb::post) (void)tiergate::api::parse_chat_request(req.body());
  return 0;
}
