#include "gateway/app.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "api/openai/json.h"
#include "common/json_writer.h"
#include "tiers/registry.h"

namespace tiergate::gateway {

namespace asio = boost::asio;
using asio::awaitable;

App::App(std::shared_ptr<const config::Config> config, http::IoPool& pool)
    : config_(std::move(config)), pool_(pool) {}

App::~App() { shutdown(); }

Result<std::unique_ptr<App>> App::create(std::shared_ptr<const config::Config> config,
                                         http::IoPool& pool) {
  std::unique_ptr<App> app(new App(config, pool));
  TierEnv env{&pool};
  std::vector<const Tier*> raw;
  for (const auto& tc : config->tiers) {
    const TierKind* kind = find_tier_kind(tc.kind);
    auto tier = kind->create(tc, env);
    if (!tier) return fail(tier.error());
    raw.push_back(tier->get());
    app->tiers_.push_back(std::move(*tier));
  }
  std::vector<route::TierTraits> traits;
  std::vector<const TierStats*> stats;
  for (size_t i = 0; i < raw.size(); ++i) {
    traits.push_back(route::traits_of(config->tiers[i], &raw[i]->info()));
    stats.push_back(&raw[i]->stats());
  }
  auto router = route::Router::create(config, std::move(traits), std::move(stats));
  if (!router) return fail(router.error());
  app->router_ = std::move(*router);
  auto scanner = privacy::Scanner::create(config->routing.privacy);
  if (!scanner) return fail(scanner.error());
  app->scanner_ = std::move(*scanner);
  app->metrics_ = std::make_unique<telemetry::Metrics>(raw);
  std::vector<const route::CircuitBreaker*> breakers;
  for (size_t i = 0; i < raw.size(); ++i) breakers.push_back(&app->router_->breaker(static_cast<int>(i)));
  app->metrics_->watch_breakers(std::move(breakers));
  app->access_log_ = std::make_unique<telemetry::AccessLog>(config->logging.access_log);
  app->auth_ = std::make_unique<Authenticator>(config->auth);
  return app;
}

void App::shutdown() {
  for (auto& t : tiers_) t->shutdown();
}

awaitable<void> App::respond_error(http::Exchange& ex, const Error& error,
                                   const http::Headers& headers) {
  http::Headers h = headers;
  if ((error.code == ErrorCode::kRateLimited || error.code == ErrorCode::kUnavailable) &&
      error.retry_after_seconds > 0)
    h.emplace_back("retry-after", std::to_string(error.retry_after_seconds));
  int status = http_status(error);
  if (status == 499) status = 500;  // never sent: the client is gone
  metrics_->count_response(status);
  co_await ex.respond(status, api::write_error(error), "application/json", h);
}

std::string App::models_json() const {
  std::string out;
  JsonWriter w(out);
  w.begin_object().field("object", "list").key("data").begin_array();
  w.begin_object().field("id", "auto").field("object", "model").field("created", int64_t{0})
      .field("owned_by", "tiergate").end_object();
  for (const auto& t : tiers_) {
    const auto& i = t->info();
    w.begin_object().field("id", i.name).field("object", "model").field("created", int64_t{0})
        .field("owned_by", "tiergate").field("tier_kind", i.kind).field("tier_model", i.model)
        .field("local", i.local).end_object();
  }
  w.end_array().end_object();
  return out;
}

awaitable<void> App::handle(http::Exchange& ex) {
  const auto& req = ex.request();
  std::string_view target = req.target();
  if (auto q = target.find('?'); q != std::string_view::npos) target = target.substr(0, q);
  const bool get = req.method() == http::beast_http::verb::get;
  const bool post = req.method() == http::beast_http::verb::post;
  // The API needs a key when authentication is on; health, readiness and metrics stay open.
  const bool api = target.starts_with("/v1/") || target == "/chat/completions" || target == "/models";
  std::string tenant;
  if (api && auth_->required()) {
    auto t = auth_->tenant_for(ex.header("authorization"));
    if (!t) {
      co_await respond_error(ex, Error::client(ErrorCode::kUnauthorized,
                                               "Invalid or missing API key: send 'Authorization: "
                                               "Bearer <key>' with a key tiergate knows."));
      co_return;
    }
    tenant = std::move(*t);
  }
  if (target == "/v1/chat/completions" || target == "/chat/completions") {
    if (!post) {
      co_await respond_error(ex, Error::client(ErrorCode::kMethodNotAllowed, "Use POST for chat completions."));
      co_return;
    }
    co_await chat_completions(ex, tenant);
  } else if (target == "/v1/models" || target == "/models") {
    if (!get) {
      co_await respond_error(ex, Error::client(ErrorCode::kMethodNotAllowed, "Use GET for models."));
      co_return;
    }
    metrics_->count_response(200);
    co_await ex.respond(200, models_json());
  } else if (target == "/healthz") {
    co_await ex.respond(200, R"({"status":"ok"})");
  } else if (target == "/readyz") {
    std::string out;
    JsonWriter w(out);
    bool all = true;
    w.begin_object().key("tiers").begin_object();
    for (const auto& t : tiers_) {
      all = all && t->ready();
      w.dynamic_key(t->info().name).value(t->ready() ? "ready" : "not_ready");
    }
    w.end_object().field("status", all ? "ready" : "not_ready").end_object();
    co_await ex.respond(all ? 200 : 503, std::move(out));
  } else if (target == "/metrics") {
    co_await ex.respond(200, metrics_->render(), "text/plain; version=0.0.4");
  } else {
    co_await respond_error(ex, Error::client(ErrorCode::kNotFound,
                                             "Unknown path. tiergate serves /v1/chat/completions, "
                                             "/v1/models, /healthz, /readyz and /metrics."));
  }
}

}  // namespace tiergate::gateway
