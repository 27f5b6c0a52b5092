#include "tiers/openai/openai_tier.h"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <cstdlib>

#include "api/openai/json.h"
#include "http/sse.h"
#include "tiers/registry.h"

namespace tiergate::openai {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using asio::awaitable;
using std::chrono::milliseconds;

namespace {

constexpr size_t kMaxErrorBody = 64 << 10;
constexpr size_t kMaxResponseBody = 64 << 20;
constexpr size_t kStreamReadSize = 16384;

int parse_retry_after(std::string_view v) {
  int s = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return 0;
    s = s * 10 + (c - '0');
    if (s > 86400) return 86400;
  }
  return s;
}

Error status_error(unsigned status, std::string_view body, std::string_view retry_after) {
  std::string detail = api::upstream_error_message(body);
  std::string msg = "upstream answered HTTP " + std::to_string(status) +
                    (detail.empty() ? std::string() : ": " + detail);
  if (status == 429) {
    Error e = Error::upstream(ErrorCode::kRateLimited, msg, true);
    e.retry_after_seconds = parse_retry_after(retry_after);
    e.upstream_status = 429;
    return e;
  }
  // 5xx and 408 may succeed elsewhere; other 4xx are about the request (or our key): no retry.
  bool retryable = status >= 500 || status == 408;
  Error e = Error::upstream(status == 504 ? ErrorCode::kUpstreamTimeout : ErrorCode::kUpstreamError,
                            msg, retryable);
  e.upstream_status = static_cast<int>(status);
  return e;
}

}  // namespace

// One request to the upstream. Lives on one event-loop thread: in its own coroutine (submit) or
// in the caller's (serve). `request` outlives it (the submit coroutine's, or the caller's).
class OpenAiTier::Call {
 public:
  Call(OpenAiTier& tier, TierRequest& request, TierSink& sink, bool in_caller)
      : tier_(tier), request_(request), sink_(sink), inline_(in_caller) {}

  awaitable<void> run() {
    auto start = Clock::now();
    tier_.stats_.active.fetch_add(1, std::memory_order_relaxed);
    tier_.stats_.requests.fetch_add(1, std::memory_order_relaxed);
    co_await serve(start);
    tier_.stats_.active.fetch_sub(1, std::memory_order_relaxed);
    request_.cancel->clear();
    if (!error_) {
      if (!done_sent_) sink_.on_event(TierDone{finish_reason_});
      co_return;
    }
    if (done_sent_) co_return;  // failed while draining after [DONE]: the client has its answer
    if (request_.cancel->requested())
      error_ = cancelled();
    else
      tier_.stats_.failures.fetch_add(1, std::memory_order_relaxed);
    TierEvent event{std::move(*error_)};
    sink_.on_event(std::move(event));
  }

 private:
  static Error cancelled() {
    return Error{ErrorCode::kCancelled, ErrorSource::kClient, "cancelled"};
  }

  // Serves the request; leaves error_ empty on success. (The coroutines here return nothing and
  // record their outcome in members: g++ 12 mishandles non-trivial co_await results.)
  awaitable<void> serve(Clock::time_point start) {
    const bool stream = request_.chat.stream;
    const std::string body = api::write_upstream_request(request_.chat, tier_.info_.model, stream);
    std::string head;
    head.reserve(tier_.request_head_.size() + 64);
    head += tier_.request_head_;
    head += stream ? "Accept: text/event-stream\r\n" : "Accept: application/json\r\n";
    head += "Content-Length: ";
    head += std::to_string(body.size());
    head += "\r\n\r\n";

    const auto& opt = tier_.options_.client;
    // A pooled connection the upstream closed while idle fails on first use: retry once, fresh.
    for (int attempt = 0;; ++attempt) {
      bool reused = false;
      double connect_ms = 0;
      // A pooled connection (nearly always) is taken without a coroutine of its own; otherwise,
      // and on the retry, a new one.
      if (attempt == 0 && (conn_ = tier_.client_.take_idle()))
        reused = true;
      else
        conn_ = co_await tier_.client_.acquire(reused, &connect_ms, error_, /*fresh=*/true);
      if (!conn_) co_return;
      if (!reused) update_ema(tier_.stats_.rtt_ms, connect_ms);
      std::weak_ptr<http::UpstreamConnection> weak = conn_;
      auto executor = co_await asio::this_coro::executor;
      request_.cancel->on_cancel([weak, executor] {
        asio::post(executor, [weak] {
          if (auto c = weak.lock()) c->close();
        });
      });
      if (request_.cancel->requested()) {
        error_ = cancelled();
        co_return;
      }

      http::ResponseReader parser;
      parser.body_limit(stream ? std::numeric_limits<uint64_t>::max() : kMaxResponseBody);
      // What the socket takes at once (usually all of it) is written without waiting.
      beast::error_code ec;
      const size_t written = conn_->write_now(head, body, ec);
      if (!ec && written < head.size() + body.size())
        ec = co_await conn_->write(head, body, milliseconds(opt.first_byte_timeout_ms), written);
      if (!ec)
        ec = co_await conn_->read_header(
            parser, milliseconds(std::min(opt.first_byte_timeout_ms, until_deadline())));
      if (ec) {
        conn_->close();
        if (reused && attempt == 0 && !request_.cancel->requested() && ec != beast::error::timeout)
          continue;
        error_ = transport_error(ec, "before the response began");
        co_return;
      }
      update_ema(tier_.stats_.ttft_ms, ms_since(start));
      const unsigned status = parser.status();
      if (status != 200) {
        co_await read_error(parser, status);
        co_return;
      }
      if (stream)
        co_await relay_stream(parser);
      else
        co_await read_whole(parser);
      if (!error_ && parser.is_done() && parser.keep_alive() && !request_.cancel->requested()) {
        tier_.client_.release(std::move(conn_));
      } else if (conn_) {
        conn_->close();
      }
      co_return;
    }
  }

  int64_t until_deadline() const {
    if (request_.deadline == Clock::time_point::max()) return std::numeric_limits<int64_t>::max();
    auto left = std::chrono::duration_cast<milliseconds>(request_.deadline - Clock::now()).count();
    return std::max<int64_t>(left, 1);
  }

  static double ms_since(Clock::time_point t) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
  }

  Error transport_error(beast::error_code ec, const char* when) {
    if (request_.cancel->requested()) return cancelled();
    if (ec == beast::error::timeout)
      return Error::upstream(ErrorCode::kUpstreamTimeout,
                             std::string("upstream timed out ") + when);
    return Error::upstream(ErrorCode::kUpstreamError,
                           std::string("upstream connection failed ") + when + ": " + ec.message());
  }

  awaitable<void> read_error(http::ResponseReader& parser, unsigned status) {
    std::string body;
    std::unique_ptr<char[]> buffer(new char[8192]);  // not in the frame (see read_whole)
    char* const buf = buffer.get();
    while (body.size() < kMaxErrorBody && !parser.is_done()) {
      auto [ec, n] = co_await conn_->read_body(parser, buf, 8192,
                                               milliseconds(tier_.options_.client.idle_timeout_ms));
      body.append(buf, n);
      if (ec) break;
    }
    conn_->close();
    error_ = status_error(status, body, parser.retry_after());
  }

  awaitable<void> read_whole(http::ResponseReader& parser) {
    // Read straight into the body: to its length when the upstream gives it, growing otherwise,
    // with room for the JSON parser's padding so that it is parsed where it is, not copied.
    // (No buffer in this coroutine's frame: a frame over 1 KiB is never recycled by Asio.)
    std::string body;
    const auto length = parser.content_length();
    const size_t expected = length && *length < kMaxResponseBody ? *length : 16384;
    body.reserve(expected + api::kParsePadding);
    body.resize(expected);
    size_t size = 0;
    while (!parser.is_done()) {
      if (size == body.size()) body.resize(2 * body.size());
      // What came with the head (often all of it) is taken without a wait.
      auto got = conn_->read_buffered_body(parser, body.data() + size, body.size() - size);
      if (!got)
        got = co_await conn_->read_body(parser, body.data() + size, body.size() - size,
                                        milliseconds(tier_.options_.client.idle_timeout_ms));
      auto [ec, n] = *got;
      size += n;
      if (ec) {
        error_ = transport_error(ec, "while reading the response");
        co_return;
      }
    }
    body.resize(size);
    if (request_.relay) {
      if (auto relayed = api::relayable_completion(body)) {
        finish_reason_ = relayed->finish_reason;
        sink_.on_event(std::move(*relayed));
        co_return;
      }
    }
    auto part = api::parse_upstream_response(body);
    if (!part) {
      error_ = part.error();
      error_->retryable = true;  // nothing reached the client yet
      co_return;
    }
    for (auto& d : part->deltas) {
      if (d.index == 0) finish_reason_ = d.finish_reason;
      sink_.on_event(std::move(d));
    }
    if (part->usage) sink_.on_event(*part->usage);
  }

  awaitable<void> relay_stream(http::ResponseReader& parser) {
    http::SseParser sse;
    bool done = false;
    bool sent_any = false;
    std::optional<Error> bad;
    Clock::time_point first_token{};
    auto on_event = [&](const http::SseParser::Event& ev) {
      if (done || bad) return;
      if (ev.data == "[DONE]") {
        done = true;
        if (first_token != Clock::time_point{} && usage_ && usage_->completion_tokens > 1) {
          double secs = std::chrono::duration<double>(Clock::now() - first_token).count();
          if (secs > 0)
            update_ema(tier_.stats_.decode_tokens_per_s, (usage_->completion_tokens - 1) / secs);
        }
        done_sent_ = true;
        sink_.on_event(TierDone{finish_reason_});
        return;
      }
      auto part = api::parse_upstream_chunk(ev.data);
      if (!part) {
        bad = part.error();
        return;
      }
      for (auto& d : part->deltas) {
        if (!d.content.empty() && first_token == Clock::time_point{}) first_token = Clock::now();
        if (d.index == 0 && !d.finish_reason.empty()) finish_reason_ = d.finish_reason;
        // A role-only opening chunk says nothing yet: the router may still try another tier.
        if (!d.content.empty() || !d.tool_calls_json.empty() || !d.finish_reason.empty())
          sent_any = true;
        sink_.on_event(std::move(d));
      }
      if (part->usage) {
        usage_ = *part->usage;
        sink_.on_event(*part->usage);
      }
    };
    std::unique_ptr<char[]> buffer(new char[kStreamReadSize]);  // not in the frame (see read_whole)
    char* const buf = buffer.get();
    while (!parser.is_done()) {
      // After [DONE] only the end of the chunked body is left: give it a short while, so the
      // connection can go back to the pool, but never hold the client for it (TierDone is out).
      // Serving inline, the client waits for this call to return: only what has already arrived
      // is read, and a connection still owing the end is closed instead.
      if (done && inline_ && conn_->buffered() == 0) break;
      auto timeout = done ? milliseconds(inline_ ? 50 : 1000)
                          : milliseconds(tier_.options_.client.idle_timeout_ms);
      auto [ec, n] = co_await conn_->read_body(parser, buf, kStreamReadSize, timeout);
      if (done) {
        if (ec) break;
        continue;
      }
      if (n && !sse.feed(std::string_view(buf, n), on_event))
        bad = Error::upstream(ErrorCode::kUpstreamError, "upstream sent an oversized SSE event");
      if (n && !bad) co_await sink_.flush();  // serving inline: the client gets them now
      if (bad) {
        error_ = std::move(bad);
        error_->retryable = !sent_any;
        co_return;
      }
      if (ec) {
        error_ = transport_error(ec, sent_any ? "mid-stream" : "before the first event");
        error_->retryable = !sent_any && error_->code != ErrorCode::kCancelled;
        co_return;
      }
    }
    if (!done) {
      // The body ended without [DONE]: a cut stream must not pass for a finished one.
      error_ = Error::upstream(ErrorCode::kUpstreamError, "upstream stream ended without [DONE]");
      error_->retryable = !sent_any;
    }
  }

  OpenAiTier& tier_;
  TierRequest& request_;
  TierSink& sink_;
  const bool inline_;  // in the caller's coroutine (serve), which waits for run() to return
  std::shared_ptr<http::UpstreamConnection> conn_;
  std::string finish_reason_;
  std::optional<api::Usage> usage_;
  bool done_sent_ = false;
  std::optional<Error> error_;  // the outcome; empty on success  // TierDone already went to the
                                // sink (stream saw [DONE])
};

OpenAiTier::OpenAiTier(TierInfo info, Options options, std::string api_key, http::IoPool& pool)
    : info_(std::move(info)),
      options_(std::move(options)),
      authorization_(api_key.empty() ? std::string() : "Bearer " + api_key),
      pool_(pool),
      client_(options_.url, options_.client, pool.size()) {
  // The part of every request head that never changes, built once.
  request_head_ = "POST " + options_.url.path +
                  "/chat/completions HTTP/1.1\r\nHost: " + options_.url.host_header() +
                  "\r\nContent-Type: application/json\r\nUser-Agent: tiergate/" TIERGATE_VERSION
                  "\r\n";
  if (!authorization_.empty()) request_head_ += "Authorization: " + authorization_ + "\r\n";
  for (const auto& [k, v] : options_.headers) request_head_ += k + ": " + v + "\r\n";
}

void OpenAiTier::submit(TierRequest request, std::shared_ptr<TierSink> sink) {
  // On the caller's event loop when called from one: the client connection and the upstream call
  // then share a thread and no event crosses threads.
  asio::co_spawn(
      pool_.current(),
      [this, request = std::move(request), sink = std::move(sink)]() mutable -> awaitable<void> {
        TierRequest owned = std::move(request);  // in this coroutine's frame for the whole call
        Call call(*this, owned, *sink, false);
        co_await call.run();
      },
      asio::detached);
}

awaitable<void> OpenAiTier::serve(TierRequest& request, TierSink& sink) {
  Call call(*this, request, sink, true);
  co_await call.run();
}

}  // namespace tiergate::openai

namespace tiergate {

const TierKind& openai_tier_kind() {
  static const TierKind kind{
      "openai",
      [](config::YamlReader& r, config::TierConfig& t) -> std::shared_ptr<const void> {
        auto opt = std::make_shared<openai::Options>();
        std::string base = r.required_str("base_url");
        if (!base.empty()) {
          if (auto url = http::parse_url(base))
            opt->url = *url;
          else
            r.error("base_url", url.error().message);
        }
        if (t.model.empty())
          r.error("model", "is required for openai tiers (the upstream model name)");
        opt->api_key_env = r.str("api_key_env", "");
        auto timeouts = r.nested("timeouts");
        auto& c = opt->client;
        c.connect_timeout_ms = timeouts.integer("connect_ms", c.connect_timeout_ms, 1, 600'000);
        c.first_byte_timeout_ms =
            timeouts.integer("first_byte_ms", c.first_byte_timeout_ms, 1, 3'600'000);
        c.idle_timeout_ms = timeouts.integer("idle_ms", c.idle_timeout_ms, 1, 3'600'000);
        timeouts.reject_unknown();
        auto tls = r.nested("tls");
        c.verify_tls = tls.boolean("verify", true);
        c.ca_file = tls.str("ca_file", "");
        tls.reject_unknown();
        c.max_idle_per_thread =
            static_cast<int>(r.integer("max_idle_connections", c.max_idle_per_thread, 0, 100'000));
        YAML::Node headers = r.child("headers");
        if (headers.IsDefined() && !headers.IsNull()) {
          if (!headers.IsMap())
            r.error("headers", "must be a mapping of header name to value");
          else
            for (const auto& kv : headers) {
              auto name = kv.first.as<std::string>("");
              auto lower = name;
              for (auto& ch : lower)
                ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
              if (lower == "authorization" || lower == "host" || lower == "content-length")
                r.error("headers", "'" + name + "' is set by tiergate and cannot be overridden");
              else if (!kv.second.IsScalar())
                r.error("headers", "'" + name + "' must be a string");
              else
                opt->headers.emplace_back(name, kv.second.as<std::string>());
            }
        }
        return opt;
      },
      [](const config::TierConfig& t, TierEnv& env) -> Result<std::unique_ptr<Tier>> {
        auto opt = *std::static_pointer_cast<const openai::Options>(t.options);
        std::string key;
        if (!opt.api_key_env.empty()) {
          const char* v = std::getenv(opt.api_key_env.c_str());
          if (!v || !*v)
            spdlog::warn(
                "tier '{}': environment variable {} is not set; calling the upstream "
                "without an API key",
                t.name, opt.api_key_env);
          else
            key = v;
        }
        if (!opt.client.verify_tls && opt.url.tls)
          spdlog::warn("tier '{}': TLS certificate verification is OFF (tls.verify: false)",
                       t.name);
        TierInfo info;
        info.name = t.name;
        info.kind = "openai";
        info.model = t.model;
        info.local = false;
        info.trusted = t.trusted;
        info.context_window = t.context_window;
        info.supports_tools = t.supports_tools;
        info.supports_images = t.supports_images;
        info.supports_json_mode = t.supports_json_mode;
        info.supports_logprobs = true;
        info.price_input_per_mtok = t.price_input_per_mtok;
        info.price_output_per_mtok = t.price_output_per_mtok;
        return std::make_unique<openai::OpenAiTier>(std::move(info), std::move(opt), std::move(key),
                                                    *env.pool);
      }};
  return kind;
}

}  // namespace tiergate
