#include "tiers/embedded/options.h"

#include <filesystem>

namespace tiergate::embedded {

std::shared_ptr<const void> parse_options(config::YamlReader& r, config::TierConfig& tier) {
  auto o = std::make_shared<Options>();
  o->model_path = r.required_str("model_path");
  o->context_size = r.integer("context_size", 0, 0, int64_t{1} << 20);
  if (o->context_size != 0 && o->context_size < 64)
    r.error("context_size", "must be 0 (the model's) or at least 64 tokens");
  o->parallel = r.integer("parallel", o->parallel, 1, 256);
  o->threads = r.integer("threads", 0, 0, 1024);
  o->threads_batch = r.integer("threads_batch", 0, 0, 1024);
  o->batch_size = r.integer("batch_size", o->batch_size, 16, 1 << 16);
  o->ubatch_size = r.integer("ubatch_size", std::min(o->batch_size, int64_t{512}), 16, 1 << 16);
  if (o->ubatch_size > o->batch_size) r.error("ubatch_size", "must not exceed batch_size");
  o->prefill_chunk = r.integer("prefill_chunk", std::min(o->batch_size, int64_t{256}), 1, 1 << 16);
  if (o->prefill_chunk > o->batch_size) r.error("prefill_chunk", "must not exceed batch_size");
  if (o->parallel >= o->batch_size) r.error("parallel", "must be below batch_size");
  o->max_queue = r.integer("max_queue", o->max_queue, 0, 1 << 20);
  o->default_max_tokens = r.integer("default_max_tokens", o->default_max_tokens, 1, 1 << 20);
  o->seed = r.integer("seed", -1, -1, 0xFFFFFFFEll);
  o->chat_template = r.str("chat_template", "");
  o->warmup = r.boolean("warmup", true);

  // What the engine can and cannot do, whatever the generic keys said.
  const YAML::Node caps = r.node()["capabilities"];
  for (const char* cap : {"tools", "images", "json_mode"}) {
    if (caps.IsMap() && caps[cap].IsScalar() && caps[cap].as<std::string>() == "true")
      r.error(std::string("capabilities.") + cap, "the embedded tier does not support it");
  }
  tier.supports_tools = false;
  tier.supports_images = false;
  tier.supports_json_mode = false;
  tier.trusted = true;  // the model runs in this process: nothing leaves the machine
  if (tier.model.empty() && !o->model_path.empty())
    tier.model = std::filesystem::path(o->model_path).stem().string();
  return o;
}

}  // namespace tiergate::embedded
