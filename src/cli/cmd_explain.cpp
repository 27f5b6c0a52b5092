// tiergate explain -c FILE.yaml [REQUEST.json] [--tenant T] [--latency-budget-ms N]
//                  [--sensitivity high]
// Prints the routing decision for one chat-completion request (stdin without a file) as JSON,
// running the same signals and policy as `serve` without building or calling any tier: tiers have
// no live statistics here, so latency predictions come from their priors. Exit 0 with the
// decision; 1 when the request would be refused (the error is printed as the OpenAI error body).
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "api/openai/json.h"
#include "cli/commands.h"
#include "config/config.h"
#include "route/policy/explain.h"
#include "route/policy/router.h"
#include "route/signals/privacy/policy.h"
#include "route/signals/privacy/scanner.h"

namespace tiergate::cli {
namespace {

struct ExplainArgs {
  std::string config;
  std::string request;  // empty: stdin
  std::string tenant;
  double latency_budget_ms = 0;
  std::string sensitivity;
};

int run_explain(const ExplainArgs& a) {
  auto config = config::load_config_file(a.config);
  if (!config) {
    std::cerr << "tiergate explain: " << config.error().message << "\n";
    return 2;
  }
  std::stringstream body;
  if (a.request.empty()) {
    body << std::cin.rdbuf();
  } else {
    std::ifstream in(a.request);
    if (!in) {
      std::cerr << "tiergate explain: cannot read '" << a.request << "'\n";
      return 2;
    }
    body << in.rdbuf();
  }
  auto request = api::parse_chat_request(body.str());
  if (!request) {
    std::cout << api::write_error(request.error()) << "\n";
    return 1;
  }
  std::vector<route::TierTraits> traits;
  for (const auto& t : (*config)->tiers) traits.push_back(route::traits_of(t, nullptr));
  auto router = route::Router::create(*config, std::move(traits));
  if (!router) {
    std::cerr << "tiergate explain: " << router.error().message << "\n";
    return 2;
  }
  auto scanner = privacy::Scanner::create((*config)->routing.privacy);
  if (!scanner) {
    std::cerr << "tiergate explain: " << scanner.error().message << "\n";
    return 2;
  }
  const auto mode = privacy::effective_mode((*config)->routing.privacy, a.tenant, a.sensitivity);
  const privacy::PrivacyScan scan = (*scanner)->scan_request(*request);
  route::RouteSignals signals;
  signals.privacy = privacy::decide_privacy_action(mode, scan);
  signals.privacy_scan = &scan;
  signals.tenant = a.tenant;
  if (a.latency_budget_ms > 0) signals.latency_budget_ms = a.latency_budget_ms;
  signals.record = false;
  auto decision = (*router)->decide(*request, signals);
  if (!decision) {
    std::cout << api::write_error(decision.error()) << "\n";
    return 1;
  }
  const std::string_view action =
      signals.privacy == privacy::PrivacyAction::kPinTrusted ? "pinned"
      : signals.privacy == privacy::PrivacyAction::kRedact   ? "redact"
                                                             : "none";
  std::cout << route::explain_json(**router, *decision, scan, action) << "\n";
  return 0;
}

}  // namespace

void add_explain_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ExplainArgs>();
  auto* cmd = app.add_subcommand(
      "explain", "Print the routing decision for a chat request (JSON) without calling any tier");
  cmd->add_option("-c,--config", args->config, "Configuration file (YAML)")->required();
  cmd->add_option("request", args->request, "Chat-completion request body (JSON); stdin if absent");
  cmd->add_option("--tenant", args->tenant, "Tenant, as x-tiergate-tenant or an API key would name it");
  cmd->add_option("--latency-budget-ms", args->latency_budget_ms,
                  "Latency budget, as x-tiergate-latency-budget-ms")
      ->check(CLI::Range(0.0, 3'600'000.0));
  cmd->add_option("--sensitivity", args->sensitivity, "As x-tiergate-sensitivity (high: strict)");
  cmd->callback([args, &exit_code] { exit_code = run_explain(*args); });
}

}  // namespace tiergate::cli
