#pragma once
// Timeouts of one event loop, kept by one Asio timer.
//
// Beast's tcp_stream starts and cancels a timer wait around every read and write: a timer-queue
// update, a cancelled handler to run, and a timerfd_settime syscall whenever the loop's earliest
// expiry moves (at one connection, four per proxied request). Here a deadline is a field: arming
// one is a store (and a push the first time), and the loop's single timer moves only when a new
// deadline falls before the time it is set for. When the timer fires it expires what is due and
// sets itself to the earliest deadline left. A connection's deadlines mostly move later (the same
// timeout from a later start), so under load the timer is reset about once per expiry period, not
// once per operation.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
#include <utility>
#include <vector>

namespace tiergate::http {

class Watchdog;

// Something on one event loop that must happen at a point in time unless disarmed first. Arm,
// disarm and destroy it on the loop's thread only.
class Deadline {
 public:
  using Clock = std::chrono::steady_clock;

  explicit Deadline(Watchdog& watchdog) : watchdog_(&watchdog) {}
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;

  // (Re)arms: expire() runs on the loop once `at` has passed, unless disarmed or re-armed first.
  void arm_at(Clock::time_point at);
  void arm_after(Clock::duration d) { arm_at(Clock::now() + d); }
  void disarm();
  bool armed() const { return slot_ != kUnarmed; }
  Watchdog& watchdog() const { return *watchdog_; }

 protected:
  ~Deadline() { disarm(); }
  // The deadline passed. Runs on the loop thread, already disarmed; may re-arm. Must not destroy
  // other deadlines of the same loop (closing sockets is fine: their handlers run later).
  virtual void expire() = 0;

 private:
  friend class Watchdog;
  static constexpr size_t kUnarmed = static_cast<size_t>(-1);
  Watchdog* watchdog_;
  Clock::time_point at_{};
  size_t slot_ = kUnarmed;  // index in the watchdog's armed list
};

// One per io_context (an Asio service: `Watchdog::of(executor)`), used only on the loop's thread.
class Watchdog : public boost::asio::execution_context::service {
 public:
  using Clock = Deadline::Clock;
  static boost::asio::execution_context::id id;

  explicit Watchdog(boost::asio::execution_context& context);
  // The watchdog of the io_context behind `executor` (created on first use). Looks up a service:
  // call once per connection, not per operation.
  static Watchdog& of(const boost::asio::any_io_executor& executor);

  size_t armed_count() const { return armed_.size(); }

 private:
  friend class Deadline;
  void shutdown() override;
  void arm(Deadline& d, Clock::time_point at);
  void disarm(Deadline& d);
  void set_timer(Clock::time_point at);
  void on_timer();

  boost::asio::steady_timer timer_;
  Clock::time_point timer_at_ = Clock::time_point::max();  // when the pending wait fires
  std::vector<Deadline*> armed_;
  std::vector<Deadline*> due_;  // scratch of on_timer
  bool shut_down_ = false;
};

// A TCP socket whose operations are bounded by a deadline: an AsyncStream for Beast (http reads
// and writes, ssl_stream) like beast::tcp_stream, without its timer per operation. The deadline
// covers what runs between expires_after() and expires_never(); when it passes, the socket is
// closed, the pending operation fails (operation_aborted, bad_descriptor) and timed_out() says
// why. Call expires_never() once the bounded operation completes.
class TimedSocket : private Deadline {
 public:
  using socket_type = boost::asio::ip::tcp::socket;
  using executor_type = socket_type::executor_type;
  using lowest_layer_type = TimedSocket;  // for asio::ssl::stream

  explicit TimedSocket(socket_type socket);
  explicit TimedSocket(const executor_type& executor);

  executor_type get_executor() { return socket_.get_executor(); }
  socket_type& socket() { return socket_; }
  lowest_layer_type& lowest_layer() { return *this; }
  using Deadline::watchdog;

  void expires_after(Clock::duration d) { arm_after(d); }
  void expires_at(Clock::time_point t) { arm_at(t); }
  void expires_never() { disarm(); }
  bool timed_out() const { return timed_out_; }
  // Disarms and closes the socket; pending operations fail with operation_aborted.
  void close();

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return socket_.async_read_some(buffers, std::forward<Token>(token));
  }
  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return socket_.async_write_some(buffers, std::forward<Token>(token));
  }
  // Writes what the kernel takes at once, without waiting; returns how much. A full socket is
  // not an error (0 bytes). Most answers fit the socket buffer: written this way they need no
  // operation queued through the event loop, and async_write_some is for the rest.
  template <class ConstBuffers>
  size_t write_now(const ConstBuffers& buffers, boost::system::error_code& ec) {
    if (!socket_.non_blocking() && (socket_.non_blocking(true, ec), ec)) return 0;
    const size_t n = socket_.write_some(buffers, ec);
    if (ec == boost::asio::error::would_block || ec == boost::asio::error::try_again) ec = {};
    return n;
  }

 private:
  void expire() override;

  socket_type socket_;
  bool timed_out_ = false;
};

}  // namespace tiergate::http
