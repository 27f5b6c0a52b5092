#include "route/budget/replay.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numbers>
#include <queue>
#include <vector>

#include "route/budget/budget.h"
#include "route/signals/complexity/calibration.h"

namespace tiergate::route::replay {

namespace ch = std::chrono;

namespace {

constexpr double kDay = 86'400;
constexpr int kMaxTokens = 1024;

// splitmix64: small, fast, and the same numbers on every platform (std:: distributions are not).
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t next() {
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)
  double normal() {
    const double u = 1 - uniform(), v = uniform();
    return std::sqrt(-2 * std::log(u)) * std::cos(2 * std::numbers::pi * v);
  }
  double score() { return (uniform() + uniform() + uniform()) / 3; }

 private:
  uint64_t s_;
};

// Relative arrival rate at second `t` of a UTC day.
double rate_shape(Traffic traffic, double t) {
  if (traffic == Traffic::kUniform) return 1;
  const double h = t / 3600;
  double r = 0.08;  // night
  if (h >= 7 && h < 22) r += std::pow(std::sin(std::numbers::pi * (h - 7) / 15), 2);
  if (h >= 10.5 && h < 11) r *= 3;  // a burst
  return r;
}

double mean_shape(Traffic traffic) {
  double sum = 0;
  for (int s = 0; s < 86'400; s += 10) sum += rate_shape(traffic, s + 5);
  return sum / 8'640;
}

struct Request {
  double t = 0;  // seconds since the start of its day
  double score = 0;
  double duration = 0;
  double estimate_usd = 0;
  double actual_usd = 0;
};

std::vector<Request> make_day(const ReplayOptions& o, uint64_t day_seed) {
  Rng rng(day_seed);
  std::vector<Request> out;
  out.reserve(static_cast<size_t>(o.requests_per_day * 1.1));
  // Thinning: a homogeneous process at the peak rate, each arrival kept with rate / peak.
  const double scale = o.requests_per_day / kDay / mean_shape(o.traffic);
  double peak = 0;
  for (int s = 0; s < 86'400; s += 60) peak = std::max(peak, rate_shape(o.traffic, s + 30));
  peak *= scale * 1.01;
  double t = 0;
  while (true) {
    t += -std::log(1 - rng.uniform()) / peak;
    if (t >= kDay) break;
    if (rng.uniform() * peak >= scale * rate_shape(o.traffic, t)) continue;
    Request r;
    r.t = t;
    r.score = rng.score();
    const double in =
        std::round(std::exp(std::log(500.0) + 0.8 * rng.normal()) * (0.6 + 0.8 * r.score));
    const double out_tokens =
        std::min<double>(kMaxTokens, std::round(std::exp(std::log(250.0) + 0.7 * rng.normal())));
    r.duration = 1 + out_tokens / 50;
    r.actual_usd = (in * o.usd_per_mtok_in + out_tokens * o.usd_per_mtok_out) * 1e-6;
    r.estimate_usd = (in * o.usd_per_mtok_in + kMaxTokens * o.usd_per_mtok_out) * 1e-6;
    out.push_back(r);
  }
  return out;
}

uint64_t day_seed(uint64_t seed, int days_before_measured) {
  return Rng(seed * 1'000'003 + static_cast<uint64_t>(days_before_measured)).next();
}

struct InFlight {
  double end = 0;  // seconds since the start of the replay
  double estimate_usd = 0;
  double actual_usd = 0;
  bool operator>(const InFlight& other) const { return end > other.end; }
};

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(p * static_cast<double>(v.size() - 1))];
}

}  // namespace

const char* traffic_name(Traffic traffic) {
  return traffic == Traffic::kUniform ? "uniform" : "diurnal";
}

ReplayResult run_replay(const ReplayOptions& o) {
  // Calibration: 101 quantiles of a score sample, as the model file stores them.
  std::vector<double> sample(20'000);
  Rng calib(o.seed ^ 0xca1b);
  for (double& s : sample) s = calib.score();
  std::sort(sample.begin(), sample.end());
  std::vector<double> quantiles(101);
  for (size_t i = 0; i < quantiles.size(); ++i)
    quantiles[i] = sample[i * (sample.size() - 1) / 100];
  const double unpaced_threshold = complexity::threshold_from_quantiles(quantiles, o.target_share);

  const std::vector<Request> measured = make_day(o, day_seed(o.seed, 0));
  ReplayResult r;
  for (const Request& q : measured) {
    if (q.score >= unpaced_threshold) r.unpaced_usd += q.actual_usd;
  }
  r.budget_usd = o.budget_fraction * r.unpaced_usd;

  TenantBudget budget({.usd = r.budget_usd, .period = BudgetPeriod::kDay, .pacing = o.pacing});
  // A Monday, so nothing about the start is special.
  const ch::system_clock::time_point origin = ch::sys_days(ch::year(2025) / 1 / 6);
  auto clock = [&](double s) {
    return origin + ch::duration_cast<ch::system_clock::duration>(ch::duration<double>(s));
  };
  std::priority_queue<InFlight, std::vector<InFlight>, std::greater<>> in_flight;
  auto finish_until = [&](double t) {
    while (!in_flight.empty() && in_flight.top().end <= t) {
      const InFlight f = in_flight.top();
      in_flight.pop();
      budget.commit(f.estimate_usd, f.actual_usd, clock(f.end));
    }
  };

  std::vector<bool> cloud_measured(measured.size());
  std::vector<double> thresholds;
  double cloud_score = 0, edge_score = 0;
  for (int day = 0; day <= o.warmup_days; ++day) {
    const bool is_measured = day == o.warmup_days;
    const std::vector<Request> warmup =
        is_measured ? std::vector<Request>{} : make_day(o, day_seed(o.seed, o.warmup_days - day));
    const std::vector<Request>& requests = is_measured ? measured : warmup;
    const double day_start = day * kDay;
    for (size_t i = 0; i < requests.size(); ++i) {
      const Request& q = requests[i];
      const double t = day_start + q.t;
      finish_until(t);
      const Pace pace = budget.pace(clock(t));
      bool cloud = false;
      if (!pace.exhausted) {
        const double threshold = std::max(
            unpaced_threshold,
            complexity::threshold_from_quantiles(quantiles, o.target_share * pace.share_scale));
        cloud = q.score >= threshold;
        if (is_measured) thresholds.push_back(std::min(threshold, 1.0));
      } else if (is_measured && r.exhausted_at >= 1) {
        r.exhausted_at = q.t / kDay;
      }
      if (cloud) {
        budget.reserve(q.estimate_usd, clock(t));
        in_flight.push({t + q.duration, q.estimate_usd, q.actual_usd});
      }
      if (!is_measured) continue;
      cloud_measured[i] = cloud;
      if (cloud) {
        ++r.cloud_requests;
        r.spent_usd += q.actual_usd;
        r.max_request_usd = std::max(r.max_request_usd, q.estimate_usd);
        cloud_score += q.score;
      } else {
        edge_score += q.score;
      }
    }
  }
  finish_until(std::numeric_limits<double>::infinity());

  r.requests = measured.size();
  const double n = static_cast<double>(r.requests);
  const double n_cloud = static_cast<double>(r.cloud_requests);
  r.cloud_share = n > 0 ? n_cloud / n : 0;
  r.cloud_mean_score = n_cloud > 0 ? cloud_score / n_cloud : 0;
  r.edge_mean_score = n > n_cloud ? edge_score / (n - n_cloud) : 0;
  r.threshold_p10 = percentile(thresholds, 0.1);
  r.threshold_p90 = percentile(thresholds, 0.9);

  // With hindsight: the highest scores whose actual costs fit in the budget.
  std::vector<size_t> order(measured.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return measured[a].score > measured[b].score; });
  double filled = 0, optimal_score = 0;
  size_t optimal = 0, hit = 0;
  for (size_t i : order) {
    if (filled + measured[i].actual_usd > r.budget_usd) break;
    filled += measured[i].actual_usd;
    optimal_score += measured[i].score;
    ++optimal;
    hit += cloud_measured[i];
  }
  r.optimal_mean_score = optimal > 0 ? optimal_score / static_cast<double>(optimal) : 0;
  r.optimal_recall = optimal > 0 ? static_cast<double>(hit) / static_cast<double>(optimal) : 0;
  return r;
}

}  // namespace tiergate::route::replay
