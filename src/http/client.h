#pragma once
// Client side of HTTP(S) to upstreams: URLs, TLS (verification on by default, SNI), and keep-alive
// connection pools, one per event-loop thread so a connection is only ever used on its own thread.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "http/watchdog.h"

namespace tiergate::http {

struct Url {
  bool tls = false;
  std::string host;
  uint16_t port = 0;
  std::string path;  // without a trailing '/'; "" for the root
  std::string host_header() const;
};
// http://host[:port][/path] or https://...
Result<Url> parse_url(std::string_view text);

struct ClientOptions {
  int64_t connect_timeout_ms = 5'000;
  int64_t first_byte_timeout_ms = 60'000;  // request sent -> response head
  int64_t idle_timeout_ms = 60'000;        // between body reads
  bool verify_tls = true;
  std::string ca_file;  // extra CA bundle (PEM); the system store is always used as well
  int max_idle_per_thread = 64;
};

// One connection to the upstream, plain or TLS. Used by one coroutine at a time, on one thread.
// Reads an upstream's response with Beast's HTTP/1.1 parser (framing, chunked bodies, limits)
// without a container for the header fields: the status and Retry-After are all tiergate reads,
// and body bytes go straight into the caller's buffer.
//
// A plain head with a Content-Length that came whole in the buffer (nearly every non-streaming
// answer) is read by the fast path instead (fast_head.h); the body is then the next
// content_length bytes, read without the parser. The accessors below answer for either path.
class ResponseReader : public boost::beast::http::basic_parser<false> {
 public:
  using Base = boost::beast::http::basic_parser<false>;
  unsigned status() const { return status_; }
  std::string_view retry_after() const { return retry_after_; }
  bool is_done() const { return fast_ ? left_ == 0 : Base::is_done(); }
  bool keep_alive() const { return fast_ ? fast_keep_alive_ : Base::keep_alive(); }
  boost::optional<std::uint64_t> content_length() const {
    return fast_ ? boost::optional<std::uint64_t>(length_) : Base::content_length();
  }
  void body_limit(std::uint64_t limit) {
    limit_ = limit;
    Base::body_limit(limit);
  }
  // Takes the head at the start of `buffer` by the fast path when it can, and consumes it.
  bool take_fast_head(boost::beast::flat_buffer& buffer);
  // Fast path: body bytes still to come.
  bool fast() const { return fast_; }
  std::uint64_t fast_left() const { return left_; }
  void fast_consumed(std::uint64_t n) { left_ -= n; }
  // Where the next body bytes go; body_space() is what is left of it.
  void body_buffer(char* data, size_t size) {
    data_ = data;
    space_ = size;
  }
  size_t body_space() const { return space_; }

 private:
  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;

  void on_request_impl(boost::beast::http::verb, string_view, string_view, int,
                       error_code&) override {}
  void on_response_impl(int code, string_view, int, error_code&) override {
    status_ = static_cast<unsigned>(code);
  }
  void on_field_impl(boost::beast::http::field name, string_view, string_view value,
                     error_code&) override {
    if (name == boost::beast::http::field::retry_after)
      retry_after_.assign(value.data(), value.size());
  }
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) override {}
  size_t on_body_impl(string_view body, error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code& ec) override {
    return on_body_impl(body, ec);
  }
  void on_finish_impl(error_code&) override {}

  unsigned status_ = 0;
  std::string retry_after_;
  char* data_ = nullptr;
  size_t space_ = 0;
  std::uint64_t limit_ = 8 << 20;  // Beast's default for responses
  bool fast_ = false;
  bool fast_keep_alive_ = false;
  std::uint64_t length_ = 0;
  std::uint64_t left_ = 0;
};

class UpstreamConnection {
 public:
  TimedSocket& tcp();
  bool is_tls() const { return tls_ != nullptr; }
  // Bytes received and not yet parsed.
  size_t buffered() const { return buffer_.size(); }
  // Closes the socket; pending operations fail with operation_aborted. Same thread only.
  void close();
  // Each operation below runs within its `timeout` and reports running out of it as
  // beast::error::timeout.
  // Writes what the socket takes of a request (head ending in the blank line, and body) at once,
  // without waiting; returns the bytes written. Plain connections only (0 for TLS).
  size_t write_now(std::string_view head, std::string_view body, boost::system::error_code& ec);
  // Writes a whole request, from byte `from` on (what write_now left), in one gathered write.
  boost::asio::awaitable<boost::system::error_code> write(std::string_view head,
                                                          std::string_view body,
                                                          std::chrono::milliseconds timeout,
                                                          size_t from = 0);
  boost::asio::awaitable<boost::system::error_code> read_header(ResponseReader& parser,
                                                                std::chrono::milliseconds timeout);
  // Body bytes that already arrived, into buf, without a read: how many and the parse error, or
  // nullopt when nothing is buffered and read_body must wait for the socket.
  std::optional<std::pair<boost::system::error_code, size_t>> read_buffered_body(
      ResponseReader& parser, char* buf, size_t size);
  // Reads some body bytes into buf; returns how many (0 is possible mid-body, e.g. after a chunk
  // header). Loop until parser.is_done().
  boost::asio::awaitable<std::pair<boost::system::error_code, size_t>> read_body(
      ResponseReader& parser, char* buf, size_t size, std::chrono::milliseconds timeout);

 private:
  friend class HttpClient;
  // The error of an operation that just completed: timeout if the deadline closed the socket.
  boost::system::error_code finish_op(boost::system::error_code ec);

  std::unique_ptr<TimedSocket> plain_;
  std::unique_ptr<boost::beast::ssl_stream<TimedSocket>> tls_;
  boost::beast::flat_buffer buffer_;
  std::chrono::steady_clock::time_point idle_since_;  // while pooled
};

// Per upstream: the URL, TLS context and one idle pool per event-loop thread. Thread-safe as long
// as each thread touches only its own pool (acquire/release on the calling thread).
class HttpClient {
 public:
  HttpClient(Url url, ClientOptions options, size_t threads);
  const Url& url() const { return url_; }
  const ClientOptions& options() const { return options_; }

  // A connection idle in this thread's pool that still looks usable, or null: no wait.
  std::shared_ptr<UpstreamConnection> take_idle();
  // A pooled connection if one is idle on this thread (reused = true), else a new one; always a
  // new one when `fresh` (the retry after a pooled connection failed). Also reports the connect
  // time of a new connection (network round trip estimate). On failure returns null and sets
  // `error`.
  boost::asio::awaitable<std::shared_ptr<UpstreamConnection>> acquire(bool& reused,
                                                                      double* connect_ms,
                                                                      std::optional<Error>& error,
                                                                      bool fresh = false);
  // Returns a connection whose last response was read completely and may be kept alive.
  void release(std::shared_ptr<UpstreamConnection> conn);

 private:
  std::vector<std::shared_ptr<UpstreamConnection>>& idle_for_this_thread();

  Url url_;
  ClientOptions options_;
  std::unique_ptr<boost::asio::ssl::context> ssl_;
  std::vector<std::vector<std::shared_ptr<UpstreamConnection>>> idle_;  // by IoPool index
  std::vector<std::shared_ptr<UpstreamConnection>> idle_offpool_;       // unused off the pool
};

}  // namespace tiergate::http
