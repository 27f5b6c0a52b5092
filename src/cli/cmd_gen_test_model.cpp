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
    uint32_t seed = 42;
    int context_length = 2048;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "gen-test-model", "Write a tiny random-weight llama GGUF model (for tests; output is gibberish)");
  cmd->add_option("--out,-o", args->out, "GGUF file to write")->required();
  cmd->add_option("--seed", args->seed, "weights seed (same seed, same file)");
  cmd->add_option("--context-length", args->context_length, "llama.context_length to declare")
      ->check(CLI::Range(64, 1 << 20));
  cmd->callback([args, &exit_code] {
    embedded::TestModelSpec spec;
    spec.seed = args->seed;
    spec.context_length = args->context_length;
    if (auto st = embedded::write_test_model(args->out, spec); !st) {
      std::cerr << "tiergate gen-test-model: " << st.error().message << "\n";
      exit_code = 1;
      return;
    }
    std::cout << "wrote " << args->out << " (random weights: its answers are gibberish)\n";
    exit_code = 0;
  });
}

}  // namespace tiergate::cli
