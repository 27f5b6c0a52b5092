// `tiergate gen-test-model --out FILE.gguf`: writes the tiny random-weight llama model the tests
// use (see tiers/embedded/test_model.h). Answers from it are gibberish; it exists so that the
// embedded tier can run anywhere without a download.
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "tiers/embedded/test_model.h"

namespace tiergate::cli {

void add_gen_test_model_command(CLI::App& app, int& exit_code) {
  struct Args {
    std::string out;
    embedded::TestModelSpec spec;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "gen-test-model",
      "Write a tiny random-weight llama GGUF model (for tests; output is gibberish)");
  cmd->add_option("--out,-o", args->out, "GGUF file to write")->required();
  auto& spec = args->spec;
  cmd->add_option("--seed", spec.seed, "weights seed (same seed, same file)");
  cmd->add_option("--context-length", spec.context_length, "llama.context_length to declare")
      ->check(CLI::Range(64, 1 << 20));
  cmd->add_option("--n-embd", spec.n_embd, "embedding width")->check(CLI::Range(16, 8192));
  cmd->add_option("--n-layer", spec.n_layer, "transformer blocks")->check(CLI::Range(1, 128));
  cmd->add_option("--n-head", spec.n_head, "attention heads")->check(CLI::Range(1, 128));
  cmd->add_option("--n-head-kv", spec.n_head_kv, "key/value heads")->check(CLI::Range(1, 128));
  cmd->add_option("--n-ff", spec.n_ff, "feed-forward width")->check(CLI::Range(16, 65536));
  cmd->add_option("--type", spec.weight_type, "weight matrices: f32, f16 or q8_0")
      ->check(CLI::IsMember({"f32", "f16", "q8_0"}));
  cmd->callback([args, &exit_code] {
    if (auto st = embedded::write_test_model(args->out, args->spec); !st) {
      std::cerr << "tiergate gen-test-model: " << st.error().message << "\n";
      exit_code = 1;
      return;
    }
    std::cout << "wrote " << args->out << " (random weights: its answers are gibberish)\n";
    exit_code = 0;
  });
}

}  // namespace tiergate::cli
