#pragma once
// One JSON line per request on stdout: the decision, tokens, cost, timings and outcome. Never the
// prompt or the completion: the record has no field that could carry them.

#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

namespace tiergate::telemetry {

struct AccessRecord {
  std::string request_id;
  std::string method;
  std::string path;
  int status = 0;
  std::string tenant;  // the authenticated tenant (a config name), empty without authentication
  std::string requested_model;
  std::string tier;
  std::vector<std::string> reasons;
  bool stream = false;
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
  double cost_usd = 0;
  double ttft_ms = -1;
  double total_ms = 0;
  std::string error_code;  // empty on success
  std::string finish_reason;
  std::string privacy_action;    // none | pinned | redacted | refused
  std::string privacy_entities;  // "email=2,card=1": types and counts, never values
  // Routing: the signals and predictions the decision used, and what happened while serving.
  double complexity = -1e300;      // score; absent when no quality signal
  double latency_budget_ms = -1;   // -1: none
  double predicted_ttft_ms = -1;   // of the serving tier
  double predicted_total_ms = -1;
  std::vector<std::string> attempts;  // tiers that failed or were abandoned, "cloud:upstream_error"
  bool escalated = false;
  bool hedged = false;
  bool degraded = false;
  double all_cloud_cost_usd = -1;  // the same tokens on the reference cloud tier; -1: none
};

class AccessLog {
 public:
  explicit AccessLog(bool enabled, std::FILE* out = stdout) : enabled_(enabled), out_(out) {}
  void write(const AccessRecord& r);

 private:
  bool enabled_;
  std::FILE* out_;
  std::mutex mu_;  // guards out_ (one line at a time)
};

}  // namespace tiergate::telemetry
