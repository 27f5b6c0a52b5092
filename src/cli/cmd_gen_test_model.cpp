// Placeholder until the embedded tier lands (issue 3).
#include <iostream>

#include "cli/commands.h"

namespace tiergate::cli {
void add_gen_test_model_command(CLI::App& app, int& exit_code) {
  app.add_subcommand("gen-test-model", "(not available yet)")->callback([&exit_code] {
    std::cerr << "tiergate gen-test-model: not available in this build\n";
    exit_code = 2;
  });
}
}  // namespace tiergate::cli
