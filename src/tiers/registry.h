#pragma once
// Tier kinds register here by name: an options parser (run while the config is validated, so a bad
// key fails start-up) and a factory. Core code never switches on a tier's kind.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/yaml_reader.h"
#include "http/io_pool.h"
#include "tiers/tier.h"

namespace tiergate {

// What a tier may use from the process.
struct TierEnv {
  http::IoPool* pool = nullptr;  // the event loops, for network tiers
};

struct TierKind {
  std::string name;
  // Reads the kind's own keys from the tier's mapping (generic keys are already read) and returns
  // the parsed options; report problems with reader.error(). Must not do I/O beyond checks.
  std::function<std::shared_ptr<const void>(config::YamlReader& reader, config::TierConfig& tier)>
      parse_options;
  // Builds the tier. May load models or resolve names; errors name the tier.
  std::function<Result<std::unique_ptr<Tier>>(const config::TierConfig& tier, TierEnv& env)> create;
};

const TierKind* find_tier_kind(const std::string& name);
std::vector<std::string> tier_kind_names();

// One registration line per kind lives in registry.cpp.
const TierKind& openai_tier_kind();
const TierKind& embedded_tier_kind();

}  // namespace tiergate
