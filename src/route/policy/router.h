#pragma once
// Routing: `auto` goes to routing.default_tier, a tier's name forces that tier, anything else is an
// unknown model; then hard constraints (privacy) may move or refuse the request. Pure: no I/O, no
// tier calls.

#include <string>
#include <vector>

#include "api/openai/chat.h"
#include "common/error.h"
#include "config/config.h"
#include "route/policy/route_decision.h"
#include "route/signals/privacy/policy.h"

namespace tiergate::route {

// What the router needs to know of each tier, in config order.
struct TierTraits {
  std::string name;
  bool trusted = false;  // local or trusted: may see sensitive data
};

// Per-request inputs computed before the decision (signals).
struct RouteSignals {
  privacy::PrivacyAction privacy = privacy::PrivacyAction::kNone;
  const privacy::PrivacyScan* privacy_scan = nullptr;  // for the refusal message
};

class Router {
 public:
  Router(const config::Config& config, std::vector<TierTraits> tiers);

  // The tier for this request. With kPinTrusted, `auto` is moved to the first trusted tier
  // (reason "privacy_pinned") and a request forcing an untrusted tier is refused (403), as is one
  // when no tier is trusted. With kRedact, the decision says whether the request must be redacted
  // (the tier is untrusted). Thread-safe (const).
  Result<RouteDecision> decide(const api::ChatRequest& request, const RouteSignals& signals) const;

 private:
  std::vector<TierTraits> tiers_;
  int default_tier_ = 0;
};

}  // namespace tiergate::route
