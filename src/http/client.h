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
class UpstreamConnection {
 public:
  using ResponseParser = boost::beast::http::response_parser<boost::beast::http::buffer_body>;

  TimedSocket& tcp();
  bool is_tls() const { return tls_ != nullptr; }
  // Bytes received and not yet parsed.
  size_t buffered() const { return buffer_.size(); }
  // Closes the socket; pending operations fail with operation_aborted. Same thread only.
  void close();
  // Each operation below runs within its `timeout` and reports running out of it as
  // beast::error::timeout.
  // Writes a whole request: head (ending in the blank line) and body, in one gathered write.
  boost::asio::awaitable<boost::system::error_code> write(std::string_view head,
                                                          std::string_view body,
                                                          std::chrono::milliseconds timeout);
  boost::asio::awaitable<boost::system::error_code> read_header(ResponseParser& parser,
                                                                std::chrono::milliseconds timeout);
  // Reads some body bytes into buf; returns how many (0 is possible mid-body, e.g. after a chunk
  // header). Loop until parser.is_done().
  boost::asio::awaitable<std::pair<boost::system::error_code, size_t>> read_body(
      ResponseParser& parser, char* buf, size_t size, std::chrono::milliseconds timeout);

 private:
  friend class HttpClient;
  // The error of an operation that just completed: timeout if the deadline closed the socket.
  boost::system::error_code finish_op(boost::system::error_code ec);

  std::unique_ptr<TimedSocket> plain_;
  std::unique_ptr<boost::beast::ssl_stream<TimedSocket>> tls_;
  boost::beast::flat_buffer buffer_;
};

// Per upstream: the URL, TLS context and one idle pool per event-loop thread. Thread-safe as long
// as each thread touches only its own pool (acquire/release on the calling thread).
class HttpClient {
 public:
  HttpClient(Url url, ClientOptions options, size_t threads);
  const Url& url() const { return url_; }
  const ClientOptions& options() const { return options_; }

  // A pooled connection if one is idle on this thread (reused = true), else a new one.
  // Also reports the connect time of a new connection (network round trip estimate).
  // On failure returns null and sets `error`.
  boost::asio::awaitable<std::shared_ptr<UpstreamConnection>> acquire(bool& reused,
                                                                     double* connect_ms,
                                                                     std::optional<Error>& error);
  // Returns a connection whose last response was read completely and may be kept alive.
  void release(std::shared_ptr<UpstreamConnection> conn);

 private:
  std::vector<std::shared_ptr<UpstreamConnection>>& idle_for_this_thread();

  Url url_;
  ClientOptions options_;
  std::unique_ptr<boost::asio::ssl::context> ssl_;
  std::vector<std::vector<std::shared_ptr<UpstreamConnection>>> idle_;  // by IoPool index
  std::vector<std::shared_ptr<UpstreamConnection>> idle_offpool_;  // unused off the pool
};

}  // namespace tiergate::http
