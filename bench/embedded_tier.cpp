// Embedded tier vs the same libllama used directly, in one process and one run:
//   1. single-stream decode tokens/s (target: tier >= 0.95x raw)
//   2. aggregate tokens/s of 4 concurrent streams vs 1 stream through the tier (target >= 2x)
//   3. time to first token added by the tier over a raw prefill + first sample (target < 5 ms)
// Medians over repetitions; raw and tier runs alternate so machine noise hits both alike.
//
//   bench_embedded_tier [--model FILE.gguf]... [--threads N] [--reps N] [--tokens N]
// Without --model: the generated test model, plus ../shared/models/stories260K.gguf if present.
#include "tiers/embedded/embedded_tier.h"

#include <llama.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tiers/embedded/backend.h"
#include "tiers/embedded/chat_format.h"
#include "tiers/embedded/sampling.h"
#include "tiers/embedded/test_model.h"

using namespace tiergate;
using namespace tiergate::embedded;
using BenchClock = std::chrono::steady_clock;

namespace {

double ms_between(BenchClock::time_point a, BenchClock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty()      ? 0
         : v.size() % 2 ? v[v.size() / 2]
                        : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

struct Config {
  std::vector<std::string> models;
  int threads = 1;
  int reps = 7;
  int tokens = 128;
  int parallel = 4;
  int context = 512;
};

api::ChatMessage user_message(const std::string& text) {
  api::ChatMessage m;
  m.role = "user";
  m.content.push_back({api::ContentPart::Kind::kText, text, ""});
  return m;
}

// ---- the tier side -------------------------------------------------------------------------

class TimingSink : public TierSink {
 public:
  void on_event(TierEvent e) override {
    const auto now = BenchClock::now();
    std::lock_guard lock(mu_);
    if (std::holds_alternative<api::ChoiceDelta>(e) && first_ == BenchClock::time_point{})
      first_ = now;
    if (auto* u = std::get_if<api::Usage>(&e)) completion_ = u->completion_tokens;
    if (auto* err = std::get_if<Error>(&e)) error_ = err->message;
    if (std::holds_alternative<TierDone>(e) || std::holds_alternative<Error>(e)) {
      done_at_ = now;
      done_ = true;
      cv_.notify_all();
    }
  }
  void wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return done_; });
  }
  BenchClock::time_point first_, done_at_;
  int64_t completion_ = 0;
  std::string error_;

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
};

TierRequest request(const std::string& prompt, int max_tokens) {
  TierRequest r;
  r.chat.messages.push_back(user_message(prompt));
  r.chat.max_tokens = max_tokens;
  r.chat.temperature = 0.0;
  return r;
}

// ---- the raw side: llama.cpp used directly, with the same context parameters ---------------

struct Raw {
  llama_model* model = nullptr;
  llama_context* ctx = nullptr;
  const llama_vocab* vocab = nullptr;
  ChatFormat format;
  llama_batch batch{};

  bool open(const std::string& path, const Config& c, const std::string& chat_template) {
    model = llama_model_load_from_file(path.c_str(), llama_model_default_params());
    if (!model) return false;
    vocab = llama_model_get_vocab(model);
    llama_context_params cp = llama_context_default_params();
    cp.n_ctx = uint32_t(c.context * c.parallel);
    cp.n_batch = 512;
    cp.n_ubatch = 512;
    cp.n_seq_max = uint32_t(c.parallel);
    cp.n_threads = cp.n_threads_batch = c.threads;
    cp.kv_unified = false;
    cp.no_perf = true;
    ctx = llama_init_from_model(model, cp);
    auto f = ChatFormat::create(model, chat_template);
    if (!ctx || !f) return false;
    format = *f;
    batch = llama_batch_init(512, 0, 1);
    return true;
  }
  ~Raw() {
    if (batch.token) llama_batch_free(batch);
    if (ctx) llama_free(ctx);
    if (model) llama_model_free(model);
  }

  struct Run {
    double ttft_ms = 0;     // tokenise + prefill + first sample
    double decode_tps = 0;  // tokens after the first, per second
    int tokens = 0;
  };
  // What an application using llama.cpp directly does: template, tokenise, prefill, then decode
  // one token at a time, turning each into text.
  Run generate(const std::string& prompt, int max_tokens) {
    Run run;
    llama_memory_clear(llama_get_memory(ctx), true);
    const auto t0 = BenchClock::now();
    const std::string text = *format.format({user_message(prompt)});
    std::vector<llama_token> toks(text.size() + 8);
    toks.resize(size_t(llama_tokenize(vocab, text.data(), int32_t(text.size()), toks.data(),
                                      int32_t(toks.size()), true, true)));
    batch.n_tokens = 0;
    for (size_t i = 0; i < toks.size(); ++i) {
      batch.token[i] = toks[i];
      batch.pos[i] = llama_pos(i);
      batch.n_seq_id[i] = 1;
      batch.seq_id[i][0] = 0;
      batch.logits[i] = i + 1 == toks.size();
      ++batch.n_tokens;
    }
    llama_decode(ctx, batch);
    SamplerPtr smpl = make_sampler(SamplingParams{0.0, 1.0, 0});
    llama_token t = llama_sampler_sample(smpl.get(), ctx, batch.n_tokens - 1);
    std::string out = token_piece(vocab, t);
    const auto t1 = BenchClock::now();
    run.ttft_ms = ms_between(t0, t1);
    run.tokens = 1;
    llama_pos pos = llama_pos(toks.size());
    while (run.tokens < max_tokens && !llama_vocab_is_eog(vocab, t)) {
      batch.n_tokens = 1;
      batch.token[0] = t;
      batch.pos[0] = pos++;
      batch.n_seq_id[0] = 1;
      batch.seq_id[0][0] = 0;
      batch.logits[0] = 1;
      if (llama_decode(ctx, batch) != 0) break;
      t = llama_sampler_sample(smpl.get(), ctx, 0);
      if (llama_vocab_is_eog(vocab, t)) break;
      out += token_piece(vocab, t);
      ++run.tokens;
    }
    const auto t2 = BenchClock::now();
    run.decode_tps = (run.tokens - 1) / (ms_between(t1, t2) / 1000.0);
    return run;
  }

  // llama.cpp's own batched path: the prompts prefilled together, then one token per sequence per
  // llama_decode. Returns aggregate tokens/s over the whole run (prefill included, as for the
  // tier).
  double generate_batched(const std::vector<std::string>& prompts, int max_tokens) {
    llama_memory_clear(llama_get_memory(ctx), true);
    const auto t0 = BenchClock::now();
    const int n = int(prompts.size());
    std::vector<SamplerPtr> smpl;
    std::vector<llama_pos> pos(size_t(n), 0);
    std::vector<int> out_row(size_t(n), -1), produced(size_t(n), 0);
    std::vector<llama_token> last(size_t(n), 0);
    batch.n_tokens = 0;
    for (int s = 0; s < n; ++s) {
      smpl.push_back(make_sampler(SamplingParams{0.0, 1.0, 0}));
      const std::string text = *format.format({user_message(prompts[size_t(s)])});
      std::vector<llama_token> toks(text.size() + 8);
      toks.resize(size_t(llama_tokenize(vocab, text.data(), int32_t(text.size()), toks.data(),
                                        int32_t(toks.size()), true, true)));
      for (size_t i = 0; i < toks.size(); ++i) {
        const int b = batch.n_tokens++;
        batch.token[b] = toks[i];
        batch.pos[b] = pos[size_t(s)]++;
        batch.n_seq_id[b] = 1;
        batch.seq_id[b][0] = s;
        batch.logits[b] = i + 1 == toks.size();
        if (batch.logits[b]) out_row[size_t(s)] = b;
      }
    }
    int total = 0, running = n;
    while (running > 0) {
      if (llama_decode(ctx, batch) != 0) break;
      std::vector<int> rows = out_row;
      batch.n_tokens = 0;
      for (int s = 0; s < n; ++s) {
        if (rows[size_t(s)] < 0) continue;
        const llama_token t = llama_sampler_sample(smpl[size_t(s)].get(), ctx, rows[size_t(s)]);
        ++total;
        if (llama_vocab_is_eog(vocab, t) || ++produced[size_t(s)] >= max_tokens) {
          out_row[size_t(s)] = -1;
          --running;
          continue;
        }
        const std::string piece = token_piece(vocab, t);  // as an application would
        (void)piece;
        const int b = batch.n_tokens++;
        batch.token[b] = t;
        batch.pos[b] = pos[size_t(s)]++;
        batch.n_seq_id[b] = 1;
        batch.seq_id[b][0] = s;
        batch.logits[b] = 1;
        out_row[size_t(s)] = b;
      }
    }
    return total / (ms_between(t0, BenchClock::now()) / 1000.0);
  }
};

void bench_model(const std::string& path, const Config& c) {
  const bool story = path.find("stories") != std::string::npos;
  const std::string chat_template = story ? "raw" : "";
  const std::string name = std::filesystem::path(path).filename().string();

  Raw raw;
  if (!raw.open(path, c, chat_template)) {
    std::fprintf(stderr, "cannot open %s\n", path.c_str());
    return;
  }
  Options o;
  o.model_path = path;
  o.context_size = c.context;
  o.parallel = c.parallel;
  o.threads = o.threads_batch = c.threads;
  o.chat_template = chat_template;
  config::TierConfig tc;
  tc.name = "bench";
  auto tier = EmbeddedTier::create(tc, o);
  if (!tier) {
    std::fprintf(stderr, "%s\n", tier.error().message.c_str());
    return;
  }

  const std::string prompt = story ? "Once upon a time, there was a little dog"
                                   : "Tell me about the edge model and the cloud";
  std::vector<double> raw_tps, tier_tps, raw_ttft, tier_ttft, one_agg, four_agg, raw_four_agg;
  std::vector<std::string> four_prompts;
  for (int i = 0; i < 4; ++i) four_prompts.push_back(prompt + " " + std::to_string(i));
  for (int rep = 0; rep < c.reps + 1; ++rep) {  // rep 0 warms both paths up and is dropped
    const bool keep = rep > 0;
    Raw::Run r = raw.generate(prompt, c.tokens);
    {
      auto sink = std::make_shared<TimingSink>();
      const auto t0 = BenchClock::now();
      (*tier)->submit(request(prompt, c.tokens), sink);
      sink->wait();
      if (!sink->error_.empty()) std::fprintf(stderr, "tier error: %s\n", sink->error_.c_str());
      if (keep) {
        raw_tps.push_back(r.decode_tps);
        raw_ttft.push_back(r.ttft_ms);
        tier_ttft.push_back(ms_between(t0, sink->first_));
        tier_tps.push_back((sink->completion_ - 1) /
                           (ms_between(sink->first_, sink->done_at_) / 1000.0));
        one_agg.push_back(sink->completion_ / (ms_between(t0, sink->done_at_) / 1000.0));
      }
    }
    const double raw4 = raw.generate_batched(four_prompts, c.tokens);
    if (keep) raw_four_agg.push_back(raw4);
    {
      std::vector<std::shared_ptr<TimingSink>> sinks;
      const auto t0 = BenchClock::now();
      for (int i = 0; i < 4; ++i) {
        sinks.push_back(std::make_shared<TimingSink>());
        (*tier)->submit(request(four_prompts[size_t(i)], c.tokens), sinks.back());
      }
      int64_t total = 0;
      auto last = t0;
      for (auto& s : sinks) {
        s->wait();
        total += s->completion_;
        last = std::max(last, s->done_at_);
      }
      if (keep) four_agg.push_back(total / (ms_between(t0, last) / 1000.0));
    }
  }
  const double rt = median(raw_tps), tt = median(tier_tps);
  const double o1 = median(one_agg), o4 = median(four_agg);
  const double rf = median(raw_ttft), tf = median(tier_ttft), r4 = median(raw_four_agg);
  std::printf("\n## %s  (threads %d, %d reps, %d tokens, %d slots x %d ctx)\n", name.c_str(),
              c.threads, c.reps, c.tokens, c.parallel, c.context);
  std::printf(
      "| metric | raw llama.cpp | tiergate | ratio / delta | target |\n|---|---|---|---|---|\n");
  std::printf("| single-stream decode tok/s | %.0f | %.0f | %.3fx | >= 0.95x: %s |\n", rt, tt,
              tt / rt, tt / rt >= 0.95 ? "met" : "NOT met");
  std::printf("| aggregate tok/s, 4 streams | %.0f (batched) | %.0f | %.3fx | - |\n", r4, o4,
              o4 / r4);
  std::printf(
      "| aggregate tok/s, tiergate 1 stream vs 4 | 1 stream: %.0f | 4 streams: %.0f | %.2fx | >= "
      "2x: %s |\n",
      o1, o4, o4 / o1, o4 / o1 >= 2 ? "met" : "NOT met");
  std::printf("| time to first token, ms | %.3f | %.3f | +%.3f ms | < 5 ms: %s |\n", rf, tf,
              tf - rf, tf - rf < 5 ? "met" : "NOT met");
  std::fflush(stdout);
  (*tier)->shutdown();
}

}  // namespace

int main(int argc, char** argv) {
  Config c;
  for (int i = 1; i < argc; ++i) {
    auto next = [&] { return i + 1 < argc ? argv[++i] : ""; };
    if (!std::strcmp(argv[i], "--model"))
      c.models.push_back(next());
    else if (!std::strcmp(argv[i], "--threads"))
      c.threads = std::atoi(next());
    else if (!std::strcmp(argv[i], "--reps"))
      c.reps = std::atoi(next());
    else if (!std::strcmp(argv[i], "--tokens"))
      c.tokens = std::atoi(next());
    else if (!std::strcmp(argv[i], "--parallel"))
      c.parallel = std::atoi(next());
    else {
      std::fprintf(stderr, "usage: %s [--model F]... [--threads N] [--reps N] [--tokens N]\n",
                   argv[0]);
      return 2;
    }
  }
  if (auto st = ensure_llama_backend(); !st) {
    std::fprintf(stderr, "%s\n", st.error().message.c_str());
    return 1;
  }
  if (c.models.empty()) {
    const std::string gen =
        (std::filesystem::temp_directory_path() / "tiergate-bench-test.gguf").string();
    if (auto st = write_test_model(gen); !st) return 1;
    c.models.push_back(gen);
    const std::string stories =
        std::string(TIERGATE_SOURCE_DIR) + "/../shared/models/stories260K.gguf";
    if (std::filesystem::exists(stories)) c.models.push_back(stories);
  }
  std::printf("# embedded tier benchmark (llama.cpp %s, %u hardware threads)\n", llama_version(),
              std::thread::hardware_concurrency());
  for (const auto& m : c.models) bench_model(m, c);
  return 0;
}
