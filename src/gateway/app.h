#pragma once
// The application behind the HTTP server: endpoints, and the chat-completion pipeline
//   parse -> decide -> dispatch to a tier -> stream back -> log.

#include <boost/asio/awaitable.hpp>

#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "gateway/auth.h"
#include "http/io_pool.h"
#include "http/server.h"
#include "route/policy/router.h"
#include "route/signals/privacy/scanner.h"
#include "telemetry/access_log.h"
#include "telemetry/metrics.h"
#include "tiers/tier.h"

namespace tiergate::gateway {

class App {
 public:
  // Builds every tier (loading models, reading keys). Fails naming the tier.
  static Result<std::unique_ptr<App>> create(std::shared_ptr<const config::Config> config,
                                             http::IoPool& pool);
  ~App();

  boost::asio::awaitable<void> handle(http::Exchange& ex);
  const config::Config& config() const { return *config_; }
  telemetry::Metrics& metrics() { return *metrics_; }
  void shutdown();

 private:
  App(std::shared_ptr<const config::Config> config, http::IoPool& pool);

  boost::asio::awaitable<void> chat_completions(http::Exchange& ex, const std::string& tenant);
  boost::asio::awaitable<void> respond_error(http::Exchange& ex, const Error& error,
                                             const http::Headers& headers = {});
  std::string models_json() const;

  std::shared_ptr<const config::Config> config_;
  http::IoPool& pool_;
  std::vector<std::unique_ptr<Tier>> tiers_;
  std::unique_ptr<route::Router> router_;
  std::shared_ptr<const privacy::Scanner> scanner_;  // immutable, shared by all threads
  std::unique_ptr<telemetry::Metrics> metrics_;
  std::unique_ptr<telemetry::AccessLog> access_log_;
  std::unique_ptr<Authenticator> auth_;
};

}  // namespace tiergate::gateway
