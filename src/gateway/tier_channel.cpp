#include "gateway/tier_channel.h"

#include <boost/asio/detached.hpp>

namespace tiergate::gateway {

void ChannelSink::on_event(TierEvent event) {
  if (!channel_->is_open()) return;
  // try_send fails only when the buffer is full (a slow client); then queue the send. Order holds:
  // while a send waits, the buffer stays full and try_send keeps failing.
  if (channel_->try_send(boost::system::error_code{}, event)) return;
  if (!channel_->is_open()) return;
  channel_->async_send(boost::system::error_code{}, std::move(event),
                       [keep = channel_](boost::system::error_code) {});
}

}  // namespace tiergate::gateway
