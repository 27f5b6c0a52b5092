#pragma once
// A tiny random-weight llama model with a real SentencePiece-style vocabulary (byte fallback, so
// any text tokenises) and a ChatML chat template. It loads in milliseconds and lets tests and demos
// exercise the whole embedded path without a download. Its answers are gibberish by design.

#include <cstdint>
#include <string>

#include "common/error.h"

namespace tiergate::embedded {

struct TestModelSpec {
  uint32_t seed = 42;  // same seed, same file (bit for bit)
  int n_embd = 64;
  int n_layer = 2;
  int n_head = 4;
  int n_head_kv = 2;
  int n_ff = 128;
  int context_length = 2048;  // llama.context_length (what the model claims to be trained for)
  // Storage of the weight matrices: "f32", "f16" or "q8_0" (norms stay f32). A larger quantised
  // model (n_embd 512, 8 layers, q8_0) decodes memory-bound like real models; benchmarks use it.
  std::string weight_type = "f32";
};

// Writes the model to `path` (overwriting). The unknown and control tokens (<unk>, <s>, </s>,
// <|im_start|>, <|im_end|>) get all-zero output rows, so greedy decoding never ends a generation
// early: tests can count on max_tokens being reached.
Status write_test_model(const std::string& path, const TestModelSpec& spec = {});

}  // namespace tiergate::embedded
