#pragma once
// The HTTP/1.1 server: accepts on one listener, spreads connections over the IoPool, reads requests
// within the configured limits and timeouts, and hands each to the application's handler as an
// Exchange. Knows nothing of LLMs.

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_suffix.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/error.h"
#include "config/config.h"
#include "http/io_pool.h"
#include "http/request.h"
#include "http/server_stats.h"
#include "http/watchdog.h"

namespace tiergate::http {

namespace beast_http = boost::beast::http;
// Extra response headers. Names are string literals (they must outlive the response); values are
// per request.
using Headers = std::vector<std::pair<std::string_view, std::string>>;

// One request and its response. Lives for one handler call, on the connection's thread.
//
// Slow readers: a response may spend at most `send_grace_ms` waiting on the client's socket, less
// what the bytes the client takes earn back at `min_send_bytes_per_s` (never more than the grace
// in all). A client that stops reading, or reads slower than the minimum rate, fails a write; the
// write returns false, the connection is closed and the caller cancels its work. Writes the kernel
// takes at once cost nothing.
class Exchange {
 public:
  Exchange(TimedSocket& stream, Request& request, const config::ServerLimits& limits,
           ServerStats* stats = nullptr);
  ~Exchange();

  const Request& request() const { return request_; }
  Request& request() { return request_; }
  std::string_view header(std::string_view name) const;
  // The peer's address, for limits and logs.
  std::string remote_address() const;

  // A whole response. Returns false if the client is gone.
  boost::asio::awaitable<bool> respond(int status, std::string body,
                                       std::string_view content_type = "application/json",
                                       const Headers& headers = {});
  // Starts a chunked text/event-stream response; then write() each piece, then finish().
  boost::asio::awaitable<bool> start_stream(int status, const Headers& headers);
  boost::asio::awaitable<bool> write(std::string_view data);
  boost::asio::awaitable<bool> finish();

  // The client is gone: no response will be written and the connection is closed.
  void abandon() {
    stop_watch();
    state_ = State::kDone;
    keep_alive_ = false;
  }

  bool responded() const { return state_ != State::kNone; }
  bool streaming() const { return state_ == State::kStreaming; }

  // Calls `on_gone` (once, on this thread) if the client closes the connection before the response
  // is finished. For long waits when nothing is written (first token, non-streaming generation).
  // Watching costs a syscall (epoll_ctl), so a fast answer should not pay it: with `after`, the
  // watch starts only if no response has begun by then.
  void watch_disconnect(std::function<void()> on_gone,
                        std::chrono::steady_clock::duration after = {});

  // Whether the connection may be reused after this exchange.
  bool keep_alive() const { return keep_alive_; }

 private:
  enum class State { kNone, kStreaming, kDone };
  // Starts the delayed watch of watch_disconnect.
  class WatchAlarm final : public Deadline {
   public:
    explicit WatchAlarm(Exchange& owner) : Deadline(owner.stream_.watchdog()), owner_(owner) {}
    ~WatchAlarm() = default;
    std::function<void()> on_gone;

   private:
    void expire() override { owner_.start_watch(std::move(on_gone)); }
    Exchange& owner_;
  };
  void start_watch(std::function<void()> on_gone);
  void stop_watch();
  // Writes all of `buffers` (`bytes` long) within the send budget; false if the client is gone
  // or too slow (then the connection is closed).
  template <class Buffers>
  boost::asio::awaitable<bool> send(const Buffers& buffers, size_t bytes);
  // send()'s two halves: what the socket takes at once (no wait; false on a write error), and
  // the rest, `left` bytes of `rest`, waiting within the budget.
  template <class Buffers>
  bool send_now(boost::beast::buffers_suffix<Buffers>& rest, size_t& left);
  template <class Buffers>
  boost::asio::awaitable<bool> send_rest(boost::beast::buffers_suffix<Buffers>& rest, size_t left);
  void append_head(std::string& out, int status, std::string_view content_type,
                   const Headers& headers) const;

  TimedSocket& stream_;
  Request& request_;
  const config::ServerLimits& limits_;
  State state_ = State::kNone;
  bool keep_alive_;
  std::shared_ptr<bool> watching_;  // shared with the pending wait; false once stopped
  WatchAlarm watch_alarm_{*this};
  ServerStats* stats_;
  uint64_t sent_bytes_ = 0;                       // this response, head included
  std::chrono::steady_clock::duration waited_{};  // send budget used (0 = the whole grace left)
};

using Handler = std::function<boost::asio::awaitable<void>(Exchange&)>;

// Open connections per client address, for limits.max_connections_per_ip. Any thread.
class AddressCounts {
 public:
  explicit AddressCounts(int64_t limit) : limit_(limit) {}
  // Counts a connection of `address`; false (nothing counted) when it is at the limit.
  bool admit(const boost::asio::ip::address& address);
  void release(const boost::asio::ip::address& address);

 private:
  const int64_t limit_;
  std::mutex mutex_;
  std::unordered_map<boost::asio::ip::address, int64_t> counts_;  // guarded by mutex_; no zeros
};

class Server {
 public:
  Server(IoPool& pool, const config::ServerLimits& limits, Handler handler);
  ~Server();

  // Binds and starts accepting; returns the bound port (useful with port 0).
  Result<uint16_t> listen(const std::string& host, uint16_t port);
  // Closes the listener; open connections finish their current request.
  void stop();

  std::shared_ptr<const std::atomic<int64_t>> connection_count() const {
    return {stats_, &stats_->open_connections};
  }
  std::shared_ptr<const ServerStats> stats() const { return stats_; }

 private:
  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> session(boost::asio::ip::tcp::socket socket,
                                       boost::asio::ip::address peer);

  IoPool& pool_;
  config::ServerLimits limits_;
  Handler handler_;
  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
  // Shared with the sessions: at shutdown the IoPool destroys their frames after the Server.
  std::shared_ptr<ServerStats> stats_ = std::make_shared<ServerStats>();
  std::shared_ptr<AddressCounts> per_ip_;
};

}  // namespace tiergate::http
