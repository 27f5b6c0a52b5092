#include <CLI/CLI.hpp>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"tiergate: routes each LLM request to the edge or the cloud tier", "tiergate"};
  app.set_version_flag("--version", TIERGATE_VERSION);
  app.require_subcommand(1);
  int exit_code = 0;
  tiergate::cli::add_serve_command(app, exit_code);
  tiergate::cli::add_gen_test_model_command(app, exit_code);
  tiergate::cli::add_train_router_command(app, exit_code);
  tiergate::cli::add_score_command(app, exit_code);
  tiergate::cli::add_eval_command(app, exit_code);
  tiergate::cli::add_privacy_corpus_command(app, exit_code);
  tiergate::cli::add_explain_command(app, exit_code);
  CLI11_PARSE(app, argc, argv);
  return exit_code;
}
