#pragma once
// What the privacy scanner finds: typed spans of sensitive text, and per-request counts for the
// audit trail. Nothing here stores a value: an Entity is a type and a byte range into text the
// caller owns, and a PrivacyScan is counts only, safe to log, export and put in a header.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tiergate::privacy {

enum class EntityType : uint8_t {
  kEmail,
  kPhone,
  kCard,           // payment card number, Luhn checked
  kIban,           // mod-97 checked, country length checked
  kSsn,            // US social security number, valid ranges
  kIpAddress,      // IPv4 or IPv6
  kStreetAddress,  // house number + street name + street suffix (and a few European forms)
  kApiKey,         // vendor key formats (AWS, GitHub, OpenAI, Slack, Stripe, Google) and key=value
  kJwt,            // header decodes to JSON with "alg"
  kPrivateKey,     // PEM private-key block
  kPassword,       // the value of a password assignment, or of a URL's user:password@
  kHighEntropy,    // generic random-looking token
  kCustom,         // user-defined (config): regex or dictionary
};
inline constexpr size_t kEntityTypeCount = 13;

// Lower-case audit name: "email", "card", "api_key", ... Stable: used in headers and metrics.
std::string_view entity_type_name(EntityType type);
// Upper-case placeholder label: "EMAIL", "CARD", "API_KEY", ...
std::string_view entity_type_label(EntityType type);
// Inverse of entity_type_name; false when unknown.
bool parse_entity_type(std::string_view name, EntityType* out);

struct Entity {
  EntityType type = EntityType::kCustom;
  // Placeholder label: entity_type_label(type), or the upper-cased name of a custom entity.
  std::string_view label;  // points into the Scanner (static or config storage); outlives scans
  size_t begin = 0;        // byte offsets into the scanned text, [begin, end)
  size_t end = 0;
};

// Counts of what a request contained, by type. No values. Cheap to copy.
struct PrivacyScan {
  std::array<uint32_t, kEntityTypeCount> counts{};
  // Scanning failed (engine error, out of memory): the request must be treated as sensitive.
  bool failed = false;

  uint32_t count(EntityType t) const { return counts[static_cast<size_t>(t)]; }
  uint32_t total() const;
  bool sensitive() const { return failed || total() > 0; }
  void add(EntityType t, uint32_t n = 1) { counts[static_cast<size_t>(t)] += n; }
  void merge(const PrivacyScan& other);

  // Calls fn(EntityType, uint32_t count) for every type with a non-zero count, in enum order.
  template <typename Fn>
  void for_each_count(Fn&& fn) const {
    for (size_t i = 0; i < kEntityTypeCount; ++i)
      if (counts[i] != 0) fn(static_cast<EntityType>(i), counts[i]);
  }
};

// Compact audit rendering for a response header or an access-log field: "email=2,card=1";
// "scan_failed" (then the counts, if any) when scanning failed; "" when nothing was found.
std::string render_counts(const PrivacyScan& scan);

}  // namespace tiergate::privacy
