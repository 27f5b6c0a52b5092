#pragma once
// Reads one YAML mapping with typed getters that name the offending key by its full path
// ("tiers[0].base_url") and, at the end, rejects keys nobody asked for. Errors are collected, not
// thrown, so one start-up reports every bad key at once.

#include <yaml-cpp/yaml.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace tiergate::config {

class YamlReader {
 public:
  YamlReader(const YAML::Node& node, std::string path, std::vector<std::string>* errors);

  bool has(const std::string& key) const;
  std::string path_of(const std::string& key) const;
  const std::string& path() const { return path_; }
  const YAML::Node& node() const { return node_; }

  std::optional<std::string> str(const std::string& key);
  std::string str(const std::string& key, const std::string& fallback);
  std::string required_str(const std::string& key);
  bool boolean(const std::string& key, bool fallback);
  int64_t integer(const std::string& key, int64_t fallback, int64_t min, int64_t max);
  double number(const std::string& key, double fallback, double min, double max);
  std::vector<std::string> strings(const std::string& key);
  // Marks `key` as known and returns its node (undefined when absent).
  YAML::Node child(const std::string& key);
  // A reader of the mapping at `key` that reports into the same error list.
  YamlReader nested(const std::string& key) { return YamlReader(child(key), path_of(key), errors_); }
  // A reader of the i-th mapping in the list at `key` ("key[i]").
  YamlReader nested_at(const std::string& key, size_t i) {
    return YamlReader(child(key)[i], path_of(key) + "[" + std::to_string(i) + "]", errors_);
  }
  // Marks keys as known without reading them (read elsewhere).
  void accept(std::initializer_list<const char*> keys);

  void error(const std::string& key, const std::string& message);
  // Reports every key present that no getter asked for. Call once, after reading.
  void reject_unknown();

 private:
  YAML::Node get(const std::string& key);

  YAML::Node node_;
  std::string path_;
  std::vector<std::string>* errors_;
  std::set<std::string> seen_;
};

}  // namespace tiergate::config
