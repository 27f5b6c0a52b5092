#pragma once
// What the router must do with a request, given the privacy mode and what the scan found. Pure
// functions, no I/O; the router (route/policy) applies the action to its choice of tier.

#include <string_view>

#include "common/error.h"
#include "route/signals/privacy/entity.h"
#include "route/signals/privacy/privacy_config.h"

namespace tiergate::privacy {

// The mode for one request: the tenant's override if configured (else the global mode), forced
// to strict when the client sent `x-tiergate-sensitivity: high` (value compared
// case-insensitively, surrounding spaces ignored). `tenant` may be empty.
PrivacyMode effective_mode(const PrivacyConfig& config, std::string_view tenant,
                           std::string_view sensitivity_header);

enum class PrivacyAction : uint8_t {
  kNone,        // nothing found, or mode off: route as usual
  kPinTrusted,  // serve only on a local/trusted tier; if none can serve, refuse (privacy_refusal)
  kRedact,  // a trusted tier gets the request as is; an untrusted one only after Redactor::redact
};

// strict + sensitive -> kPinTrusted; redact + sensitive -> kRedact, except when the scan failed
// (nothing reliable to redact) -> kPinTrusted; off -> kNone; nothing found -> kNone.
PrivacyAction decide_privacy_action(PrivacyMode mode, const PrivacyScan& scan);

// Audit name of the action actually taken: "none", "pinned", "redacted", "refused".
std::string_view privacy_action_name(PrivacyAction action);
inline constexpr std::string_view kRefusedActionName = "refused";

// The 403 for a sensitive request no trusted tier can serve. Names the entity types and counts,
// never values.
Error privacy_refusal(const PrivacyScan& scan);

}  // namespace tiergate::privacy
