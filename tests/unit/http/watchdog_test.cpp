// The watchdog: deadlines expire in order and on time, disarmed ones never, a re-armed one at its
// new time; a TimedSocket closes on its deadline and says it timed out (real loopback sockets).

#include "http/watchdog.h"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace tiergate::http {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

class Recorder final : public Deadline {
 public:
  Recorder(Watchdog& w, std::vector<std::string>& log, std::string name)
      : Deadline(w), log_(log), name_(std::move(name)) {}
  ~Recorder() = default;
  Clock::time_point fired_at{};

 private:
  void expire() override {
    fired_at = Clock::now();
    log_.push_back(name_);
  }
  std::vector<std::string>& log_;
  std::string name_;
};

// Runs the context until `until` (a bound on the test, not a timing assertion).
void run_for(asio::io_context& io, milliseconds until) {
  io.restart();
  io.run_for(until);
}

TEST(Watchdog, ExpiresDueDeadlinesInTimeOrder) {
  asio::io_context io;
  Watchdog& w = Watchdog::of(io.get_executor());
  std::vector<std::string> log;
  Recorder late(w, log, "late"), early(w, log, "early"), never(w, log, "never");
  const auto start = Clock::now();
  late.arm_at(start + milliseconds(60));
  early.arm_at(start + milliseconds(20));  // earlier than the timer: moves it
  never.arm_at(start + milliseconds(10));
  never.disarm();
  EXPECT_EQ(w.armed_count(), 2u);
  run_for(io, milliseconds(200));
  EXPECT_EQ(log, (std::vector<std::string>{"early", "late"}));
  EXPECT_GE(early.fired_at, start + milliseconds(20));
  EXPECT_GE(late.fired_at, start + milliseconds(60));
  EXPECT_FALSE(early.armed());
  EXPECT_EQ(w.armed_count(), 0u);
}

TEST(Watchdog, RearmingLaterPostponesAndEarlierAdvances) {
  asio::io_context io;
  Watchdog& w = Watchdog::of(io.get_executor());
  std::vector<std::string> log;
  Recorder a(w, log, "a"), b(w, log, "b");
  const auto start = Clock::now();
  a.arm_at(start + milliseconds(10));
  a.arm_at(start + milliseconds(80));  // later: the timer fires at 10 ms, finds nothing due
  b.arm_at(start + milliseconds(40));
  run_for(io, milliseconds(30));
  EXPECT_TRUE(log.empty());
  run_for(io, milliseconds(200));
  EXPECT_EQ(log, (std::vector<std::string>{"b", "a"}));
  EXPECT_GE(a.fired_at, start + milliseconds(80));
}

TEST(Watchdog, DestroyedDeadlineLeavesTheListConsistent) {
  asio::io_context io;
  Watchdog& w = Watchdog::of(io.get_executor());
  std::vector<std::string> log;
  auto gone = std::make_unique<Recorder>(w, log, "gone");
  Recorder kept(w, log, "kept");
  gone->arm_after(milliseconds(5));
  kept.arm_after(milliseconds(15));
  gone.reset();  // disarms itself: moves `kept` into its slot
  EXPECT_EQ(w.armed_count(), 1u);
  run_for(io, milliseconds(200));
  EXPECT_EQ(log, (std::vector<std::string>{"kept"}));
}

TEST(Watchdog, OnePerIoContext) {
  asio::io_context a, b;
  EXPECT_EQ(&Watchdog::of(a.get_executor()), &Watchdog::of(a.get_executor()));
  EXPECT_NE(&Watchdog::of(a.get_executor()), &Watchdog::of(b.get_executor()));
}

// A peer that accepts and never writes: a read on it waits until the deadline closes the socket.
TEST(TimedSocket, ReadTimesOutAndSaysSo) {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  tcp::socket server_side(io);
  acceptor.async_accept(server_side, [](boost::system::error_code) {});
  boost::system::error_code read_error;
  bool timed_out = false, done = false;
  Clock::duration took{};
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        constexpr auto kTry = asio::as_tuple(asio::use_awaitable);
        TimedSocket s(co_await asio::this_coro::executor);
        auto [ec] = co_await s.socket().async_connect(acceptor.local_endpoint(), kTry);
        EXPECT_FALSE(ec);
        char buf[16];
        const auto start = Clock::now();
        s.expires_after(milliseconds(50));
        auto [rec, n] = co_await s.async_read_some(asio::buffer(buf), kTry);
        took = Clock::now() - start;
        read_error = rec;
        timed_out = s.timed_out();
        done = true;
      },
      asio::detached);
  run_for(io, milliseconds(2000));
  ASSERT_TRUE(done);
  EXPECT_TRUE(read_error);
  EXPECT_TRUE(timed_out);
  EXPECT_GE(took, milliseconds(50));
}

// The same read with the deadline disarmed after a write completes does not time out: data that
// arrives later is read.
TEST(TimedSocket, DisarmedDeadlineNeverFires) {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  tcp::socket server_side(io);
  acceptor.async_accept(server_side, [&](boost::system::error_code ec) {
    ASSERT_FALSE(ec);
    auto timer = std::make_shared<asio::steady_timer>(io, milliseconds(80));
    timer->async_wait([&, timer](boost::system::error_code) {
      asio::write(server_side, asio::buffer("hello", 5));
    });
  });
  std::string got;
  bool timed_out = true;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        constexpr auto kTry = asio::as_tuple(asio::use_awaitable);
        TimedSocket s(co_await asio::this_coro::executor);
        co_await s.socket().async_connect(acceptor.local_endpoint(), kTry);
        s.expires_after(milliseconds(30));
        s.expires_never();
        char buf[16];
        auto [ec, n] = co_await s.async_read_some(asio::buffer(buf), kTry);
        if (!ec) got.assign(buf, n);
        timed_out = s.timed_out();
      },
      asio::detached);
  run_for(io, milliseconds(2000));
  EXPECT_EQ(got, "hello");
  EXPECT_FALSE(timed_out);
}

}  // namespace
}  // namespace tiergate::http
