#include "tiers/tier.h"

namespace tiergate {

void Cancellation::request() {
  if (requested_.exchange(true, std::memory_order_acq_rel)) return;
  std::function<void()> hook;
  {
    std::lock_guard lock(mu_);
    hook = std::move(hook_);
  }
  if (hook) hook();
}

void Cancellation::on_cancel(std::function<void()> hook) {
  {
    std::lock_guard lock(mu_);
    if (!requested()) {
      hook_ = std::move(hook);
      return;
    }
  }
  if (hook) hook();
}

void Cancellation::clear() {
  std::lock_guard lock(mu_);
  hook_ = nullptr;
}

}  // namespace tiergate

namespace tiergate {

boost::asio::awaitable<void> Tier::serve(TierRequest&, TierSink& sink) {
  // Reached only by a caller that did not ask serves_inline(): fail the request, not the process.
  Error e = Error::internal("tier '" + info().name + "' cannot serve inline");
  sink.on_event(TierEvent{std::move(e)});
  co_return;
}

}  // namespace tiergate
