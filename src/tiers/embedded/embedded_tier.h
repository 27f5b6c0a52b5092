#pragma once
// Tier kind `embedded`: a GGUF model run in-process by llama.cpp (see engine.h for how requests
// are scheduled and docs/embedded-tier.md for the design).
//
// Threads: submit() may be called from any thread. Events reach the sink from the engine thread,
// except the answers given before a request is queued, which are delivered synchronously inside
// submit() on the calling thread: unsupported requests (tools, images, n > 1, ...:
// kInvalidRequest), a full queue (kRateLimited with retry_after_seconds) and shutdown
// (kUnavailable).

#include <memory>
#include <optional>

#include "config/config.h"
#include "tiers/embedded/engine.h"
#include "tiers/embedded/options.h"
#include "tiers/tier.h"

namespace tiergate::embedded {

class EmbeddedTier : public Tier {
 public:
  // Loads the model (blocking, start-up only). Errors name the tier and the model file.
  static Result<std::unique_ptr<EmbeddedTier>> create(const config::TierConfig& tier,
                                                      const Options& options);
  ~EmbeddedTier() override;

  const TierInfo& info() const override { return info_; }
  const TierStats& stats() const override { return stats_; }
  void submit(TierRequest request, std::shared_ptr<TierSink> sink) override;
  bool ready() const override { return engine_ != nullptr; }
  void shutdown() override;

 private:
  EmbeddedTier() = default;

  TierInfo info_;
  TierStats stats_;
  std::unique_ptr<Engine> engine_;  // after stats_: the engine writes stats_ until destroyed
};

// The checks that need no model: what this tier cannot serve. Empty when fine.
std::optional<Error> unsupported_request(const api::ChatRequest& chat);

}  // namespace tiergate::embedded
