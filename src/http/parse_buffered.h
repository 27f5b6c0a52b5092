#pragma once
// Parsing what a connection's buffer already holds, without a read: the server's request body
// that came with its head, the upstream answer that came with its head. Beast's async reads would
// queue a completion through the event loop for the same work.

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/basic_parser.hpp>

namespace tiergate::http {

// Feeds `buffer` to `parser` until it is done, the buffer is empty or the parser stops (an error,
// including need_more: the rest is still on its way, and need_buffer: the body buffer is full).
// Consumes what the parser used.
template <bool isRequest>
boost::beast::error_code parse_buffered(boost::beast::http::basic_parser<isRequest>& parser,
                                        boost::beast::flat_buffer& buffer) {
  boost::beast::error_code ec;
  while (!parser.is_done() && buffer.size() > 0) {
    const size_t used = parser.put(buffer.data(), ec);
    buffer.consume(used);
    if (ec || used == 0) break;
  }
  return ec;
}

}  // namespace tiergate::http
