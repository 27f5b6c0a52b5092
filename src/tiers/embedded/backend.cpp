#include "tiers/embedded/backend.h"

#include <dlfcn.h>
#include <ggml-backend.h>
#include <llama.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <vector>

namespace tiergate::embedded {
namespace {

std::mutex g_log_mu;
std::string g_last_error;  // guarded by g_log_mu
std::string g_partial;     // a line being assembled from GGML_LOG_LEVEL_CONT pieces; g_log_mu
ggml_log_level g_partial_level = GGML_LOG_LEVEL_DEBUG;  // g_log_mu

void log_line(ggml_log_level level, const std::string& line) {
  if (line.empty()) return;
  switch (level) {
    case GGML_LOG_LEVEL_ERROR:
      g_last_error = line;
      spdlog::warn("llama.cpp: {}", line);
      break;
    case GGML_LOG_LEVEL_WARN:
      spdlog::debug("llama.cpp: {}", line);
      break;
    default:
      spdlog::trace("llama.cpp: {}", line);
  }
}

// llama.cpp logs from whichever thread calls it; pieces of one line may come in several calls.
void on_llama_log(ggml_log_level level, const char* text, void*) {
  std::lock_guard lock(g_log_mu);
  if (level != GGML_LOG_LEVEL_CONT) {
    log_line(g_partial_level, g_partial);
    g_partial.clear();
    g_partial_level = level;
  }
  g_partial += text ? text : "";
  size_t nl;
  while ((nl = g_partial.find('\n')) != std::string::npos) {
    log_line(g_partial_level, g_partial.substr(0, nl));
    g_partial.erase(0, nl + 1);
  }
}

std::vector<std::string> candidate_dirs() {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("TIERGATE_LLAMA_LIB_DIR"); env && *env) dirs.emplace_back(env);
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&llama_backend_init), &info) && info.dli_fname)
    dirs.push_back(std::filesystem::path(info.dli_fname).parent_path().string());
#ifdef TIERGATE_LLAMA_LIB_DIR
  dirs.emplace_back(TIERGATE_LLAMA_LIB_DIR);
#endif
  return dirs;
}

Status load_backends() {
  llama_log_set(on_llama_log, nullptr);
  std::string tried;
  for (const std::string& dir : candidate_dirs()) {
    if (dir.empty() || !std::filesystem::is_directory(dir)) continue;
    ggml_backend_load_all_from_path(dir.c_str());
    if (ggml_backend_dev_by_type(GGML_BACKEND_DEVICE_TYPE_CPU) != nullptr) {
      llama_backend_init();
      spdlog::debug("embedded: ggml backends loaded from {}", dir);
      return {};
    }
    tried += (tried.empty() ? "" : ", ") + dir;
  }
  return fail(Error::internal(
      "embedded: no ggml CPU backend (libggml-cpu-*.so) found; tried: " +
      (tried.empty() ? std::string("no directory") : tried) +
      ". Set TIERGATE_LLAMA_LIB_DIR to the directory holding the llama.cpp libraries."));
}

}  // namespace

Status ensure_llama_backend() {
  static const Status status = load_backends();  // thread-safe once (magic static)
  return status;
}

std::string take_last_llama_error() {
  std::lock_guard lock(g_log_mu);
  return std::exchange(g_last_error, {});
}

}  // namespace tiergate::embedded
