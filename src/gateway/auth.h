#pragma once
// Client authentication: `Authorization: Bearer <key>`, checked against SHA-256 hashes from the
// config. The comparison is constant-time and always visits every configured key, so neither
// timing nor early exit tells an attacker how close a guess was.

#include <optional>
#include <string>
#include <string_view>

#include "config/config.h"

namespace tiergate::gateway {

class Authenticator {
 public:
  explicit Authenticator(const config::AuthConfig& config) : config_(config) {}

  bool required() const { return config_.required; }
  // The tenant of the key in `authorization` ("Bearer <key>"), or nullopt when it matches none.
  // Thread-safe.
  std::optional<std::string> tenant_for(std::string_view authorization) const;

 private:
  const config::AuthConfig& config_;
};

}  // namespace tiergate::gateway
