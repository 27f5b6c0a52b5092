#include "http/server.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_suffix.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <charconv>
#include <cstdio>
#include <cstring>

#include "api/openai/json.h"
#include "http/fast_head.h"
#include "http/parse_buffered.h"

namespace tiergate::http {

using namespace std::string_view_literals;  // literals of known length: no strlen per piece

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::awaitable;
using asio::use_awaitable;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kTryAwait = asio::as_tuple(use_awaitable);
constexpr int kNotSentLowat = 16 << 10;
// The first read of a request: room for the head the official SDKs send (a dozen fields) and a
// small body, so that the fast path sees the whole head at once.
constexpr size_t kFirstRead = 2048;

std::string error_body(ErrorCode code, std::string message) {
  return api::write_error(Error::client(code, std::move(message)));
}

// Sent, best effort, to a connection refused for its address's connection limit.
const std::string& too_many_connections_response() {
  static const std::string response = [] {
    std::string body = api::write_error(
        Error::client(ErrorCode::kRateLimited,
                      "Too many connections from this address; retry after closing some."));
    return "HTTP/1.1 429 Too Many Requests\r\nServer: tiergate\r\nContent-Type: "
           "application/json\r\n"
           "Retry-After: 1\r\nConnection: close\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  }();
  return response;
}

}  // namespace

Exchange::Exchange(TimedSocket& stream, Request& request, const config::ServerLimits& limits,
                   ServerStats* stats)
    : stream_(stream),
      request_(request),
      limits_(limits),
      keep_alive_(request.keep_alive()),
      stats_(stats) {}

Exchange::~Exchange() { stop_watch(); }

std::string_view Exchange::header(std::string_view name) const { return request_.header(name); }

std::string Exchange::remote_address() const {
  beast::error_code ec;
  auto ep = stream_.socket().remote_endpoint(ec);
  return ec ? std::string() : ep.address().to_string();
}

void Exchange::stop_watch() {
  watch_alarm_.disarm();
  if (watching_ && *watching_) {
    *watching_ = false;
    beast::error_code ec;
    // Cancels only the pending wait; no other operation is outstanding between our awaits.
    stream_.socket().cancel(ec);
  }
}

void Exchange::watch_disconnect(std::function<void()> on_gone,
                                std::chrono::steady_clock::duration after) {
  if (watching_) return;
  if (after > std::chrono::steady_clock::duration::zero()) {
    watch_alarm_.on_gone = std::move(on_gone);
    watch_alarm_.arm_after(after);
    return;
  }
  start_watch(std::move(on_gone));
}

void Exchange::start_watch(std::function<void()> on_gone) {
  if (watching_) return;
  watching_ = std::make_shared<bool>(true);
  auto watching = watching_;
  auto& socket = stream_.socket();
  socket.async_wait(tcp::socket::wait_read,
                    [watching, &socket, on_gone = std::move(on_gone)](beast::error_code ec) {
                      if (ec || !*watching) return;
                      // Readable: either the peer closed (peek reads 0 or fails) or it pipelined
                      // its next request (data waits in the socket; leave it there).
                      char c;
                      ssize_t n = ::recv(socket.native_handle(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
                      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
                        *watching = false;
                        on_gone();
                      }
                    });
}

// The send budget is a bucket of waiting time, full at send_grace_ms: time spent waiting on the
// client's socket drains it, each byte the kernel takes refills 1 / min_send_bytes_per_s seconds.
// The cap keeps bytes the kernel buffered at once from earning a long allowance. Writing piece by
// piece (and TCP_NOTSENT_LOWAT on the socket) makes progress visible every few kilobytes.
template <class Buffers>
bool Exchange::send_now(beast::buffers_suffix<Buffers>& rest, size_t& left) {
  using Clock = std::chrono::steady_clock;
  const auto per_byte = std::chrono::duration<double>(1.0 / limits_.min_send_bytes_per_s);
  boost::system::error_code ec;
  const size_t n = stream_.write_now(rest, ec);
  sent_bytes_ += n;
  if (ec) {
    keep_alive_ = false;
    return false;
  }
  waited_ -= std::chrono::duration_cast<Clock::duration>(per_byte * static_cast<double>(n));
  if (waited_ < Clock::duration::zero()) waited_ = Clock::duration::zero();
  rest.consume(n);
  left -= std::min(left, n);
  return true;
}

template <class Buffers>
awaitable<bool> Exchange::send_rest(beast::buffers_suffix<Buffers>& rest, size_t left) {
  using Clock = std::chrono::steady_clock;
  using std::chrono::milliseconds;
  const Clock::duration grace = milliseconds(limits_.send_grace_ms);
  const auto per_byte = std::chrono::duration<double>(1.0 / limits_.min_send_bytes_per_s);
  while (left > 0) {
    const auto start = Clock::now();  // one clock read for the deadline and the budget
    stream_.expires_at(start + std::max<Clock::duration>(grace - waited_, milliseconds(1)));
    auto [ec, n] = co_await stream_.async_write_some(rest, kTryAwait);
    stream_.expires_never();
    waited_ += Clock::now() - start;
    waited_ -= std::chrono::duration_cast<Clock::duration>(per_byte * static_cast<double>(n));
    if (waited_ < Clock::duration::zero()) waited_ = Clock::duration::zero();
    sent_bytes_ += n;
    if (ec) {
      keep_alive_ = false;
      if (stream_.timed_out()) {
        // The watchdog closed the socket. Never the client's data in the log, only the counts.
        spdlog::debug("closing a slow reader after {} bytes", sent_bytes_);
        if (stats_) stats_->slow_readers_closed.fetch_add(1, std::memory_order_relaxed);
      }
      co_return false;
    }
    rest.consume(n);
    left -= std::min(left, n);
  }
  co_return true;
}

template <class Buffers>
awaitable<bool> Exchange::send(const Buffers& buffers, size_t bytes) {
  beast::buffers_suffix<Buffers> rest(buffers);
  size_t left = bytes;
  if (!send_now(rest, left)) co_return false;
  if (left == 0) co_return true;
  co_return co_await send_rest(rest, left);
}

namespace {

std::string_view reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 413:
      return "Payload Too Large";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Unknown";
  }
}

}  // namespace

// The response head is written by hand into one buffer: Beast's generic serializer costs more
// than the rest of a small response together.
void Exchange::append_head(std::string& out, int status, std::string_view content_type,
                           const Headers& headers) const {
  out += request_.version() == 10 ? "HTTP/1.0 "sv : "HTTP/1.1 "sv;
  char digits[4];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, status);
  out.append(digits, end);
  out += ' ';
  out += reason_phrase(status);
  out += "\r\nServer: tiergate\r\nContent-Type: "sv;
  out += content_type;
  out += "\r\n"sv;
  for (const auto& [k, v] : headers) {
    out += k;
    out += ": "sv;
    out += v;
    out += "\r\n"sv;
  }
  if (!keep_alive_)
    out += "Connection: close\r\n"sv;
  else if (request_.version() == 10)
    out += "Connection: keep-alive\r\n"sv;
}

awaitable<bool> Exchange::respond(int status, std::string body, std::string_view content_type,
                                  const Headers& headers) {
  stop_watch();
  std::string head;
  head.reserve(256);
  append_head(head, status, content_type, headers);
  char digits[24];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, body.size());
  head += "Content-Length: "sv;
  head.append(digits, end);
  head += "\r\n\r\n"sv;
  state_ = State::kDone;
  // What the socket takes at once (a small answer: all of it) needs no coroutine of its own.
  std::array<asio::const_buffer, 2> bufs{asio::buffer(head), asio::buffer(body)};
  beast::buffers_suffix<std::array<asio::const_buffer, 2>> rest(bufs);
  size_t left = head.size() + body.size();
  if (!send_now(rest, left)) co_return false;
  if (left == 0) co_return true;
  co_return co_await send_rest(rest, left);
}

awaitable<bool> Exchange::start_stream(int status, const Headers& headers) {
  std::string head;
  head.reserve(256);
  append_head(head, status, "text/event-stream", headers);
  head += "Cache-Control: no-cache\r\n";
  if (request_.version() == 10)
    keep_alive_ = false;  // no chunked encoding: the close ends it
  else
    head += "Transfer-Encoding: chunked\r\n";
  head += "\r\n";
  state_ = State::kStreaming;
  co_return co_await send(asio::buffer(head), head.size());
}

awaitable<bool> Exchange::write(std::string_view data) {
  if (data.empty()) co_return true;
  if (request_.version() == 10) co_return co_await send(asio::buffer(data), data.size());
  char size_line[24];
  int len = std::snprintf(size_line, sizeof size_line, "%zx\r\n", data.size());
  std::array<asio::const_buffer, 3> bufs{asio::buffer(size_line, len), asio::buffer(data),
                                         asio::buffer("\r\n", 2)};
  co_return co_await send(bufs, len + data.size() + 2);
}

awaitable<bool> Exchange::finish() {
  stop_watch();
  state_ = State::kDone;
  if (request_.version() == 10) co_return true;
  co_return co_await send(asio::buffer("0\r\n\r\n", 5), 5);
}

Server::Server(IoPool& pool, const config::ServerLimits& limits, Handler handler)
    : pool_(pool),
      limits_(limits),
      handler_(std::move(handler)),
      per_ip_(std::make_shared<AddressCounts>(limits.max_connections_per_ip)) {}

Server::~Server() { stop(); }

Result<uint16_t> Server::listen(const std::string& host, uint16_t port) {
  beast::error_code ec;
  auto address = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
  if (ec) return fail(Error::internal("cannot listen on '" + host + "': not an IP address"));
  tcp::endpoint ep{address, port};
  acceptor_ = std::make_unique<tcp::acceptor>(pool_.at(0));
  acceptor_->open(ep.protocol(), ec);
  if (!ec) acceptor_->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_->bind(ep, ec);
  if (!ec) acceptor_->listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return fail(Error::internal("cannot listen on " + host + ":" + std::to_string(port) + ": " +
                                ec.message()));
  uint16_t bound = acceptor_->local_endpoint().port();
  asio::co_spawn(pool_.at(0), accept_loop(), asio::detached);
  return bound;
}

void Server::stop() {
  if (acceptor_) {
    asio::post(acceptor_->get_executor(), [a = acceptor_.get()] {
      beast::error_code ec;
      a->close(ec);
    });
  }
}

bool AddressCounts::admit(const asio::ip::address& address) {
  std::lock_guard lock(mutex_);
  int64_t& n = counts_[address];
  if (n >= limit_) return false;  // n > 0 here: the entry stays
  ++n;
  return true;
}

void AddressCounts::release(const asio::ip::address& address) {
  std::lock_guard lock(mutex_);
  auto it = counts_.find(address);
  if (it != counts_.end() && --it->second <= 0) counts_.erase(it);
}

awaitable<void> Server::accept_loop() {
  for (;;) {
    auto& ctx = pool_.next();
    auto [ec, socket] = co_await acceptor_->async_accept(ctx, kTryAwait);
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor_->is_open()) co_return;
      if (ec == asio::error::no_descriptors) {
        spdlog::warn("accept: out of file descriptors; pausing");
        asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(50));
        co_await t.async_wait(kTryAwait);
      }
      continue;
    }
    beast::error_code ignored;
    if (stats_->open_connections.load(std::memory_order_relaxed) >= limits_.max_connections) {
      stats_->refused_max_connections.fetch_add(1, std::memory_order_relaxed);
      socket.close(ignored);  // over the limit: refuse cheaply, before any read
      continue;
    }
    auto peer = socket.remote_endpoint(ignored).address();
    if (!per_ip_->admit(peer)) {
      // One non-blocking send of a ready-made 429 (a fresh socket's buffer takes it), then close,
      // without a coroutine or a read. What already arrived of the request is discarded first,
      // so the close is a FIN and not a reset that could destroy the 429 on the way (a request
      // arriving later still meets a reset: best effort).
      stats_->refused_per_ip.fetch_add(1, std::memory_order_relaxed);
      const std::string& response = too_many_connections_response();
      int fd = socket.native_handle();
      char discard[4096];
      [[maybe_unused]] ssize_t n = ::recv(fd, discard, sizeof discard, MSG_DONTWAIT);
      n = ::send(fd, response.data(), response.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
      socket.shutdown(tcp::socket::shutdown_send, ignored);
      socket.close(ignored);
      continue;
    }
    stats_->open_connections.fetch_add(1, std::memory_order_relaxed);
    asio::co_spawn(ctx, session(std::move(socket), peer), asio::detached);
  }
}

namespace {

// The interim answer a client that sent `Expect: 100-continue` waits for before its body. Only
// once the head was accepted: a body over the limit gets its 413 instead, and no 100.
awaitable<bool> send_continue(TimedSocket& stream) {
  static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
  auto [ec, n] = co_await asio::async_write(stream, asio::buffer(kContinue), kTryAwait);
  co_return !ec;
}

}  // namespace

awaitable<void> Server::session(tcp::socket socket, asio::ip::address peer) {
  // Uncounts the connection when the session coroutine ends, whatever path it takes; also when
  // the IoPool destroys the frame at shutdown, after the Server is gone (hence shared_ptrs).
  struct Counted {
    std::shared_ptr<ServerStats> stats;
    std::shared_ptr<AddressCounts> per_ip;
    asio::ip::address peer;
    ~Counted() {
      stats->open_connections.fetch_sub(1, std::memory_order_relaxed);
      per_ip->release(peer);
    }
  } counted{stats_, per_ip_, peer};
  beast::error_code ec;
  socket.set_option(tcp::no_delay(true), ec);
  // Keep little unsent data queued in the kernel for a client that does not read, and wake
  // writes every few kilobytes of progress (for the send budget, see Exchange::send).
  ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_NOTSENT_LOWAT, &kNotSentLowat,
               sizeof kNotSentLowat);
  TimedSocket stream(std::move(socket));
  beast::flat_buffer buffer;  // no cap of its own: the parser's header_limit governs
  bool first = true;
  for (;;) {
    stream.expires_after(
        std::chrono::milliseconds(first ? limits_.header_timeout_ms : limits_.idle_timeout_ms));
    first = false;
    Request request;
    // The fast path (fast_head.h): a plain head, whole in what one read brought (nearly every
    // request), is parsed without Beast, and its body read straight into the request. Anything
    // else, and a head still on its way, goes to Beast's parser below, which reads on from the
    // same buffer.
    if (buffer.size() == 0) {
      const size_t room = std::min<size_t>(std::max<size_t>(kFirstRead, buffer.capacity()), 65536);
      auto [rec, n] = co_await stream.async_read_some(buffer.prepare(room), kTryAwait);
      if (rec) break;  // closed, reset or timed out before a byte of a request: nothing to answer
      buffer.commit(n);
    }
    if (auto head = parse_request_head(
            std::string_view(static_cast<const char*>(buffer.data().data()), buffer.size()),
            limits_.max_header_bytes, static_cast<uint64_t>(limits_.max_body_bytes), request)) {
      buffer.consume(head->head_size);
      std::string& body = request.body();
      const auto length = static_cast<size_t>(head->content_length);
      const size_t have = std::min(length, buffer.size());
      body.resize(length);
      if (have > 0) std::memcpy(body.data(), buffer.data().data(), have);
      buffer.consume(have);
      if (have < length) {
        stream.expires_after(std::chrono::milliseconds(limits_.body_timeout_ms));
        if (request.expects_continue() && !co_await send_continue(stream)) break;
        auto [bec, n] = co_await asio::async_read(
            stream, asio::buffer(body.data() + have, length - have), kTryAwait);
        if (bec) break;  // as below: a body cut short gets no answer
      }
    } else {
      RequestReader parser;
      parser.header_limit(static_cast<uint32_t>(limits_.max_header_bytes));
      parser.body_limit(static_cast<uint64_t>(limits_.max_body_bytes));
      auto [hec, hn] = co_await beast_http::async_read_header(stream, buffer, parser, kTryAwait);
      if (hec) {
        int status = 0;
        std::string body;
        if (hec == beast_http::error::header_limit) {
          status = 431;
          body = error_body(ErrorCode::kHeadersTooLarge, "Request headers are too large.");
        } else if (hec == beast_http::error::body_limit) {  // Content-Length over the limit
          status = 413;
          body = error_body(ErrorCode::kPayloadTooLarge,
                            "Request body is larger than the limit of " +
                                std::to_string(limits_.max_body_bytes) + " bytes.");
        } else if (hec != beast_http::error::end_of_stream && !stream.timed_out() &&
                   hec != asio::error::eof && hec != asio::error::connection_reset &&
                   hec != asio::error::operation_aborted && buffer.size() + hn > 0) {
          status = 400;
          body = error_body(ErrorCode::kInvalidRequest, "Malformed HTTP request.");
        }
        if (status) {
          beast_http::response<beast_http::string_body> res{static_cast<beast_http::status>(status),
                                                            11};
          res.set(beast_http::field::content_type, "application/json");
          res.keep_alive(false);
          res.body() = std::move(body);
          res.prepare_payload();
          stream.expires_after(std::chrono::seconds(5));
          co_await beast_http::async_write(stream, res, kTryAwait);
        }
        break;
      }
      // The head is in: the body has its own time limit from now. It usually came with the head:
      // what is buffered is parsed here, and only a body still on its way is read.
      beast::error_code bec = parse_buffered(parser, buffer);
      if (bec == beast_http::error::need_more) bec = {};
      if (!bec && !parser.is_done()) {
        stream.expires_after(std::chrono::milliseconds(limits_.body_timeout_ms));
        if (parser.head().expects_continue() && !co_await send_continue(stream)) break;
        auto [ec, n] = co_await beast_http::async_read(stream, buffer, parser, kTryAwait);
        bec = ec;
      }
      if (bec) {
        if (bec == beast_http::error::body_limit) {
          beast_http::response<beast_http::string_body> res{beast_http::status::payload_too_large,
                                                            11};
          res.set(beast_http::field::content_type, "application/json");
          res.keep_alive(false);
          res.body() = error_body(ErrorCode::kPayloadTooLarge, "Request body is too large.");
          res.prepare_payload();
          stream.expires_after(std::chrono::seconds(5));
          co_await beast_http::async_write(stream, res, kTryAwait);
        }
        break;
      }
      request = parser.release();
    }
    stream.expires_never();
    Exchange exchange(stream, request, limits_, stats_.get());
    co_await handler_(exchange);
    if (!exchange.responded()) {
      // A handler that forgot to answer is a bug; never leave the client hanging.
      spdlog::error("handler returned without a response for {}", std::string(request.target()));
      co_await exchange.respond(500, error_body(ErrorCode::kInternal, "No response was produced."));
    } else if (exchange.streaming()) {
      co_await exchange.finish();
    }
    if (!exchange.keep_alive()) break;
  }
  stream.expires_never();
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream.close();
}

}  // namespace tiergate::http
