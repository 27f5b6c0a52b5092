#include "gateway/tier_channel.h"

namespace tiergate::gateway {

void ChannelSink::on_event(TierEvent event) {
  if (!channel_->is_open()) return;  // the reader is gone: drop
  TaggedEvent tagged{attempt_, std::move(event)};
  // try_send fails only when the buffer is full (a slow client); then queue the send. Order holds:
  // while a send waits, the buffer stays full and try_send keeps failing.
  if (channel_->try_send(boost::system::error_code{}, tagged)) return;
  if (!channel_->is_open()) return;
  channel_->async_send(boost::system::error_code{}, std::move(tagged),
                       [keep = channel_](boost::system::error_code) {});
}

}  // namespace tiergate::gateway
