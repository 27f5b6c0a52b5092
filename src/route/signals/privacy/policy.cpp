#include "route/signals/privacy/policy.h"

#include <fmt/format.h>

namespace tiergate::privacy {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x += 32;
    if (y >= 'A' && y <= 'Z') y += 32;
    if (x != y) return false;
  }
  return true;
}

}  // namespace

PrivacyMode effective_mode(const PrivacyConfig& config, std::string_view tenant,
                           std::string_view sensitivity_header) {
  if (iequals(trim(sensitivity_header), "high")) return PrivacyMode::kStrict;
  if (!tenant.empty()) {
    auto it = config.tenants.find(tenant);
    if (it != config.tenants.end()) return it->second;
  }
  return config.mode;
}

PrivacyAction decide_privacy_action(PrivacyMode mode, const PrivacyScan& scan) {
  if (mode == PrivacyMode::kOff || !scan.sensitive()) return PrivacyAction::kNone;
  if (mode == PrivacyMode::kRedact && !scan.failed) return PrivacyAction::kRedact;
  return PrivacyAction::kPinTrusted;
}

std::string_view privacy_action_name(PrivacyAction action) {
  switch (action) {
    case PrivacyAction::kNone:
      return "none";
    case PrivacyAction::kPinTrusted:
      return "pinned";
    case PrivacyAction::kRedact:
      return "redacted";
  }
  return "none";
}

Error privacy_refusal(const PrivacyScan& scan) {
  return Error::client(
      ErrorCode::kForbidden,
      fmt::format("the request contains sensitive data ({}) and privacy policy allows only "
                  "trusted tiers, none of which can serve it",
                  scan.failed ? std::string("scan failed") : render_counts(scan)));
}

}  // namespace tiergate::privacy
