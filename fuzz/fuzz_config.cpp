// The config loader on arbitrary YAML: must return a config or an error, never crash or throw.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string yaml(reinterpret_cast<const char*>(data), size);
  auto config = tiergate::config::load_config_string(yaml, "<fuzz>");
  if (config) (void)(*config)->find_tier("fast");
  return 0;
}
