#pragma once
// Carries tiers' events to the connection's coroutine. A tier may call from any thread (the
// embedded engine thread, an event loop); the coroutine awaits on its own event loop. One request
// may run several attempts at once (hedging) or one after another (fallback, escalation): each has
// its own sink, all feeding one channel, every event tagged with its attempt.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>

#include <memory>

#include "tiers/tier.h"

namespace tiergate::gateway {

struct TaggedEvent {
  int attempt = 0;
  TierEvent event;
};

using EventChannel =
    boost::asio::experimental::concurrent_channel<void(boost::system::error_code, TaggedEvent)>;

inline std::shared_ptr<EventChannel> make_event_channel(boost::asio::any_io_executor executor) {
  constexpr size_t kCapacity = 256;
  return std::make_shared<EventChannel>(std::move(executor), kCapacity);
}

class ChannelSink : public TierSink {
 public:
  ChannelSink(std::shared_ptr<EventChannel> channel, int attempt)
      : channel_(std::move(channel)), attempt_(attempt) {}

  void on_event(TierEvent event) override;

 private:
  std::shared_ptr<EventChannel> channel_;
  int attempt_;
};

}  // namespace tiergate::gateway
