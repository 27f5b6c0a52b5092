#include "tiers/embedded/embedded_tier.h"

#include "tiers/registry.h"

namespace tiergate {
namespace embedded {

Result<std::unique_ptr<EmbeddedTier>> EmbeddedTier::create(const config::TierConfig& tier,
                                                           const Options& options) {
  std::unique_ptr<EmbeddedTier> t(new EmbeddedTier());
  auto engine = Engine::create(options, &t->stats_);
  if (!engine) {
    Error e = engine.error();
    e.message = "tier '" + tier.name + "': " + e.message;
    return fail(std::move(e));
  }
  t->engine_ = std::move(*engine);
  TierInfo& info = t->info_;
  info.name = tier.name;
  info.kind = "embedded";
  info.model = tier.model;
  info.local = true;
  info.trusted = true;
  info.context_window =
      tier.context_window > 0
          ? std::min<int64_t>(tier.context_window, t->engine_->context_per_sequence())
          : t->engine_->context_per_sequence();
  info.supports_tools = false;
  info.supports_images = false;
  info.supports_json_mode = false;
  info.supports_logprobs = true;
  info.price_input_per_mtok = tier.price_input_per_mtok;
  info.price_output_per_mtok = tier.price_output_per_mtok;
  return t;
}

EmbeddedTier::~EmbeddedTier() { shutdown(); }

void EmbeddedTier::shutdown() {
  if (engine_) engine_->shutdown();
}

std::optional<Error> unsupported_request(const api::ChatRequest& chat) {
  auto bad = [](std::string m) { return Error::client(ErrorCode::kInvalidRequest, std::move(m)); };
  if (chat.wants_tools()) return bad("the embedded tier does not support tools");
  if (chat.has_images()) return bad("the embedded tier does not support images");
  if (chat.wants_json_mode()) return bad("the embedded tier does not support response_format");
  for (const auto& m : chat.messages) {
    if (m.role == "tool" || !m.tool_calls_json.empty())
      return bad("the embedded tier does not support tool messages");
    for (const auto& p : m.content)
      if (p.kind != api::ContentPart::Kind::kText)
        return bad("the embedded tier accepts text content only");
  }
  if (chat.messages.empty()) return bad("messages must not be empty");
  if (chat.n && *chat.n != 1) return bad("the embedded tier supports n = 1 only");
  if (auto limit = chat.output_limit(); limit && *limit < 1)
    return bad("max_tokens must be at least 1");
  if (chat.temperature && (*chat.temperature < 0 || *chat.temperature > 2))
    return bad("temperature must be between 0 and 2");
  if (chat.top_p && (*chat.top_p <= 0 || *chat.top_p > 1))
    return bad("top_p must be greater than 0 and at most 1");
  if (chat.top_logprobs && (*chat.top_logprobs < 0 || *chat.top_logprobs > 20))
    return bad("top_logprobs must be between 0 and 20");
  return std::nullopt;
}

void EmbeddedTier::submit(TierRequest request, std::shared_ptr<TierSink> sink) {
  stats_.requests.fetch_add(1, std::memory_order_relaxed);
  if (auto err = unsupported_request(request.chat)) {
    stats_.failures.fetch_add(1, std::memory_order_relaxed);
    sink->on_event(std::move(*err));
    return;
  }
  auto job = std::make_unique<Job>();
  job->submitted = Clock::now();
  job->sink = std::move(sink);
  job->cancelled = std::make_shared<std::atomic<bool>>(false);
  // The hook only raises a flag: the engine sees it before its next step and frees the sequence.
  request.cancel->on_cancel(
      [flag = job->cancelled] { flag->store(true, std::memory_order_release); });
  job->request = std::move(request);
  engine_->submit(std::move(job));
}

}  // namespace embedded

const TierKind& embedded_tier_kind() {
  static const TierKind kind{
      "embedded", embedded::parse_options,
      [](const config::TierConfig& t, TierEnv&) -> Result<std::unique_ptr<Tier>> {
        const auto* options = static_cast<const embedded::Options*>(t.options.get());
        if (!options)
          return fail(Error::internal("tier '" + t.name + "': embedded options missing"));
        auto tier = embedded::EmbeddedTier::create(t, *options);
        if (!tier) return fail(tier.error());
        return std::unique_ptr<Tier>(std::move(*tier));
      }};
  return kind;
}

}  // namespace tiergate
