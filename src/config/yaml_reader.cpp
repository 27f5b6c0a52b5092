#include "config/yaml_reader.h"

#include <fmt/format.h>

namespace tiergate::config {

YamlReader::YamlReader(const YAML::Node& node, std::string path, std::vector<std::string>* errors)
    : node_(node), path_(std::move(path)), errors_(errors) {
  if (node_.IsDefined() && !node_.IsNull() && !node_.IsMap()) {
    errors_->push_back(fmt::format("{}: must be a mapping", path_.empty() ? "config" : path_));
    node_ = YAML::Node(YAML::NodeType::Map);
  }
}

std::string YamlReader::path_of(const std::string& key) const {
  return path_.empty() ? key : path_ + "." + key;
}

bool YamlReader::has(const std::string& key) const {
  return node_.IsMap() && node_[key].IsDefined() && !node_[key].IsNull();
}

YAML::Node YamlReader::get(const std::string& key) {
  seen_.insert(key);
  if (!node_.IsMap()) return YAML::Node();
  return node_[key];
}

void YamlReader::error(const std::string& key, const std::string& message) {
  errors_->push_back(fmt::format("{}: {}", path_of(key), message));
}

std::optional<std::string> YamlReader::str(const std::string& key) {
  YAML::Node n = get(key);
  if (!n.IsDefined() || n.IsNull()) return std::nullopt;
  if (!n.IsScalar()) {
    error(key, "must be a string");
    return std::nullopt;
  }
  return n.as<std::string>();
}

std::string YamlReader::str(const std::string& key, const std::string& fallback) {
  return str(key).value_or(fallback);
}

std::string YamlReader::required_str(const std::string& key) {
  auto v = str(key);
  if (!v || v->empty()) {
    if (!has(key)) error(key, "is required");
    else if (v) error(key, "must not be empty");
    return {};
  }
  return *v;
}

bool YamlReader::boolean(const std::string& key, bool fallback) {
  YAML::Node n = get(key);
  if (!n.IsDefined() || n.IsNull()) return fallback;
  bool v = fallback;
  if (!n.IsScalar() || !YAML::convert<bool>::decode(n, v)) error(key, "must be true or false");
  return v;
}

int64_t YamlReader::integer(const std::string& key, int64_t fallback, int64_t min, int64_t max) {
  YAML::Node n = get(key);
  if (!n.IsDefined() || n.IsNull()) return fallback;
  long long v = 0;
  if (!n.IsScalar() || !YAML::convert<long long>::decode(n, v)) {
    error(key, "must be an integer");
    return fallback;
  }
  if (v < min || v > max) {
    error(key, fmt::format("must be between {} and {}", min, max));
    return fallback;
  }
  return v;
}

double YamlReader::number(const std::string& key, double fallback, double min, double max) {
  YAML::Node n = get(key);
  if (!n.IsDefined() || n.IsNull()) return fallback;
  double v = 0;
  if (!n.IsScalar() || !YAML::convert<double>::decode(n, v)) {
    error(key, "must be a number");
    return fallback;
  }
  if (!(v >= min && v <= max)) {
    error(key, fmt::format("must be between {} and {}", min, max));
    return fallback;
  }
  return v;
}

std::vector<std::string> YamlReader::strings(const std::string& key) {
  YAML::Node n = get(key);
  std::vector<std::string> out;
  if (!n.IsDefined() || n.IsNull()) return out;
  if (n.IsScalar()) return {n.as<std::string>()};
  if (!n.IsSequence()) {
    error(key, "must be a list of strings");
    return out;
  }
  for (const auto& item : n) {
    if (!item.IsScalar()) {
      error(key, "must be a list of strings");
      return {};
    }
    out.push_back(item.as<std::string>());
  }
  return out;
}

YAML::Node YamlReader::child(const std::string& key) { return get(key); }

void YamlReader::accept(std::initializer_list<const char*> keys) {
  for (const char* k : keys) seen_.insert(k);
}

void YamlReader::reject_unknown() {
  if (!node_.IsMap()) return;
  for (const auto& kv : node_) {
    std::string key = kv.first.as<std::string>("");
    if (!seen_.count(key)) error(key, "unknown key");
  }
}

}  // namespace tiergate::config
