// Placeholder until the complexity-router work lands (issue 6): the subcommands exist and say so.
#include <iostream>

#include "cli/commands.h"

namespace tiergate::cli {
namespace {
void pending(CLI::App& app, const char* name, int& exit_code) {
  app.add_subcommand(name, "(not available yet)")->callback([&exit_code, name] {
    std::cerr << "tiergate " << name << ": not available in this build\n";
    exit_code = 2;
  });
}
}  // namespace
void add_train_router_command(CLI::App& app, int& exit_code) { pending(app, "train-router", exit_code); }
void add_score_command(CLI::App& app, int& exit_code) { pending(app, "score", exit_code); }
void add_eval_command(CLI::App& app, int& exit_code) { pending(app, "eval", exit_code); }
}  // namespace tiergate::cli
