#pragma once
// The router's answer for one request: which tier, what to try next, and why. Pure data.

#include <string>
#include <vector>

namespace tiergate::route {

struct RouteDecision {
  int tier = -1;                // index into the configured tiers; -1 = no tier can serve
  std::vector<int> fallbacks;   // tried in order when the chosen tier fails before the first byte
  std::vector<std::string> reasons;  // reason codes, e.g. "forced", "default", "privacy_pinned"
  bool redact = false;          // redact the request before the tier sees it (privacy: redact)
};

}  // namespace tiergate::route
