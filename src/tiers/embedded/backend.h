#pragma once
// Process-wide llama.cpp set-up: the CPU backend is a separate shared library per CPU family
// (libggml-cpu-haswell.so, ...) that ggml's loader picks at run time, and llama.cpp's log goes to
// spdlog instead of stderr.

#include <string>

#include "common/error.h"

namespace tiergate::embedded {

// Loads the ggml backends once per process (later calls return the first outcome). Directories
// tried, first hit wins: $TIERGATE_LLAMA_LIB_DIR, the directory of the loaded libllama (dladdr),
// the build tree's third_party/llama/lib. Thread-safe.
Status ensure_llama_backend();

// The last error line llama.cpp logged (for error messages that name the cause), then clears it.
std::string take_last_llama_error();

}  // namespace tiergate::embedded
