#include "tiers/embedded/engine.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "tiers/embedded/backend.h"
#include "tiers/embedded/prompt.h"

namespace tiergate::embedded {
namespace {

constexpr int kMaxTopLogprobs = 20;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

Error unavailable(std::string message) {
  Error e = Error::upstream(ErrorCode::kUnavailable, std::move(message), true);
  e.source = ErrorSource::kInternal;
  return e;
}

// Checks the file before llama.cpp sees it, so the common mistakes get a plain message.
Status check_model_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    return fail(Error::internal("model file '" + path + "' does not exist"));
  if (!std::filesystem::is_regular_file(path, ec))
    return fail(Error::internal("model file '" + path + "' is not a regular file"));
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  if (!in.read(magic, 4))
    return fail(Error::internal("model file '" + path + "' cannot be read or is too short"));
  if (std::string_view(magic, 4) != "GGUF")
    return fail(Error::internal("model file '" + path + "' is not a GGUF file (bad magic)"));
  return {};
}

}  // namespace

Result<std::unique_ptr<Engine>> Engine::create(const Options& options, TierStats* stats) {
  std::unique_ptr<Engine> engine(new Engine(options, stats));
  if (auto st = engine->load(); !st) return fail(st.error());
  if (options.warmup) engine->warmup();
  engine->publish_stats();
  engine->thread_ = std::thread([e = engine.get()] { e->run(); });
  return engine;
}

Status Engine::load() {
  if (auto st = ensure_llama_backend(); !st) return st;
  const std::string& path = options_.model_path;
  if (auto st = check_model_file(path); !st) return st;

  llama_model_params mp = llama_model_default_params();
  mp.n_gpu_layers = 0;
  take_last_llama_error();
  model_ = llama_model_load_from_file(path.c_str(), mp);
  if (!model_) {
    const std::string why = take_last_llama_error();
    return fail(Error::internal("model file '" + path + "' could not be loaded (corrupt or " +
                                "unsupported GGUF)" + (why.empty() ? "" : ": " + why)));
  }
  vocab_ = llama_model_get_vocab(model_);
  char desc[256];
  llama_model_desc(model_, desc, sizeof desc);
  model_desc_ = desc;

  const int64_t parallel = options_.parallel;
  int64_t per_seq = options_.context_size;
  if (per_seq == 0)
    per_seq = std::min<int64_t>(std::max(llama_model_n_ctx_train(model_), 64), 4096);
  // One core stays with the event loops: ggml's worker threads spin at their barriers, and on an
  // oversubscribed machine that turns milliseconds into seconds.
  const unsigned hc = std::thread::hardware_concurrency();
  const unsigned hw = hc > 1 ? hc - 1 : 1;
  llama_context_params cp = llama_context_default_params();
  cp.n_ctx = uint32_t(per_seq * parallel);
  cp.n_batch = uint32_t(options_.batch_size);
  cp.n_ubatch = uint32_t(options_.ubatch_size);
  cp.n_seq_max = uint32_t(parallel);
  cp.n_threads = int32_t(options_.threads ? options_.threads : hw);
  cp.n_threads_batch = int32_t(options_.threads_batch ? options_.threads_batch : cp.n_threads);
  cp.kv_unified = false;  // each sequence owns context_size cells: no sequence can starve another
  cp.no_perf = true;
  ctx_ = llama_init_from_model(model_, cp);
  if (!ctx_) {
    const std::string why = take_last_llama_error();
    return fail(Error::internal("model file '" + path + "': cannot create a context of " +
                                std::to_string(cp.n_ctx) + " tokens" +
                                (why.empty() ? "" : ": " + why)));
  }
  n_ctx_total_ = llama_n_ctx(ctx_);
  n_ctx_seq_ = int32_t(llama_n_ctx_seq(ctx_));
  n_batch_ = int32_t(llama_n_batch(ctx_));

  auto format = ChatFormat::create(model_, options_.chat_template);
  if (!format) return fail(format.error());
  format_ = std::move(*format);

  batch_ = llama_batch_init(n_batch_, 0, 1);
  for (int64_t i = 0; i < parallel; ++i) seqs_.emplace_back(llama_seq_id(i));
  spdlog::info("embedded: loaded {} ({}), {} slots x {} tokens, {} threads, chat format: {}", path,
               model_desc_, parallel, n_ctx_seq_, cp.n_threads, format_.description());
  return {};
}

// The first decode allocates compute buffers and faults in the weights; do it before serving.
void Engine::warmup() {
  llama_token t = llama_vocab_bos(vocab_);
  if (t == LLAMA_TOKEN_NULL) t = 0;
  batch_.n_tokens = 1;
  batch_.token[0] = t;
  batch_.pos[0] = 0;
  batch_.n_seq_id[0] = 1;
  batch_.seq_id[0][0] = 0;
  batch_.logits[0] = 1;
  llama_decode(ctx_, batch_);
  llama_memory_clear(llama_get_memory(ctx_), true);
}

Engine::~Engine() {
  shutdown();
  if (batch_.token) llama_batch_free(batch_);
  if (ctx_) llama_free(ctx_);
  if (model_) llama_model_free(model_);
}

void Engine::shutdown() {
  std::call_once(shutdown_once_, [this] {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  });
}

int Engine::retry_after_seconds(size_t queued) const {
  // Time for the queue ahead to drain through the slots, from the measured request duration.
  const double per_request = std::max(request_seconds_.load(std::memory_order_relaxed), 1.0);
  const double wait = per_request * double(queued + 1) / double(options_.parallel);
  return int(std::clamp(std::ceil(wait), 1.0, 60.0));
}

void Engine::submit(std::unique_ptr<Job> job) {
  std::unique_lock lock(mu_);
  if (stopping_) {
    lock.unlock();
    job->request.cancel->clear();
    job->sink->on_event(unavailable("embedded tier is shutting down"));
    return;
  }
  // Free slots absorb requests at once; beyond them, at most max_queue may wait.
  const int64_t free_slots =
      std::max<int64_t>(0, options_.parallel - busy_slots_.load(std::memory_order_relaxed));
  if (int64_t(queue_.size()) + 1 > options_.max_queue + free_slots) {
    const size_t queued = queue_.size();
    lock.unlock();
    Error e = Error::upstream(ErrorCode::kRateLimited,
                              "embedded tier is at capacity (" + std::to_string(queued) +
                                  " requests queued); retry later or use another tier");
    e.source = ErrorSource::kInternal;
    e.retry_after_seconds = retry_after_seconds(queued);
    job->request.cancel->clear();
    stats_->failures.fetch_add(1, std::memory_order_relaxed);
    job->sink->on_event(std::move(e));
    return;
  }
  queue_.push_back(std::move(job));
  stats_->queue_length.store(int64_t(queue_.size()), std::memory_order_relaxed);
  lock.unlock();
  wake_.notify_one();
}

void Engine::run() {
  for (;;) {
    std::vector<std::unique_ptr<Job>> incoming;
    {
      std::unique_lock lock(mu_);
      const bool idle = busy_slots_.load(std::memory_order_relaxed) == 0;
      if (idle) wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) break;
      const int64_t free_slots = options_.parallel - busy_slots_.load(std::memory_order_relaxed);
      for (int64_t i = 0; i < free_slots && !queue_.empty(); ++i) {
        incoming.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      // Queued requests that were cancelled or timed out leave without waiting for a slot.
      for (auto it = queue_.begin(); it != queue_.end();) {
        const Job& j = **it;
        if (j.cancelled->load(std::memory_order_acquire) || Clock::now() >= j.request.deadline) {
          incoming.push_back(std::move(*it));
          it = queue_.erase(it);
        } else {
          ++it;
        }
      }
      stats_->queue_length.store(int64_t(queue_.size()), std::memory_order_relaxed);
    }
    for (auto& job : incoming) admit(std::move(job));
    check_cancellations();
    step();
    publish_stats();
  }

  // Shutdown: every request still here gets its terminal event.
  std::deque<std::unique_ptr<Job>> left;
  {
    std::lock_guard lock(mu_);
    left.swap(queue_);
  }
  for (auto& job : left) {
    job->request.cancel->clear();
    job->sink->on_event(unavailable("embedded tier is shutting down"));
  }
  for (auto& seq : seqs_)
    if (seq.busy()) end(seq, unavailable("embedded tier is shutting down"));
  publish_stats();
}

void Engine::admit(std::unique_ptr<Job> job) {
  auto reject = [&](Error e) {
    job->request.cancel->clear();
    if (e.code != ErrorCode::kCancelled) stats_->failures.fetch_add(1, std::memory_order_relaxed);
    job->sink->on_event(std::move(e));
  };
  if (job->cancelled->load(std::memory_order_acquire))
    return reject(Error::client(ErrorCode::kCancelled, "request cancelled"));
  if (Clock::now() >= job->request.deadline)
    return reject(Error::upstream(ErrorCode::kUpstreamTimeout,
                                  "deadline expired while queued for the embedded tier"));

  const api::ChatRequest& chat = job->request.chat;
  auto prompt = prompt_tokens(format_, vocab_, chat.messages, n_ctx_seq_);
  if (!prompt) return reject(prompt.error());

  SamplingParams sp;
  sp.temperature = chat.temperature.value_or(1.0);
  sp.top_p = chat.top_p.value_or(1.0);
  if (chat.seed)
    sp.seed = uint32_t(uint64_t(*chat.seed) % 0xFFFFFFFFull);
  else if (options_.seed >= 0)
    sp.seed = uint32_t(options_.seed);
  const int64_t max_tokens = chat.output_limit().value_or(options_.default_max_tokens);
  const int top_logprobs =
      chat.logprobs ? int(std::clamp<int64_t>(chat.top_logprobs.value_or(0), 0, kMaxTopLogprobs))
                    : -1;

  for (auto& seq : seqs_) {
    if (seq.busy()) continue;
    seq.start(std::move(job), std::move(*prompt), make_sampler(sp), max_tokens, top_logprobs,
              ++admissions_);
    busy_slots_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  // Unreachable: run() admits no more jobs than there are free slots.
  spdlog::error("embedded: no free slot for an admitted request");
  reject(unavailable("embedded tier has no free sequence slot"));
}

void Engine::check_cancellations() {
  const auto now = Clock::now();
  for (auto& seq : seqs_) {
    if (!seq.busy()) continue;
    if (seq.cancel_requested()) {
      end(seq, Error::client(ErrorCode::kCancelled, "request cancelled"));
    } else if (now >= seq.job().request.deadline) {
      // Retrying elsewhere only helps while nothing has been streamed.
      end(seq, Error::upstream(ErrorCode::kUpstreamTimeout, "deadline expired in the embedded tier",
                               !seq.sampled_any()));
    }
  }
}

bool Engine::step() {
  // Generating sequences first: one token each keeps every running stream moving.
  batch_.n_tokens = 0;
  auto add = [&](llama_token t, llama_pos pos, llama_seq_id id, bool out) {
    const int i = batch_.n_tokens++;
    batch_.token[i] = t;
    batch_.pos[i] = pos;
    batch_.n_seq_id[i] = 1;
    batch_.seq_id[i][0] = id;
    batch_.logits[i] = out ? 1 : 0;
    return i;
  };
  int decode_tokens = 0, prompt_tokens = 0;
  for (auto& seq : seqs_) {
    if (!seq.busy() || seq.prefilling()) continue;
    seq.planned(1, add(seq.next_token(), seq.n_past(), seq.id(), true), false);
    ++decode_tokens;
  }
  // Then prompt chunks, oldest request first, while the batch has room.
  std::vector<Sequence*> prefill;
  for (auto& seq : seqs_)
    if (seq.busy() && seq.prefilling()) prefill.push_back(&seq);
  std::sort(prefill.begin(), prefill.end(),
            [](auto* a, auto* b) { return a->order() < b->order(); });
  for (Sequence* seq : prefill) {
    const int room = n_batch_ - batch_.n_tokens;
    if (room <= 0) break;
    const int take = int(
        std::min<size_t>({size_t(room), size_t(options_.prefill_chunk), seq->prompt_remaining()}));
    const bool last = size_t(take) == seq->prompt_remaining();
    const llama_token* tokens = seq->prompt_at_cursor();
    int out = -1;
    for (int k = 0; k < take; ++k) {
      const int i = add(tokens[k], seq->n_past() + k, seq->id(), last && k == take - 1);
      if (last && k == take - 1) out = i;
    }
    seq->planned(take, out, true);
    prompt_tokens += take;
  }
  if (batch_.n_tokens == 0) return false;

  const auto t0 = Clock::now();
  const int32_t rc = llama_decode(ctx_, batch_);
  if (rc != 0) {
    // rc 1: no KV slot (cannot happen with per-sequence cells unless llama.cpp disagrees with
    // our accounting); otherwise a fatal error. Either way the sequences in this batch end.
    spdlog::error("embedded: llama_decode failed ({}) for a batch of {} tokens", rc,
                  batch_.n_tokens);
    for (auto& seq : seqs_) {
      if (!seq.busy()) continue;
      seq.rolled_back();
      end(seq, unavailable("embedded engine failed to decode (code " + std::to_string(rc) + ")"));
    }
    return true;
  }
  const double secs = std::max(seconds_since(t0), 1e-9);
  if (prompt_tokens > 0)
    update_ema(stats_->prefill_tokens_per_s, double(prompt_tokens) / secs);
  else
    update_ema(stats_->decode_tokens_per_s, 1.0 / secs);  // per sequence

  for (auto& seq : seqs_) {
    if (!seq.busy()) continue;
    seq.committed();
    if (seq.out_index() < 0) continue;
    const bool first = !seq.sampled_any();
    std::string reason = seq.sample_and_emit(ctx_, vocab_, n_ctx_seq_, scratch_);
    if (first) {
      const double ttft =
          std::chrono::duration<double, std::milli>(seq.first_token_at() - seq.job().submitted)
              .count();
      update_ema(stats_->ttft_ms, std::max(ttft, 1e-3));
    }
    if (!reason.empty()) end(seq, reason);
  }
  return true;
}

void Engine::free_cells(Sequence& seq) {
  llama_memory_seq_rm(llama_get_memory(ctx_), seq.id(), -1, -1);
  busy_slots_.fetch_sub(1, std::memory_order_relaxed);
  update_ema(request_seconds_, seconds_since(seq.job().submitted));
  stats_->request_ms.store(request_seconds_.load(std::memory_order_relaxed) * 1000,
                           std::memory_order_relaxed);
}

void Engine::end(Sequence& seq, const std::string& reason) {
  free_cells(seq);
  seq.finish(reason);
  publish_stats();
}

void Engine::end(Sequence& seq, Error error) {
  free_cells(seq);
  if (error.code != ErrorCode::kCancelled) stats_->failures.fetch_add(1, std::memory_order_relaxed);
  seq.fail(std::move(error));
  publish_stats();
}

void Engine::publish_stats() {
  int64_t used = 0, active = 0;
  for (const auto& seq : seqs_) {
    if (!seq.busy()) continue;
    ++active;
    used += seq.n_past();
  }
  stats_->active.store(active, std::memory_order_relaxed);
  stats_->slots.store(options_.parallel, std::memory_order_relaxed);
  stats_->free_kv_cells.store(n_ctx_total_ - used, std::memory_order_relaxed);
}

}  // namespace tiergate::embedded
