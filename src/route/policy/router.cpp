#include "route/policy/router.h"

namespace tiergate::route {

Router::Router(const config::Config& config, std::vector<TierTraits> tiers) : tiers_(std::move(tiers)) {
  for (size_t i = 0; i < tiers_.size(); ++i)
    if (tiers_[i].name == config.routing.default_tier) default_tier_ = static_cast<int>(i);
}

Result<RouteDecision> Router::decide(const api::ChatRequest& request,
                                     const RouteSignals& signals) const {
  RouteDecision d;
  bool forced = false;
  if (request.model == "auto") {
    d.tier = default_tier_;
    d.reasons.push_back("default");
  } else {
    for (size_t i = 0; i < tiers_.size(); ++i)
      if (tiers_[i].name == request.model) {
        d.tier = static_cast<int>(i);
        d.reasons.push_back("forced");
        forced = true;
        break;
      }
    if (d.tier < 0) {
      std::string known = "auto";
      for (const auto& t : tiers_) known += ", " + t.name;
      return fail(Error::client(ErrorCode::kUnknownModel, "The model '" + request.model +
                                                              "' does not exist. Use one of: " +
                                                              known + "."));
    }
  }

  // Hard constraint: privacy.
  const bool trusted = tiers_[d.tier].trusted;
  switch (signals.privacy) {
    case privacy::PrivacyAction::kNone:
      break;
    case privacy::PrivacyAction::kRedact:
      if (!trusted) {
        d.redact = true;
        d.reasons.push_back("privacy_redacted");
      }
      break;
    case privacy::PrivacyAction::kPinTrusted: {
      if (trusted) {
        d.reasons.push_back("privacy_trusted");
        break;
      }
      int pinned = -1;
      for (size_t i = 0; i < tiers_.size() && pinned < 0; ++i)
        if (tiers_[i].trusted) pinned = static_cast<int>(i);
      if (forced || pinned < 0) {
        privacy::PrivacyScan none;
        Error e = privacy::privacy_refusal(signals.privacy_scan ? *signals.privacy_scan : none);
        if (forced && pinned >= 0)
          e.message += " The request named the untrusted tier '" + tiers_[d.tier].name +
                       "'; use 'auto' or a trusted tier such as '" + tiers_[pinned].name + "'.";
        return fail(std::move(e));
      }
      d.tier = pinned;
      d.reasons.push_back("privacy_pinned");
      break;
    }
  }
  return d;
}

}  // namespace tiergate::route
