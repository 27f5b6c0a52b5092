#include "http/watchdog.h"

#include <boost/asio/execution/context.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/query.hpp>

namespace tiergate::http {

namespace asio = boost::asio;

asio::execution_context::id Watchdog::id;

namespace {

// Every executor in tiergate is an io_context's (IoPool, tests), which is what the timer needs.
asio::io_context& as_io_context(asio::execution_context& context) {
  return static_cast<asio::io_context&>(context);
}

}  // namespace

void Deadline::arm_at(Clock::time_point at) { watchdog_->arm(*this, at); }

void Deadline::disarm() {
  if (slot_ != kUnarmed) watchdog_->disarm(*this);
}

Watchdog::Watchdog(asio::execution_context& context)
    : asio::execution_context::service(context), timer_(as_io_context(context)) {}

Watchdog& Watchdog::of(const asio::any_io_executor& executor) {
  return asio::use_service<Watchdog>(asio::query(executor, asio::execution::context));
}

void Watchdog::shutdown() {
  // The loop is going away: no more waits. Deadlines destroyed from here on (with the coroutine
  // frames the scheduler drops) still disarm, which only touches armed_.
  shut_down_ = true;
  timer_at_ = Clock::time_point::min();  // arm() never sets the timer again
}

void Watchdog::arm(Deadline& d, Clock::time_point at) {
  d.at_ = at;
  if (d.slot_ == Deadline::kUnarmed) {
    d.slot_ = armed_.size();
    armed_.push_back(&d);
  }
  if (at < timer_at_) set_timer(at);
}

void Watchdog::disarm(Deadline& d) {
  // Swap-remove. The timer stays set: when it fires early it finds nothing due and moves on.
  Deadline* last = armed_.back();
  armed_[d.slot_] = last;
  last->slot_ = d.slot_;
  armed_.pop_back();
  d.slot_ = Deadline::kUnarmed;
}

void Watchdog::set_timer(Clock::time_point at) {
  if (shut_down_) return;
  timer_at_ = at;
  timer_.expires_at(at);  // cancels the wait pending for the later time
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) on_timer();
  });
}

void Watchdog::on_timer() {
  const Clock::time_point now = Clock::now();
  timer_at_ = Clock::time_point::max();
  due_.clear();
  for (size_t i = 0; i < armed_.size();) {
    Deadline* d = armed_[i];
    if (d->at_ <= now) {
      due_.push_back(d);
      disarm(*d);  // moves the last entry into slot i: look at i again
    } else {
      ++i;
    }
  }
  // expire() may arm deadlines (which may set the timer) but destroys none of those in due_.
  for (Deadline* d : due_) d->expire();
  Clock::time_point next = Clock::time_point::max();
  for (const Deadline* d : armed_) next = std::min(next, d->at_);
  if (next < timer_at_) set_timer(next);
}

TimedSocket::TimedSocket(socket_type socket)
    : Deadline(Watchdog::of(socket.get_executor())), socket_(std::move(socket)) {}

TimedSocket::TimedSocket(const executor_type& executor)
    : Deadline(Watchdog::of(executor)), socket_(executor) {}

void TimedSocket::close() {
  disarm();
  boost::system::error_code ec;
  socket_.close(ec);
}

void TimedSocket::expire() {
  timed_out_ = true;
  boost::system::error_code ec;
  socket_.close(ec);
}

}  // namespace tiergate::http
