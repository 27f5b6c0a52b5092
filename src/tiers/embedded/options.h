#pragma once
// The `embedded` tier kind's own YAML keys, validated at config time (no file is opened here).

#include <cstdint>
#include <memory>
#include <string>

#include "config/config.h"
#include "config/yaml_reader.h"

namespace tiergate::embedded {

struct Options {
  std::string model_path;       // GGUF file (required)
  int64_t context_size = 0;     // tokens per sequence (prompt + output); 0 = model's, max 4096
  int64_t parallel = 4;         // sequences decoded together (continuous batching slots)
  int64_t threads = 0;          // decode threads; 0 = hardware threads - 1 (at least 1)
  int64_t threads_batch = 0;    // prompt threads; 0 = same as threads
  int64_t batch_size = 512;     // tokens per llama_decode call (n_batch)
  int64_t ubatch_size = 512;    // physical micro-batch (n_ubatch), <= batch_size
  int64_t prefill_chunk = 256;  // prompt tokens of one request per engine step
  int64_t max_queue = 64;       // requests waiting for a slot before 429
  int64_t default_max_tokens = 1024;  // output limit when the request sets none
  int64_t seed = -1;                  // sampling seed when the request sets none; -1 = random
  std::string chat_template;          // "" = the model's; "raw" = plain text; builtin name or Jinja
  bool warmup = true;                 // run one decode at start-up so the first request is not slow
};

// Reads the keys above from the tier's mapping; reports problems through reader.error(). Also pins
// the tier's generic capabilities to what the engine can do (no tools, images or JSON mode).
std::shared_ptr<const void> parse_options(config::YamlReader& reader, config::TierConfig& tier);

}  // namespace tiergate::embedded
