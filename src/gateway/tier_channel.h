#pragma once
// Carries a tier's events to the connection's coroutine. The tier may call from any thread (the
// embedded engine thread, an event loop); the coroutine awaits on its own event loop.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>

#include <memory>

#include "tiers/tier.h"

namespace tiergate::gateway {

using EventChannel =
    boost::asio::experimental::concurrent_channel<void(boost::system::error_code, TierEvent)>;

class ChannelSink : public TierSink {
 public:
  explicit ChannelSink(boost::asio::any_io_executor executor)
      : channel_(std::make_shared<EventChannel>(executor, kCapacity)) {}

  void on_event(TierEvent event) override;
  EventChannel& channel() { return *channel_; }
  // The reader is gone: later events are dropped.
  void close() { channel_->close(); }

 private:
  static constexpr size_t kCapacity = 256;
  std::shared_ptr<EventChannel> channel_;
};

}  // namespace tiergate::gateway
