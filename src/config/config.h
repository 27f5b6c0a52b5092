#pragma once
// The validated, immutable configuration. Built once at start-up from YAML (load_config) and shared
// read-only; every key is checked and an unknown or bad key fails start-up with its path.

#include <yaml-cpp/yaml.h>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "route/budget/budget.h"
#include "route/health/circuit_breaker.h"
#include "route/signals/complexity/complexity_config.h"
#include "route/signals/privacy/privacy_config.h"

namespace tiergate::config {

struct ServerLimits {
  int64_t max_body_bytes = 4 << 20;      // a chat request with long context fits; larger is a 413
  int64_t max_header_bytes = 16 << 10;   // all request headers together; larger is a 431
  int64_t header_timeout_ms = 10'000;    // to receive a whole request head
  int64_t body_timeout_ms = 30'000;      // to receive the body once the head is in
  int64_t idle_timeout_ms = 60'000;      // keep-alive connection with no request
  int64_t max_connections = 10'000;      // beyond this, new connections are closed at once
  int64_t max_connections_per_ip = 256;  // beyond this, a client address gets a 429 and a close
  // Slow readers: the time a response spends waiting on the client's socket may not exceed
  // send_grace_ms plus the bytes written so far at min_send_bytes_per_s; past it, the connection
  // is closed (and the tier's work cancelled).
  int64_t min_send_bytes_per_s = 1024;
  int64_t send_grace_ms = 10'000;
  int threads = 0;                       // event-loop threads; 0 = one per core
};

// What routing assumes of a tier's speed until it has measured it (tier.latency_prior). Zero
// takes the built-in default for the tier's location (route/policy/predict.h).
struct LatencyPrior {
  double ttft_ms = 0;               // upstream tiers: dispatch to first token
  double prefill_tokens_per_s = 0;  // edge tiers
  double decode_tokens_per_s = 0;
};

// Generic keys of a tier; `options` holds what its kind parsed of the rest (see tiers/registry.h).
struct TierConfig {
  std::string name;
  std::string kind;
  std::string model;  // the model name the tier serves (upstream name for openai tiers)
  // Where it runs: the edge (in process or a local server) or the cloud. Default: embedded tiers
  // are edge, the others cloud. The quality signal prefers cloud tiers for complex requests.
  bool edge = false;
  bool trusted = false;
  LatencyPrior latency_prior;
  int64_t context_window = 0;
  bool supports_tools = true;
  bool supports_images = false;
  bool supports_json_mode = true;
  double price_input_per_mtok = 0;
  double price_output_per_mtok = 0;
  std::shared_ptr<const void> options;  // owned by the tier kind; cast back by its factory
};

// routing.tenants.NAME: a tenant's policy.
struct TenantPolicy {
  std::vector<std::string> allowed_tiers;  // empty: every tier
  std::optional<double> latency_budget_ms;
  std::optional<route::BudgetOptions> budget;
};

// routing.escalation: the edge answers first; when its first tokens are unsure, the cloud does.
struct EscalationConfig {
  bool enabled = false;
  int tokens = 8;                   // judged on this many first tokens
  double min_mean_logprob = -1.5;   // mean token log-probability below this escalates
};

// routing.hedging: latency-critical requests start two tiers; the first token wins.
struct HedgingConfig {
  bool enabled = false;
  double max_budget_ms = 1000;  // requests with a latency budget at most this are hedged
};

struct RoutingConfig {
  std::string default_tier;
  privacy::PrivacyConfig privacy;  // routing.privacy
  // routing.complexity: the quality signal. Absent: `auto` prefers default_tier.
  std::optional<complexity::ComplexityConfig> complexity;
  double latency_budget_ms = 0;       // default budget for every request; 0 = none
  int64_t expected_output_tokens = 256;  // before any answer was measured
  bool fallback = true;               // try the next tier when one fails before the first byte
  EscalationConfig escalation;
  HedgingConfig hedging;
  route::BreakerOptions circuit_breaker;
  std::map<std::string, TenantPolicy, std::less<>> tenants;
};

// Client API keys, stored as SHA-256 hashes (never the keys themselves), each mapped to a tenant.
struct ApiKey {
  std::array<uint8_t, 32> sha256{};
  std::string tenant;
};
struct AuthConfig {
  std::vector<ApiKey> keys;  // from auth.keys and auth.key_file
  // Clients must present a key. Forced on when `listen` is not a loopback address.
  bool required = false;
};

struct LoggingConfig {
  std::string level = "info";       // trace | debug | info | warn | error | off
  bool access_log = true;           // one JSON line per request on stdout
};

struct Config {
  std::string listen = "127.0.0.1:8080";
  ServerLimits limits;
  std::vector<TierConfig> tiers;
  RoutingConfig routing;
  AuthConfig auth;
  LoggingConfig logging;
  std::string source_path;  // the file it came from, for messages

  const TierConfig* find_tier(const std::string& name) const;
};

// Parses and validates. The error message lists every bad key, one per line.
Result<std::shared_ptr<const Config>> load_config_file(const std::string& path);
Result<std::shared_ptr<const Config>> load_config_string(const std::string& yaml,
                                                         const std::string& source = "<string>");

// "host:port" -> parts; port 0 is allowed (pick a free port).
struct HostPort {
  std::string host;
  uint16_t port = 0;
};
Result<HostPort> parse_host_port(const std::string& text);
bool is_loopback_host(const std::string& host);
// Authentication must be on for `listen`: keys are required beyond loopback. Checked at start-up
// (also after --listen overrides the config).
Status check_auth_for_listen(const Config& config, const std::string& listen);

}  // namespace tiergate::config
