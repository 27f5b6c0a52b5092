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
  l.max_connections_per_ip =
      r.integer("max_connections_per_ip", l.max_connections_per_ip, 1, 1'000'000);
  l.min_send_bytes_per_s =
      r.integer("min_send_bytes_per_s", l.min_send_bytes_per_s, 1, int64_t{1} << 30);
  l.send_grace_ms = r.integer("send_grace_ms", l.send_grace_ms, 100, 600'000);
  l.threads = static_cast<int>(r.integer("threads", l.threads, 0, 256));
  r.reject_unknown();
}

bool parse_sha256_hex(std::string_view hex, std::array<uint8_t, 32>& out) {
  if (hex.size() != 64) return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < 32; ++i) {
    int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return true;
}

void read_auth(YamlReader r, AuthConfig& auth) {
  YAML::Node keys = r.child("keys");
  if (keys.IsDefined() && !keys.IsNull()) {
    if (!keys.IsSequence()) {
      r.error("keys", "must be a list of {sha256, tenant}");
    } else {
      for (size_t i = 0; i < keys.size(); ++i) {
        YamlReader k = r.nested_at("keys", i);
        ApiKey key;
        std::string hex = k.required_str("sha256");
        key.tenant = k.required_str("tenant");
        if (!hex.empty() && !parse_sha256_hex(hex, key.sha256))
          k.error("sha256", "must be 64 hex digits (sha256 of the key: printf %s KEY | sha256sum)");
        k.reject_unknown();
        auth.keys.push_back(std::move(key));
      }
    }
  }
  if (auto file = r.str("key_file")) {
    std::ifstream in(*file);
    if (!in) {
      r.error("key_file", "cannot read '" + *file + "'");
    } else {
      std::string line;
      for (int n = 1; std::getline(in, line); ++n) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream ls(line);
        std::string hex, tenant;
        ApiKey key;
        if (!(ls >> hex >> tenant) || !parse_sha256_hex(hex, key.sha256)) {
          r.error("key_file", fmt::format("{}:{}: expected 'SHA256HEX TENANT'", *file, n));
          continue;
        }
        key.tenant = tenant;
        auth.keys.push_back(std::move(key));
      }
    }
  }
  auth.required = r.boolean("required", !auth.keys.empty());
  if (auth.required && auth.keys.empty()) r.error("required", "is true but no keys are configured");
  r.reject_unknown();
}

// Everything in `routing` besides default_tier and privacy.
void read_routing_policy(YamlReader& routing, Config& cfg) {
  RoutingConfig& rc = cfg.routing;
  if (routing.has("complexity")) {
    YamlReader c = routing.nested("complexity");
    rc.complexity = complexity::parse_complexity_config(c);
  }
  rc.latency_budget_ms = routing.number("latency_budget_ms", 0, 0, 3'600'000);
  rc.expected_output_tokens = routing.integer("expected_output_tokens", 256, 1, 1 << 20);
  rc.fallback = routing.boolean("fallback", true);
  {
    YamlReader e = routing.nested("escalation");
    rc.escalation.enabled = e.boolean("enabled", false);
    rc.escalation.tokens = static_cast<int>(e.integer("tokens", rc.escalation.tokens, 1, 256));
    rc.escalation.min_mean_logprob =
        e.number("min_mean_logprob", rc.escalation.min_mean_logprob, -100, 0);
    e.reject_unknown();
  }
  {
    YamlReader h = routing.nested("hedging");
    rc.hedging.enabled = h.boolean("enabled", false);
    rc.hedging.max_budget_ms = h.number("max_budget_ms", rc.hedging.max_budget_ms, 0, 3'600'000);
    h.reject_unknown();
  }
  {
    YamlReader b = routing.nested("circuit_breaker");
    rc.circuit_breaker = route::parse_breaker_options(b);
  }
  YAML::Node tenants = routing.child("tenants");
  if (tenants.IsDefined() && !tenants.IsNull()) {
    if (!tenants.IsMap()) {
      routing.error("tenants", "must be a mapping of tenant name to policy");
      return;
    }
    YamlReader all = routing.nested("tenants");
    for (const auto& kv : tenants) {
      const std::string name = kv.first.as<std::string>();
      YamlReader t = all.nested(name);
      TenantPolicy tp;
      tp.allowed_tiers = t.strings("allowed_tiers");
      for (const auto& tier : tp.allowed_tiers)
        if (!cfg.find_tier(tier)) t.error("allowed_tiers", fmt::format("names no tier: '{}'", tier));
      if (t.has("latency_budget_ms"))
        tp.latency_budget_ms = t.number("latency_budget_ms", 0, 0, 3'600'000);
      if (t.has("budget")) {
        YamlReader b = t.nested("budget");
        tp.budget = route::parse_budget_options(b);
      }
      t.reject_unknown();
      rc.tenants.emplace(name, std::move(tp));
    }
  }
}

}  // namespace

bool is_loopback_host(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

Status check_auth_for_listen(const Config& config, const std::string& listen) {
  auto hp = parse_host_port(listen);
  if (!hp) return fail(hp.error());
  if (!is_loopback_host(hp->host) && !config.auth.required)
    return fail(Error::client(ErrorCode::kInvalidRequest,
                              fmt::format("{}: listening on {} (beyond loopback) requires client "
                                          "authentication: configure auth.keys or auth.key_file",
                                          config.source_path, listen)));
  return {};
}

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
        {
          const std::string where = t.str("location", tc.kind == "embedded" ? "edge" : "cloud");
          if (where != "edge" && where != "cloud") t.error("location", "must be edge or cloud");
          tc.edge = where == "edge";
        }
        {
          YamlReader prior = t.nested("latency_prior");
          tc.latency_prior.ttft_ms = prior.number("ttft_ms", 0, 0, 600'000);
          tc.latency_prior.prefill_tokens_per_s =
              prior.number("prefill_tokens_per_s", 0, 0, 1e9);
          tc.latency_prior.decode_tokens_per_s = prior.number("decode_tokens_per_s", 0, 0, 1e9);
          prior.reject_unknown();
        }
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
    read_routing_policy(routing, *cfg);
    routing.reject_unknown();

    read_auth(r.nested("auth"), cfg->auth);
    if (auto st = check_auth_for_listen(*cfg, cfg->listen); !st && errors.empty())
      r.error("auth", "required when listen is not a loopback address (" + cfg->listen + ")");

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
