#include "http/client.h"

#include <sys/socket.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "http/fast_head.h"
#include "http/io_pool.h"
#include "http/parse_buffered.h"

namespace tiergate::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using asio::awaitable;
using tcp = asio::ip::tcp;
constexpr auto kTryAwait = asio::as_tuple(asio::use_awaitable);

std::string Url::host_header() const {
  bool default_port = (tls && port == 443) || (!tls && port == 80);
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return default_port ? h : h + ":" + std::to_string(port);
}

Result<Url> parse_url(std::string_view text) {
  Url url;
  auto bad = [&](const char* why) {
    return fail(Error::client(ErrorCode::kInvalidRequest,
                              "invalid URL '" + std::string(text) + "': " + why));
  };
  std::string_view rest = text;
  if (rest.starts_with("https://")) {
    url.tls = true;
    rest.remove_prefix(8);
  } else if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else {
    return bad("must start with http:// or https://");
  }
  auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  url.path = std::string(path);
  if (authority.empty()) return bad("no host");
  if (authority.find('@') != std::string_view::npos)
    return bad("credentials in URLs are not supported");
  std::string_view port_text;
  if (authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return bad("unterminated IPv6 address");
    url.host = std::string(authority.substr(1, close - 1));
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return bad("garbage after IPv6 address");
      port_text = authority.substr(close + 2);
    }
  } else {
    auto colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (url.host.empty()) return bad("no host");
  url.port = url.tls ? 443 : 80;
  if (!port_text.empty()) {
    unsigned p = 0;
    auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), p);
    if (ec != std::errc() || ptr != port_text.data() + port_text.size() || p == 0 || p > 65535)
      return bad("invalid port");
    url.port = static_cast<uint16_t>(p);
  }
  return url;
}

TimedSocket& UpstreamConnection::tcp() { return tls_ ? tls_->next_layer() : *plain_; }

void UpstreamConnection::close() { tcp().close(); }

beast::error_code UpstreamConnection::finish_op(beast::error_code ec) {
  tcp().expires_never();
  return ec && tcp().timed_out() ? beast::error_code(beast::error::timeout) : ec;
}

size_t ResponseReader::on_body_impl(string_view body, error_code& ec) {
  const size_t n = std::min(space_, body.size());
  if (n > 0) std::memcpy(data_, body.data(), n);
  data_ += n;
  space_ -= n;
  // The caller's buffer is full: it takes what is there and comes back with room.
  if (n < body.size()) ec = boost::beast::http::error::need_buffer;
  return n;
}

size_t UpstreamConnection::write_now(std::string_view head, std::string_view body,
                                     beast::error_code& ec) {
  if (tls_) return 0;
  std::array<asio::const_buffer, 2> bufs{asio::buffer(head), asio::buffer(body)};
  return plain_->write_now(bufs, ec);
}

awaitable<beast::error_code> UpstreamConnection::write(std::string_view head, std::string_view body,
                                                       std::chrono::milliseconds timeout,
                                                       size_t from) {
  std::array<asio::const_buffer, 2> bufs{asio::buffer(head), asio::buffer(body)};
  beast::buffers_suffix<std::array<asio::const_buffer, 2>> rest(bufs);
  rest.consume(from);
  tcp().expires_after(timeout);
  auto [ec, n] = tls_ ? co_await asio::async_write(*tls_, rest, kTryAwait)
                      : co_await asio::async_write(*plain_, rest, kTryAwait);
  co_return finish_op(ec);
}

// Beast's default header limit for responses, which ResponseReader keeps.
constexpr size_t kResponseHeaderLimit = 8192;

bool ResponseReader::take_fast_head(beast::flat_buffer& buffer) {
  const auto head = parse_response_head(
      std::string_view(static_cast<const char*>(buffer.data().data()), buffer.size()),
      kResponseHeaderLimit, limit_);
  if (!head) return false;
  status_ = head->status;
  retry_after_.assign(head->retry_after);
  fast_keep_alive_ = head->keep_alive;
  length_ = left_ = head->content_length;
  fast_ = true;
  buffer.consume(head->head_size);
  return true;
}

awaitable<beast::error_code> UpstreamConnection::read_header(ResponseReader& parser,
                                                             std::chrono::milliseconds timeout) {
  tcp().expires_after(timeout);
  // One read for what the upstream has sent; a plain head that came whole (with its body, as a
  // rule) is taken by the fast path, anything else by Beast's parser from the same buffer.
  if (buffer_.size() == 0) {
    const size_t room = std::min<size_t>(std::max<size_t>(4096, buffer_.capacity()), 65536);
    auto [rec, n] = tls_ ? co_await tls_->async_read_some(buffer_.prepare(room), kTryAwait)
                         : co_await plain_->async_read_some(buffer_.prepare(room), kTryAwait);
    if (rec) co_return finish_op(rec == asio::error::eof ? bhttp::error::end_of_stream : rec);
    buffer_.commit(n);
  }
  if (parser.take_fast_head(buffer_)) co_return finish_op({});
  auto [ec, n] = tls_ ? co_await bhttp::async_read_header(*tls_, buffer_, parser, kTryAwait)
                      : co_await bhttp::async_read_header(*plain_, buffer_, parser, kTryAwait);
  co_return finish_op(ec);
}

std::optional<std::pair<beast::error_code, size_t>> UpstreamConnection::read_buffered_body(
    ResponseReader& parser, char* buf, size_t size) {
  if (parser.is_done()) return std::pair{beast::error_code{}, size_t{0}};
  if (buffer_.size() == 0) return std::nullopt;
  if (parser.fast()) {
    const size_t got = std::min({size, buffer_.size(), static_cast<size_t>(parser.fast_left())});
    std::memcpy(buf, buffer_.data().data(), got);
    buffer_.consume(got);
    parser.fast_consumed(got);
    return std::pair{beast::error_code{}, got};
  }
  parser.body_buffer(buf, size);
  beast::error_code ec = parse_buffered(parser, buffer_);
  // need_buffer: buf is full; need_more: the rest of an element is still on its way.
  if (ec == bhttp::error::need_buffer || ec == bhttp::error::need_more) ec = {};
  const size_t got = size - parser.body_space();
  // Nothing came of it (a chunk header or the like still incomplete): the socket must be read.
  if (!ec && got == 0 && !parser.is_done()) return std::nullopt;
  return std::pair{ec, got};
}

awaitable<std::pair<beast::error_code, size_t>> UpstreamConnection::read_body(
    ResponseReader& parser, char* buf, size_t size, std::chrono::milliseconds timeout) {
  // What already arrived (often the whole body, with the head) is taken without a trip through
  // the event loop; the socket is read only when that gave nothing.
  if (auto got = read_buffered_body(parser, buf, size)) co_return *got;
  tcp().expires_after(timeout);
  if (parser.fast()) {
    // At most the body's bytes: the next response on this connection is not read here.
    const size_t want = static_cast<size_t>(std::min<std::uint64_t>(size, parser.fast_left()));
    if (want == 0) co_return std::pair{finish_op({}), size_t{0}};
    auto [rec, n] = tls_ ? co_await tls_->async_read_some(asio::buffer(buf, want), kTryAwait)
                         : co_await plain_->async_read_some(asio::buffer(buf, want), kTryAwait);
    parser.fast_consumed(n);
    co_return std::pair{
        finish_op(rec == asio::error::eof ? beast::error_code(bhttp::error::partial_message) : rec),
        n};
  }
  parser.body_buffer(buf, size);
  auto [rec, n] = tls_ ? co_await bhttp::async_read_some(*tls_, buffer_, parser, kTryAwait)
                       : co_await bhttp::async_read_some(*plain_, buffer_, parser, kTryAwait);
  beast::error_code ec = finish_op(rec);
  if (ec == bhttp::error::need_buffer) ec = {};
  co_return std::pair{ec, size - parser.body_space()};
}

HttpClient::HttpClient(Url url, ClientOptions options, size_t threads)
    : url_(std::move(url)), options_(std::move(options)), idle_(threads) {
  if (url_.tls) {
    ssl_ = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
    ssl_->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                      asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                      asio::ssl::context::no_tlsv1_1);
    beast::error_code ec;
    ssl_->set_default_verify_paths(ec);
    if (!options_.ca_file.empty()) ssl_->load_verify_file(options_.ca_file, ec);
    ssl_->set_verify_mode(options_.verify_tls ? asio::ssl::verify_peer : asio::ssl::verify_none);
  }
}

std::vector<std::shared_ptr<UpstreamConnection>>& HttpClient::idle_for_this_thread() {
  int i = IoPool::current_index();
  return (i >= 0 && static_cast<size_t>(i) < idle_.size()) ? idle_[i] : idle_offpool_;
}

namespace {

// Upstreams close keep-alive connections that idle (uvicorn, so vLLM, and Node after 5 s, nginx
// after 75 s, load balancers after about a minute). A connection pooled longer than this is
// looked at before it is reused; one used again within it is not (a syscall per request saved
// under load, when connections idle for microseconds).
constexpr auto kLookAfterIdle = std::chrono::seconds(1);

// False when the upstream closed the connection (or sent something unasked) while it idled.
bool still_open(UpstreamConnection& conn) {
  char byte;
  const ssize_t n = ::recv(conn.tcp().socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

}  // namespace

std::shared_ptr<UpstreamConnection> HttpClient::take_idle() {
  auto& idle = idle_for_this_thread();
  while (!idle.empty()) {
    auto conn = std::move(idle.back());
    idle.pop_back();
    // One closed in the instant before it is used still fails on first use: the caller then
    // retries on a fresh connection.
    if (!conn->tcp().socket().is_open() || conn->buffer_.size() != 0) continue;
    if (std::chrono::steady_clock::now() - conn->idle_since_ > kLookAfterIdle && !still_open(*conn))
      continue;
    return conn;
  }
  return nullptr;
}

awaitable<std::shared_ptr<UpstreamConnection>> HttpClient::acquire(bool& reused, double* connect_ms,
                                                                   std::optional<Error>& error,
                                                                   bool fresh) {
  if (!fresh) {
    if (auto conn = take_idle()) {
      reused = true;
      co_return conn;
    }
  }
  reused = false;
  auto executor = co_await asio::this_coro::executor;
  auto start = std::chrono::steady_clock::now();
  tcp::resolver resolver(executor);
  auto [rec, endpoints] =
      co_await resolver.async_resolve(url_.host, std::to_string(url_.port), kTryAwait);
  if (rec) {
    error = (Error::upstream(ErrorCode::kUpstreamError,
                             "cannot resolve upstream host '" + url_.host + "': " + rec.message()));
    co_return nullptr;
  }
  auto conn = std::make_shared<UpstreamConnection>();
  if (url_.tls) {
    conn->tls_ = std::make_unique<beast::ssl_stream<TimedSocket>>(executor, *ssl_);
  } else {
    conn->plain_ = std::make_unique<TimedSocket>(executor);
  }
  // The connect deadline covers the TLS handshake too.
  auto& tcp_stream = conn->tcp();
  tcp_stream.expires_after(std::chrono::milliseconds(options_.connect_timeout_ms));
  beast::error_code cec = asio::error::host_not_found;
  for (const auto& entry : endpoints) {
    // One address after another, until one connects or the deadline closes the socket.
    if (tcp_stream.timed_out()) break;
    beast::error_code ignored;
    tcp_stream.socket().close(ignored);
    auto [e] = co_await tcp_stream.socket().async_connect(entry.endpoint(), kTryAwait);
    cec = e;
    if (!cec) break;
  }
  if (cec) {
    tcp_stream.expires_never();
    bool timeout = tcp_stream.timed_out();
    {
      error = (Error::upstream(timeout ? ErrorCode::kUpstreamTimeout : ErrorCode::kUpstreamError,
                               "cannot connect to upstream " + url_.host_header() + ": " +
                                   (timeout ? std::string("timed out") : cec.message())));
      co_return nullptr;
    }
  }
  beast::error_code ec;
  tcp_stream.socket().set_option(tcp::no_delay(true), ec);
  if (url_.tls) {
    // SNI, and the certificate must name the host we asked for.
    if (!SSL_set_tlsext_host_name(conn->tls_->native_handle(), url_.host.c_str())) {
      error = (Error::upstream(ErrorCode::kUpstreamError, "cannot set TLS SNI"));
      co_return nullptr;
    }
    if (options_.verify_tls)
      conn->tls_->set_verify_callback(asio::ssl::host_name_verification(url_.host));
    auto [hec] = co_await conn->tls_->async_handshake(asio::ssl::stream_base::client, kTryAwait);
    hec = conn->finish_op(hec);
    if (hec) {
      error = (Error::upstream(
          ErrorCode::kUpstreamError,
          "TLS handshake with upstream " + url_.host_header() + " failed: " + hec.message(),
          false));
      co_return nullptr;
    }
  }
  tcp_stream.expires_never();
  if (connect_ms)
    *connect_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  co_return conn;
}

void HttpClient::release(std::shared_ptr<UpstreamConnection> conn) {
  auto& idle = idle_for_this_thread();
  if (static_cast<int>(idle.size()) >= options_.max_idle_per_thread) return;
  conn->tcp().expires_never();
  conn->idle_since_ = std::chrono::steady_clock::now();
  idle.push_back(std::move(conn));
}

}  // namespace tiergate::http
