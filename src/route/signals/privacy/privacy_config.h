#pragma once
// routing.privacy: what to detect and what to do about it. Parsed once at start-up; immutable.
//
//   routing:
//     privacy:
//       mode: strict            # strict | redact | off
//       disable: [street_address]   # entity types not to detect (entity_type_name spelling)
//       entropy_threshold: 3.5  # bits/char for generic high-entropy tokens
//       entropy_min_length: 20
//       max_candidates: 1048576 # engine candidates per text before failing closed
//       custom_entities:
//         - name: customer_id
//           regex: 'CUST-[0-9]{8}'
//         - name: project
//           words: [Bluebird, Nightjar]
//           case_insensitive: true
//       tenants:
//         acme: {mode: redact}

#include <array>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "config/yaml_reader.h"
#include "route/signals/privacy/entity.h"

namespace tiergate::privacy {

enum class PrivacyMode : uint8_t { kStrict, kRedact, kOff };
std::string_view privacy_mode_name(PrivacyMode mode);

struct CustomEntity {
  std::string name;                // [a-z0-9_]+; placeholder label is its upper case
  std::string regex;               // Hyperscan syntax; exclusive with words
  std::vector<std::string> words;  // exact words or phrases
  bool case_insensitive = false;
};

struct PrivacyConfig {
  PrivacyMode mode = PrivacyMode::kStrict;
  std::array<bool, kEntityTypeCount> enabled = [] {
    std::array<bool, kEntityTypeCount> a{};
    a.fill(true);
    return a;
  }();
  double entropy_threshold = 3.5;
  int entropy_min_length = 20;
  int64_t max_candidates = 1 << 20;
  std::vector<CustomEntity> custom_entities;
  std::map<std::string, PrivacyMode, std::less<>> tenants;  // tenant name -> mode override
};

// Reads the `routing.privacy` mapping (reader = routing.nested("privacy")). Every bad key is
// reported through the reader with its full path (e.g. "routing.privacy.custom_entities[0].regex"),
// custom regexes are compiled to check them, and unknown keys are rejected. An absent mapping
// yields the defaults (strict). May only be called at start-up (yaml-cpp may throw inside; this
// function catches and reports).
PrivacyConfig parse_privacy_config(config::YamlReader& reader);

}  // namespace tiergate::privacy
