#pragma once
// The fast path for HTTP/1.1 heads in the form every client and upstream sends: a head that is
// whole in the buffer, plain printable ASCII, framed by one Content-Length (or, for a request, no
// body), parsed in one pass without Beast. Beast's parser costs about 3,000 instructions per
// head, a sixth of what tiergate does for a whole proxied request; this path costs a few hundred.
//
// Contract: it accepts only heads that Beast's parser accepts, with the same meaning (method,
// target, version, fields in order with the same trimmed values, keep-alive, body length). It
// declines (nullopt) everything else: a head not yet complete or at the size limit, chunked or
// conflicting framing, Upgrade, folded lines, bytes outside printable ASCII, a body over the
// limit. The caller then hands the same bytes to Beast, which parses them or reports the error
// (so 400, 413 and 431 stay Beast's decisions). tests/unit/http/fast_head_test.cpp and the
// fuzz_http_request target check the contract against Beast's parser.

#include <cstdint>
#include <optional>
#include <string_view>

#include "http/request.h"

namespace tiergate::http {

struct FastRequestHead {
  size_t head_size = 0;         // bytes up to and including the blank line
  uint64_t content_length = 0;  // 0 without a Content-Length field
};

// Parses the request head at the start of `buf` into `out` (target and fields; the body is the
// caller's to read). `out` is left as it was when the head is declined.
std::optional<FastRequestHead> parse_request_head(std::string_view buf, size_t header_limit,
                                                  uint64_t body_limit, Request& out);

struct FastResponseHead {
  size_t head_size = 0;
  unsigned status = 0;
  uint64_t content_length = 0;
  bool keep_alive = false;
  std::string_view retry_after;  // into buf; empty without the field
};

// Parses the response head at the start of `buf`. Declines, besides the above, a response
// without Content-Length (chunked, or to the end of the connection) and statuses that carry no
// body (1xx, 204, 304).
std::optional<FastResponseHead> parse_response_head(std::string_view buf, size_t header_limit,
                                                    uint64_t body_limit);

}  // namespace tiergate::http
