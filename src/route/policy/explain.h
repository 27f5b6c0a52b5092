#pragma once
// A routing decision as JSON, for `tiergate explain` (and anyone who wants to see one):
//   {"tier": "edge", "fallbacks": [...], "reasons": [...], "signals": {...},
//    "predictions": {"edge": {"ttft_ms": .., "total_ms": .., "meets_budget": .., "measured": ..}},
//    "excluded": [{"tier": .., "reason": ..}], "plan": {"cascade_to": .., "hedge_with": ..}}

#include <string>

#include "route/policy/route_decision.h"
#include "route/policy/router.h"
#include "route/signals/privacy/entity.h"

namespace tiergate::route {

std::string explain_json(const Router& router, const RouteDecision& decision,
                         const privacy::PrivacyScan& scan, std::string_view privacy_action);

}  // namespace tiergate::route
