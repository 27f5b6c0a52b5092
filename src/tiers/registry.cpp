#include "tiers/registry.h"

namespace tiergate {
namespace {

const std::vector<const TierKind*>& kinds() {
  static const std::vector<const TierKind*> all = {
      &openai_tier_kind(),
      &embedded_tier_kind(),
  };
  return all;
}

}  // namespace

const TierKind* find_tier_kind(const std::string& name) {
  for (const TierKind* k : kinds())
    if (k->name == name) return k;
  return nullptr;
}

std::vector<std::string> tier_kind_names() {
  std::vector<std::string> names;
  for (const TierKind* k : kinds()) names.push_back(k->name);
  return names;
}

}  // namespace tiergate
