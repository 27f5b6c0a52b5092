#include "route/policy/router.h"

namespace tiergate::route {

Router::Router(const config::Config& config) {
  for (size_t i = 0; i < config.tiers.size(); ++i) {
    tier_names_.push_back(config.tiers[i].name);
    if (config.tiers[i].name == config.routing.default_tier) default_tier_ = static_cast<int>(i);
  }
}

Result<RouteDecision> Router::decide(const api::ChatRequest& request) const {
  RouteDecision d;
  if (request.model == "auto") {
    d.tier = default_tier_;
    d.reasons.push_back("default");
    return d;
  }
  for (size_t i = 0; i < tier_names_.size(); ++i)
    if (tier_names_[i] == request.model) {
      d.tier = static_cast<int>(i);
      d.reasons.push_back("forced");
      return d;
    }
  std::string known = "auto";
  for (const auto& n : tier_names_) known += ", " + n;
  return fail(Error::client(ErrorCode::kUnknownModel,
                            "The model '" + request.model + "' does not exist. Use one of: " + known + "."));
}

}  // namespace tiergate::route
