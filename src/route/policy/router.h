#pragma once
// Routing, version 0: `auto` goes to routing.default_tier, a tier's name forces that tier, anything
// else is an unknown model. Pure: no I/O, no tier calls.

#include <string>
#include <vector>

#include "api/openai/chat.h"
#include "common/error.h"
#include "config/config.h"
#include "route/policy/route_decision.h"

namespace tiergate::route {

class Router {
 public:
  explicit Router(const config::Config& config);
  Result<RouteDecision> decide(const api::ChatRequest& request) const;

 private:
  std::vector<std::string> tier_names_;
  int default_tier_ = 0;
};

}  // namespace tiergate::route
