#pragma once
// Subcommands of the tiergate binary. Each lives in its own cmd_*.cpp and adds itself to the app;
// main.cpp calls every add_* once. A subcommand's callback sets the process exit code.

#include <CLI/CLI.hpp>

namespace tiergate::cli {

void add_serve_command(CLI::App& app, int& exit_code);           // cmd_serve.cpp
void add_gen_test_model_command(CLI::App& app, int& exit_code);  // cmd_gen_test_model.cpp
void add_train_router_command(CLI::App& app, int& exit_code);    // cmd_router.cpp
void add_score_command(CLI::App& app, int& exit_code);           // cmd_router.cpp
void add_eval_command(CLI::App& app, int& exit_code);            // cmd_router.cpp
void add_privacy_corpus_command(CLI::App& app, int& exit_code);  // cmd_privacy_corpus.cpp
void add_explain_command(CLI::App& app, int& exit_code);         // cmd_explain.cpp

}  // namespace tiergate::cli
