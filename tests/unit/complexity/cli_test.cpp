#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "cli/commands.h"
#include "test_paths.h"

namespace tiergate::cli {
namespace {

struct CliRun {
  int exit_code = -1;
  std::string out, err;
};

// Runs one tiergate subcommand in-process, capturing stdout and stderr.
CliRun run_cli(std::vector<std::string> args) {
  CLI::App app{"tiergate"};
  app.require_subcommand(1);
  CliRun r;
  r.exit_code = 0;
  add_train_router_command(app, r.exit_code);
  add_score_command(app, r.exit_code);
  add_eval_command(app, r.exit_code);
  args.insert(args.begin(), "tiergate");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& e) {
    r.exit_code = 100 + e.get_exit_code();
  }
  std::fflush(stdout);
  r.out = ::testing::internal::GetCapturedStdout();
  r.err = ::testing::internal::GetCapturedStderr();
  return r;
}

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> v;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) v.push_back(l);
  return v;
}

std::string model() { return complexity::testing::default_model_file(); }

TEST(ComplexityCli, ScoreEchoesIdsWithTheirJsonType) {
  CliRun r = run_cli(
      {"score", "--data", complexity::testing::fixture("score_input.jsonl"), "--model", model()});
  EXPECT_EQ(r.exit_code, 1) << "two bad lines must make the exit code non-zero";
  auto out = lines(r.out);
  ASSERT_EQ(out.size(), 4u) << r.out;
  EXPECT_EQ(out[0].rfind("{\"id\": \"a-1\", \"score\": ", 0), 0u) << out[0];
  EXPECT_EQ(out[1].rfind("{\"id\": 17, \"score\": ", 0), 0u) << out[1];
  EXPECT_EQ(out[2].rfind("{\"id\": 2.5, \"score\": ", 0), 0u) << out[2];
  EXPECT_EQ(out[3].rfind("{\"id\": \"unicode \xc3\xa9\\\"q\", \"score\": ", 0), 0u) << out[3];
  EXPECT_NE(r.err.find("score_input.jsonl:4:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("score_input.jsonl:5: missing \"prompt\""), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("2 bad line(s)"), std::string::npos) << r.err;
}

TEST(ComplexityCli, ScoreCleanFileExitsZero) {
  auto path = (std::filesystem::temp_directory_path() / "tiergate_cx_clean.jsonl").string();
  {
    std::ofstream f(path);
    f << "{\"id\": 1, \"prompt\": \"hi\"}\n{\"id\": \"x\", \"prompt\": \"\"}\n";
  }
  CliRun r = run_cli({"score", "--data", path, "--model", model()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(lines(r.out).size(), 2u);
  std::filesystem::remove(path);
}

TEST(ComplexityCli, ScoreMissingFileFails) {
  CliRun r = run_cli({"score", "--data", "/no/such.jsonl", "--model", model()});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("cannot open"), std::string::npos);
}

TEST(ComplexityCli, TrainThenEvalWithChart) {
  auto dir = std::filesystem::temp_directory_path();
  auto out = (dir / "tiergate_cx_cli.model").string();
  auto chart = (dir / "tiergate_cx_cli.svg").string();
  CliRun t = run_cli({"train-router", "--data", complexity::testing::fixture("train_small.jsonl"),
                      "--out", out, "--hash-bits", "14"});
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_NE(t.err.find("cross-validation"), std::string::npos);
  CliRun e = run_cli({"eval", "--data", complexity::testing::fixture("train_small.jsonl"),
                      "--model", out, "--chart", chart});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  EXPECT_NE(e.out.find("APGR"), std::string::npos);
  EXPECT_NE(e.out.find("CPT(50%)"), std::string::npos);
  std::ifstream svg(chart);
  std::stringstream ss;
  ss << svg.rdbuf();
  EXPECT_EQ(ss.str().rfind("<svg", 0), 0u);
  EXPECT_NE(ss.str().find("</svg>"), std::string::npos);
  CliRun b = run_cli(
      {"eval", "--data", complexity::testing::fixture("train_small.jsonl"), "--scorer", "length"});
  EXPECT_EQ(b.exit_code, 0) << b.err;
  std::filesystem::remove(out);
  std::filesystem::remove(chart);
}

TEST(ComplexityCli, EvalNeedsLabels) {
  CliRun e = run_cli(
      {"eval", "--data", complexity::testing::fixture("score_input.jsonl"), "--model", model()});
  EXPECT_EQ(e.exit_code, 1);
  EXPECT_FALSE(e.err.empty());
}

}  // namespace
}  // namespace tiergate::cli

namespace tiergate::cli {
namespace {

TEST(ComplexityCli, ScoreHandlesBomAndCrlfAndDetail) {
  auto path = (std::filesystem::temp_directory_path() / "tiergate_cx_bom.jsonl").string();
  {
    std::ofstream f(path, std::ios::binary);
    f << "\xEF\xBB\xBF{\"id\": 1, \"prompt\": \"Q?\\nA. a\\nB. b\\nC. c\\nD. d\\nAnswer:\"}\r\n"
      << "{\"id\": 2, \"prompt\": \"Tom has 3 apples and 4 pears. How many fruits?\"}\r\n";
  }
  CliRun r = run_cli({"score", "--data", path, "--model", model(), "--detail"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto out = lines(r.out);
  ASSERT_EQ(out.size(), 2u) << r.out;
  EXPECT_NE(out[0].find("\"kind\": \"multiple_choice\""), std::string::npos) << out[0];
  EXPECT_NE(out[0].find("\"subject\": "), std::string::npos) << out[0];
  EXPECT_NE(out[1].find("\"kind\": \"math_word\""), std::string::npos) << out[1];
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace tiergate::cli
