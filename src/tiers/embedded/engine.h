#pragma once
// The embedded inference engine: one thread owns the llama.cpp model and context and runs every
// sequence through continuous batching. Other threads only enqueue work (submit) and set
// cancellation flags; they never call into llama.cpp.
//
// Each engine step builds one llama_batch from
//   1. one token for every sequence that is generating, then
//   2. up to `prefill_chunk` prompt tokens of each sequence still reading its prompt (oldest first)
//      while the batch has room (`batch_size`),
// decodes it, samples every sequence that produced an output row, and emits their text. New
// requests take a free slot between steps, so they join a running batch at once, and a long prompt
// is read a chunk per step instead of stalling the streams already running.

#include <llama.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/error.h"
#include "tiers/embedded/chat_format.h"
#include "tiers/embedded/options.h"
#include "tiers/embedded/sequence.h"
#include "tiers/tier.h"

namespace tiergate::embedded {

class Engine {
 public:
  // Loads the model named by `options.model_path` and starts the engine thread. Errors name the
  // file. `stats` must outlive the engine; the engine writes it.
  static Result<std::unique_ptr<Engine>> create(const Options& options, TierStats* stats);
  ~Engine();  // shutdown(), then frees llama.cpp state

  // Queues a request, or answers at once on the calling thread: kRateLimited (with
  // retry_after_seconds) when `max_queue` requests already wait, kUnavailable after shutdown.
  // Thread-safe.
  void submit(std::unique_ptr<Job> job);

  // Ends every queued and running request with kUnavailable and joins the engine thread.
  // Idempotent; thread-safe.
  void shutdown();

  int32_t context_per_sequence() const { return n_ctx_seq_; }
  int64_t total_kv_cells() const { return n_ctx_total_; }
  const std::string& chat_format_description() const { return format_.description(); }
  const std::string& model_description() const { return model_desc_; }

 private:
  Engine(const Options& options, TierStats* stats) : options_(options), stats_(stats) {}
  Status load();
  void warmup();
  void run();                            // the engine thread
  void admit(std::unique_ptr<Job> job);  // into a free slot; errors end the job
  void check_cancellations();
  bool step();                                         // one batch; false when nothing ran
  void end(Sequence& seq, const std::string& reason);  // finish + free the KV cells
  void end(Sequence& seq, Error error);
  void free_cells(Sequence& seq);
  void publish_stats();
  int retry_after_seconds(size_t queued) const;

  const Options options_;
  TierStats* const stats_;

  // llama.cpp state: engine thread only (and load/warmup before it starts).
  llama_model* model_ = nullptr;
  llama_context* ctx_ = nullptr;
  const llama_vocab* vocab_ = nullptr;
  llama_batch batch_{};
  ChatFormat format_;
  int32_t n_ctx_seq_ = 0;
  int64_t n_ctx_total_ = 0;
  int32_t n_batch_ = 0;
  std::string model_desc_;
  std::vector<Sequence> seqs_;
  uint64_t admissions_ = 0;
  std::vector<std::pair<float, int32_t>> scratch_;

  // Shared with submitting threads.
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::unique_ptr<Job>> queue_;  // guarded by mu_
  bool stopping_ = false;                   // guarded by mu_
  std::atomic<int64_t> busy_slots_{0};      // written by the engine thread
  std::atomic<double> request_seconds_{0};  // EMA of admitted-to-done, for Retry-After
  std::thread thread_;
  std::once_flag shutdown_once_;
};

}  // namespace tiergate::embedded
