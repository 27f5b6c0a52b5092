#include "route/signals/privacy/entity.h"

namespace tiergate::privacy {
namespace {

struct TypeNames {
  std::string_view name;
  std::string_view label;
};
constexpr std::array<TypeNames, kEntityTypeCount> kNames = {{
    {"email", "EMAIL"},
    {"phone", "PHONE"},
    {"card", "CARD"},
    {"iban", "IBAN"},
    {"ssn", "SSN"},
    {"ip_address", "IP"},
    {"street_address", "ADDRESS"},
    {"api_key", "API_KEY"},
    {"jwt", "JWT"},
    {"private_key", "PRIVATE_KEY"},
    {"password", "PASSWORD"},
    {"high_entropy", "SECRET"},
    {"custom", "CUSTOM"},
}};

}  // namespace

std::string_view entity_type_name(EntityType type) {
  return kNames[static_cast<size_t>(type)].name;
}

std::string_view entity_type_label(EntityType type) {
  return kNames[static_cast<size_t>(type)].label;
}

bool parse_entity_type(std::string_view name, EntityType* out) {
  for (size_t i = 0; i < kEntityTypeCount; ++i) {
    if (kNames[i].name == name) {
      *out = static_cast<EntityType>(i);
      return true;
    }
  }
  return false;
}

uint32_t PrivacyScan::total() const {
  uint32_t n = 0;
  for (uint32_t c : counts) n += c;
  return n;
}

void PrivacyScan::merge(const PrivacyScan& other) {
  for (size_t i = 0; i < kEntityTypeCount; ++i) counts[i] += other.counts[i];
  failed = failed || other.failed;
}

std::string render_counts(const PrivacyScan& scan) {
  std::string out;
  if (scan.failed) out = "scan_failed";
  scan.for_each_count([&](EntityType t, uint32_t n) {
    if (!out.empty()) out += ',';
    out += entity_type_name(t);
    out += '=';
    out += std::to_string(n);
  });
  return out;
}

}  // namespace tiergate::privacy
