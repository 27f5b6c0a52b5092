#pragma once
// Reason codes: why a request went where it went. A fixed set, so a decision carries them as a bit
// set (no allocation) and /metrics counts them in fixed series. The names are the wire format of
// the x-tiergate-reason header, the access log and `tiergate explain`.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace tiergate::route {

enum class Reason : uint8_t {
  kDefault,             // no quality signal: routing.default_tier first
  kForced,              // the request named a tier
  kComplexityHigh,      // complexity score >= threshold: the cloud first
  kComplexityLow,       // below it: the edge first
  kPrivacyPinned,       // sensitive data, strict: moved to a trusted tier
  kPrivacyTrusted,      // sensitive data, strict: the chosen tier was trusted anyway
  kPrivacyRedacted,     // sensitive data, redact: an untrusted tier gets placeholders
  kContextWindow,       // a tier dropped: prompt + output would not fit its context window
  kCapability,          // a tier dropped: it lacks tools, images, JSON mode or logprobs
  kTenantPolicy,        // a tier dropped: not in the tenant's allowed_tiers
  kCircuitOpen,         // a tier dropped: its circuit breaker is open
  kDeadline,            // a tier dropped (kept only as a fallback): predicted to miss the budget
  kDeadlineUnmeetable,  // no tier meets the budget: the fastest first
  kBudgetPacing,        // the tenant's spend runs ahead of pace: the cloud threshold was raised
  kBudgetExhausted,     // the tenant's budget is spent: paying tiers dropped
  kCloudUnavailable,    // the cloud was wanted but cannot serve: the edge serves (degraded)
  kCascade,             // the edge tries first and escalates when unsure
  kHedged,              // both tiers started, the first token wins
  // Set while serving, not by the decision:
  kFallback,   // the first choice failed before the first byte; a later tier served
  kEscalated,  // the edge was unsure; the cloud served
  kCount,
};

inline constexpr std::array<std::string_view, static_cast<size_t>(Reason::kCount)> kReasonNames = {
    "default",         "forced",           "complexity_high", "complexity_low",
    "privacy_pinned",  "privacy_trusted",  "privacy_redacted", "context_window",
    "capability",      "tenant_policy",    "circuit_open",    "deadline",
    "deadline_unmeetable", "budget_pacing", "budget_exhausted", "cloud_unavailable",
    "cascade",         "hedged",           "fallback",        "escalated",
};

constexpr std::string_view reason_name(Reason r) { return kReasonNames[static_cast<size_t>(r)]; }

class ReasonSet {
 public:
  void add(Reason r) { bits_ |= 1u << static_cast<unsigned>(r); }
  void remove(Reason r) { bits_ &= ~(1u << static_cast<unsigned>(r)); }
  bool has(Reason r) const { return bits_ >> static_cast<unsigned>(r) & 1u; }
  bool empty() const { return bits_ == 0; }
  uint32_t bits() const { return bits_; }
  template <typename Fn>
  void for_each(Fn&& fn) const {
    for (size_t i = 0; i < kReasonNames.size(); ++i)
      if (bits_ >> i & 1u) fn(static_cast<Reason>(i));
  }
  // "complexity_low,deadline": in enum order, comma-separated.
  std::string joined(char sep = ',') const {
    std::string out;
    for_each([&](Reason r) {
      if (!out.empty()) out += sep;
      out += reason_name(r);
    });
    return out;
  }

 private:
  uint32_t bits_ = 0;
};

static_assert(static_cast<size_t>(Reason::kCount) <= 32);

}  // namespace tiergate::route
