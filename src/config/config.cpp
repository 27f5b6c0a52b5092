#include "config/config.h"

#include <fmt/format.h>

#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

#include "config/yaml_reader.h"
#include "tiers/registry.h"

namespace tiergate::config {
namespace {

void read_limits(YamlReader r, ServerLimits& l) {
  l.max_body_bytes = r.integer("max_body_bytes", l.max_body_bytes, 1024, int64_t{1} << 30);
  l.max_header_bytes = r.integer("max_header_bytes", l.max_header_bytes, 1024, 1 << 20);
  l.header_timeout_ms = r.integer("header_timeout_ms", l.header_timeout_ms, 100, 600'000);
  l.body_timeout_ms = r.integer("body_timeout_ms", l.body_timeout_ms, 100, 600'000);
  l.idle_timeout_ms = r.integer("idle_timeout_ms", l.idle_timeout_ms, 100, 3'600'000);
  l.max_connections = r.integer("max_connections", l.max_connections, 1, 1'000'000);
  l.threads = static_cast<int>(r.integer("threads", l.threads, 0, 256));
  r.reject_unknown();
}

}  // namespace

const TierConfig* Config::find_tier(const std::string& name) const {
  for (const auto& t : tiers)
    if (t.name == name) return &t;
  return nullptr;
}

Result<HostPort> parse_host_port(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 == text.size())
    return fail(Error::client(ErrorCode::kInvalidRequest,
                              fmt::format("'{}' is not HOST:PORT", text)));
  HostPort hp;
  hp.host = text.substr(0, colon);
  if (hp.host.size() >= 2 && hp.host.front() == '[' && hp.host.back() == ']')
    hp.host = hp.host.substr(1, hp.host.size() - 2);
  if (hp.host.empty()) hp.host = "0.0.0.0";
  unsigned port = 0;
  auto [ptr, ec] = std::from_chars(text.data() + colon + 1, text.data() + text.size(), port);
  if (ec != std::errc() || ptr != text.data() + text.size() || port > 65535)
    return fail(Error::client(ErrorCode::kInvalidRequest,
                              fmt::format("'{}' has no valid port", text)));
  hp.port = static_cast<uint16_t>(port);
  return hp;
}

Result<std::shared_ptr<const Config>> load_config_string(const std::string& yaml,
                                                         const std::string& source) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    return fail(Error::client(ErrorCode::kInvalidRequest,
                              fmt::format("{}: invalid YAML: {}", source, e.what())));
  }
  std::vector<std::string> errors;
  auto cfg = std::make_shared<Config>();
  cfg->source_path = source;
  try {
    YamlReader r(root, "", &errors);
    cfg->listen = r.str("listen", cfg->listen);
    if (auto hp = parse_host_port(cfg->listen); !hp) r.error("listen", hp.error().message);
    read_limits(r.nested("limits"), cfg->limits);

    YAML::Node tiers = r.child("tiers");
    if (!tiers.IsDefined() || tiers.IsNull() || !tiers.IsSequence() || tiers.size() == 0) {
      errors.push_back("tiers: a non-empty list of tiers is required");
    } else {
      std::set<std::string> names;
      for (size_t i = 0; i < tiers.size(); ++i) {
        std::string path = fmt::format("tiers[{}]", i);
        YamlReader t(tiers[i], path, &errors);
        TierConfig tc;
        tc.name = t.required_str("name");
        tc.kind = t.required_str("kind");
        tc.model = t.str("model", "");
        tc.trusted = t.boolean("trusted", false);
        tc.context_window = t.integer("context_window", 0, 0, int64_t{1} << 32);
        YamlReader caps = t.nested("capabilities");
        tc.supports_tools = caps.boolean("tools", tc.supports_tools);
        tc.supports_images = caps.boolean("images", tc.supports_images);
        tc.supports_json_mode = caps.boolean("json_mode", tc.supports_json_mode);
        caps.reject_unknown();
        YamlReader price = t.nested("price");
        tc.price_input_per_mtok = price.number("input_per_mtok", 0, 0, 1e6);
        tc.price_output_per_mtok = price.number("output_per_mtok", 0, 0, 1e6);
        price.reject_unknown();
        if (!tc.name.empty() && !names.insert(tc.name).second)
          t.error("name", fmt::format("duplicate tier name '{}'", tc.name));
        if (tc.name == "auto") t.error("name", "'auto' is reserved for routing");
        if (!tc.kind.empty()) {
          if (const TierKind* kind = find_tier_kind(tc.kind)) {
            tc.options = kind->parse_options(t, tc);
          } else {
            std::string known;
            for (const auto& n : tier_kind_names()) known += (known.empty() ? "" : ", ") + n;
            t.error("kind", fmt::format("unknown tier kind '{}' (known: {})", tc.kind, known));
            t.reject_unknown();  // still report what else is off
            cfg->tiers.push_back(std::move(tc));
            continue;
          }
        }
        t.reject_unknown();
        cfg->tiers.push_back(std::move(tc));
      }
    }

    YamlReader routing = r.nested("routing");
    cfg->routing.default_tier = routing.str("default_tier", "");
    if (cfg->routing.default_tier.empty() && !cfg->tiers.empty())
      cfg->routing.default_tier = cfg->tiers.front().name;
    if (!cfg->routing.default_tier.empty() && !cfg->find_tier(cfg->routing.default_tier))
      routing.error("default_tier",
                    fmt::format("names no tier: '{}'", cfg->routing.default_tier));
    {
      YamlReader privacy = routing.nested("privacy");
      cfg->routing.privacy = privacy::parse_privacy_config(privacy);
    }
    routing.reject_unknown();

    YamlReader logging = r.nested("logging");
    cfg->logging.level = logging.str("level", cfg->logging.level);
    static const std::set<std::string> levels = {"trace", "debug", "info", "warn", "error", "off"};
    if (!levels.count(cfg->logging.level))
      logging.error("level", "must be one of trace, debug, info, warn, error, off");
    cfg->logging.access_log = logging.boolean("access_log", cfg->logging.access_log);
    logging.reject_unknown();
    r.reject_unknown();
  } catch (const YAML::Exception& e) {
    errors.push_back(fmt::format("invalid value: {}", e.what()));
  }
  if (!errors.empty()) {
    std::string msg = fmt::format("{}: invalid configuration:", source);
    for (const auto& e : errors) msg += "\n  " + e;
    return fail(Error::client(ErrorCode::kInvalidRequest, msg));
  }
  return std::shared_ptr<const Config>(std::move(cfg));
}

Result<std::shared_ptr<const Config>> load_config_file(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    return fail(Error::client(ErrorCode::kInvalidRequest,
                              fmt::format("cannot read config file '{}'", path)));
  std::stringstream ss;
  ss << in.rdbuf();
  return load_config_string(ss.str(), path);
}

}  // namespace tiergate::config
