// Placeholder until the embedded tier lands (issue 3): the kind exists and refuses to start.
#include "tiers/registry.h"

namespace tiergate {
const TierKind& embedded_tier_kind() {
  static const TierKind kind{
      "embedded",
      [](config::YamlReader& r, config::TierConfig&) -> std::shared_ptr<const void> {
        r.accept({"model_path"});
        return nullptr;
      },
      [](const config::TierConfig& t, TierEnv&) -> Result<std::unique_ptr<Tier>> {
        return fail(Error::internal("tier '" + t.name + "': kind 'embedded' is not built yet"));
      }};
  return kind;
}
}  // namespace tiergate
