// `tiergate privacy-corpus --conversations N [--seed S]`: writes generated conversations with
// planted sensitive values, one JSON line each: {"request": <chat request>, "needles": [values]}.
// For the no-leak tests: every needle must never reach an untrusted tier. The values are fake.
#include <iostream>

#include "api/openai/json.h"
#include "cli/commands.h"
#include "common/json_writer.h"
#include "route/signals/privacy/corpus.h"

namespace tiergate::cli {

void add_privacy_corpus_command(CLI::App& app, int& exit_code) {
  struct Args {
    int conversations = 100;
    uint64_t seed = 1;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "privacy-corpus", "Write generated conversations with planted (fake) sensitive values as JSONL");
  cmd->add_option("--conversations", args->conversations, "How many")->check(CLI::Range(1, 10'000'000));
  cmd->add_option("--seed", args->seed, "Generator seed (same seed, same output)");
  cmd->callback([args, &exit_code] {
    privacy::corpus::CorpusGenerator gen(args->seed);
    std::string line;
    for (int i = 0; i < args->conversations; ++i) {
      auto conv = gen.conversation();
      line.clear();
      JsonWriter w(line);
      w.begin_object().key("request").raw(api::write_upstream_request(conv.request, "auto", false));
      w.key("needles").begin_array();
      for (const auto& n : conv.needles) w.value(n);
      w.end_array().end_object();
      line += '\n';
      std::cout << line;
    }
    exit_code = std::cout.good() ? 0 : 1;
  });
}

}  // namespace tiergate::cli
