#pragma once
// Paths of the test fixtures and of the optional shared routing data.

#include <filesystem>
#include <string>

namespace tiergate::complexity::testing {

inline std::string fixture(const std::string& name) {
  return std::string(TIERGATE_SOURCE_DIR) + "/tests/unit/complexity/data/" + name;
}

// The real routing data lives outside the repository; tests using it skip when it is absent.
inline std::string shared_routing_file(const std::string& name) {
  std::string p = std::string(TIERGATE_SOURCE_DIR) + "/../shared/data/routing/" + name;
  return std::filesystem::exists(p) ? p : std::string();
}

inline std::string default_model_file() {
  return std::string(TIERGATE_SOURCE_DIR) + "/data/router/complexity-default.model";
}

}  // namespace tiergate::complexity::testing
