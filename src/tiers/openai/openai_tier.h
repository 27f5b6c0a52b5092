#pragma once
// Tier kind `openai`: any OpenAI-compatible upstream over HTTP(S) (OpenAI, vLLM, llama.cpp server,
// Ollama, another tiergate). Streams pass through event by event; nothing is buffered to the end.

#include <memory>
#include <string>
#include <vector>

#include "http/client.h"
#include "http/io_pool.h"
#include "tiers/tier.h"

namespace tiergate::openai {

struct Options {
  http::Url url;
  std::string api_key_env;  // the key is read from this environment variable at start-up
  http::ClientOptions client;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers sent upstream
};

class OpenAiTier : public Tier {
 public:
  OpenAiTier(TierInfo info, Options options, std::string api_key, http::IoPool& pool);

  const TierInfo& info() const override { return info_; }
  const TierStats& stats() const override { return stats_; }
  void submit(TierRequest request, std::shared_ptr<TierSink> sink) override;
  bool serves_inline() const override { return true; }
  boost::asio::awaitable<void> serve(TierRequest& request, TierSink& sink) override;
  bool ready() const override { return true; }

 private:
  class Call;

  TierInfo info_;
  Options options_;
  std::string authorization_;  // "Bearer <key>", or empty
  std::string request_head_;   // request line and fixed headers, ending in \r\n
  http::IoPool& pool_;
  http::HttpClient client_;
  TierStats stats_;
};

}  // namespace tiergate::openai
