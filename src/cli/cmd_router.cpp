// The complexity router's offline commands (issue 6):
//   tiergate train-router --data TRAIN.jsonl --out FILE   train the scorer (deterministic)
//   tiergate score --data X.jsonl [--model FILE]          one {"id": ..., "score": S} line per
//   prompt tiergate eval --data X.jsonl [--model FILE] [--chart OUT.svg] [--scorer
//   model|length|random]
// Bad input lines: `score` reports each on stderr ("FILE:LINE: message"), scores every good line,
// and exits 1 if any line was bad; `train-router` and `eval` stop at the first bad line.
#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "route/signals/complexity/complexity_config.h"
#include "route/signals/complexity/dataset.h"
#include "route/signals/complexity/metrics.h"
#include "route/signals/complexity/report.h"
#include "route/signals/complexity/scorer.h"
#include "route/signals/complexity/train.h"

namespace tiergate::cli {
namespace {

namespace cx = tiergate::complexity;

Result<std::shared_ptr<const cx::ComplexityScorer>> load_scorer(const std::string& path) {
  std::string p = path;
  if (p.empty()) {
    auto d = cx::default_model_path();
    if (!d) return fail(d.error());
    p = *d;
  }
  return cx::ComplexityScorer::load(p);
}

struct TrainArgs {
  std::string data, out;
  int folds = 5;
  int hash_bits = 18;
  double nb_alpha = 0.03;
  double temperature = 0.3;
  double smoothing = 3.0;
  bool nb_binary = false;
  bool nb_tfidf = false;
  double nb_tfidf_scale = 10.0;
  bool no_bigrams = false, no_choice_words = false, char_ngrams = false;
  std::string item_target = "gain";
  double item_l2 = 1e-2;
  double w_item = -1;  // < 0: choose by cross-validation
  bool dense_only = false;
};

int run_train(const TrainArgs& a) {
  auto records = cx::read_prompt_file(a.data, true);
  if (!records) {
    std::cerr << "tiergate train-router: " << records.error().message << "\n";
    return 1;
  }
  cx::TrainOptions o;
  o.features.hash_bits = a.hash_bits;
  o.features.stem_bigrams = !a.no_bigrams;
  o.features.choice_words = !a.no_choice_words;
  o.features.char_ngrams = a.char_ngrams;
  o.nb_alpha = a.nb_alpha;
  o.nb_binary = a.nb_binary;
  o.nb_tfidf = a.nb_tfidf;
  o.nb_tfidf_scale = a.nb_tfidf_scale;
  o.nb_temperature = a.temperature;
  o.subject_smoothing = a.smoothing;
  o.item_l2 = a.item_l2;
  o.item_sparse = !a.dense_only;
  o.item_target = a.item_target == "gain_positive" ? cx::ItemTarget::kGainPositive
                  : a.item_target == "weak_wrong"  ? cx::ItemTarget::kWeakWrong
                                                   : cx::ItemTarget::kGainSoft;
  if (a.w_item >= 0) {
    o.select_w_item = false;
    o.w_item = a.w_item;
  }
  o.cv_folds = a.folds;
  cx::TrainReport report;
  auto model = cx::train_model(*records, o, &report);
  if (!model) {
    std::cerr << "tiergate train-router: " << model.error().message << "\n";
    return 1;
  }
  if (auto st = cx::save_model_file(*model, a.out); !st) {
    std::cerr << "tiergate train-router: " << st.error().message << "\n";
    return 1;
  }
  std::cerr << fmt::format("{}-fold cross-validation on {} prompts (out-of-fold, pooled):\n",
                           a.folds, records->size());
  for (const auto& r : report.cv)
    std::cerr << fmt::format("  {:<16} APGR {:.4f}  CPT(50%) {:.1f}%  CPT(80%) {:.1f}%\n",
                             r.variant, r.apgr, 100 * r.cpt50, 100 * r.cpt80);
  std::cerr << fmt::format(
      "chose w_item={}; wrote {} ({} subjects, {} evidence ids, {} item "
      "weights) in {:.1f}s\n",
      report.chosen_w_item, a.out, model->subjects.size(), model->evidence.size(),
      model->item_weights.size(), report.seconds);
  return 0;
}

int run_score(const std::string& data, const std::string& model_path, bool detail) {
  auto scorer = load_scorer(model_path);
  if (!scorer) {
    std::cerr << "tiergate score: " << scorer.error().message << "\n";
    return 1;
  }
  size_t bad = 0;
  std::string out;
  out.reserve(1 << 16);
  auto flush = [&] {
    std::fwrite(out.data(), 1, out.size(), stdout);
    out.clear();
  };
  auto st = cx::for_each_prompt_line(
      data, false,
      [&](cx::PromptRecord&& r) {
        double s = (*scorer)->score(r.prompt);
        if (!std::isfinite(s)) s = 0;
        if (!detail) {
          out += fmt::format("{{\"id\": {}, \"score\": {:.9g}}}\n", r.id_json, s);
        } else {
          cx::ScoreDetail d = (*scorer)->score_detail(r.prompt);
          out += fmt::format("{{\"id\": {}, \"score\": {:.9g}, \"kind\": \"{}\"", r.id_json, s,
                             cx::prompt_kind_name(d.kind));
          if (d.top_subject >= 0)
            out += fmt::format(", \"subject\": \"{}\", \"subject_p\": {:.4f}",
                               (*scorer)->subject_name(d.top_subject), d.top_subject_p);
          else
            out += fmt::format(", \"difficulty\": {:.4f}", d.free_difficulty);
          out += "}\n";
        }
        if (out.size() > (1 << 16) - 512) flush();
      },
      [&](size_t line, const std::string& msg) {
        ++bad;
        flush();
        std::fflush(stdout);
        std::cerr << fmt::format("tiergate score: {}:{}: {} (line skipped)\n", data, line, msg);
      });
  flush();
  std::fflush(stdout);
  if (!st) {
    std::cerr << "tiergate score: " << st.error().message << "\n";
    return 1;
  }
  if (bad) {
    std::cerr << fmt::format("tiergate score: {} bad line(s) skipped\n", bad);
    return 1;
  }
  return 0;
}

// A fixed pseudo-random score from the id, for the random baseline (same every run).
double id_hash_score(const std::string& id) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : id) h = (h ^ c) * 0x100000001b3ull;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return static_cast<double>(h >> 11) / 9007199254740992.0;
}

int run_eval(const std::string& data, const std::string& model_path, const std::string& chart,
             const std::string& scorer_kind) {
  auto records = cx::read_prompt_file(data, true);
  if (!records) {
    std::cerr << "tiergate eval: " << records.error().message << "\n";
    return 1;
  }
  std::vector<double> scores;
  std::vector<uint8_t> weak, strong;
  std::shared_ptr<const cx::ComplexityScorer> scorer;
  if (scorer_kind == "model") {
    auto s = load_scorer(model_path);
    if (!s) {
      std::cerr << "tiergate eval: " << s.error().message << "\n";
      return 1;
    }
    scorer = *s;
  }
  for (const auto& r : *records) {
    double s = scorer_kind == "length"   ? static_cast<double>(r.prompt.size())
               : scorer_kind == "random" ? id_hash_score(r.id_json)
                                         : scorer->score(r.prompt);
    scores.push_back(s);
    weak.push_back(r.weak_correct);
    strong.push_back(r.strong_correct);
  }
  cx::RoutingEval ev = cx::evaluate_routing(scores, weak, strong);
  std::cout << fmt::format("{} ({} scorer)\n", data, scorer_kind) << cx::routing_table(ev);
  if (!chart.empty()) {
    std::ofstream f(chart, std::ios::binary | std::ios::trunc);
    // The prompt-length baseline is drawn next to the scorer for reference.
    std::vector<double> length_scores;
    for (const auto& r : *records) length_scores.push_back(static_cast<double>(r.prompt.size()));
    cx::RoutingEval length_ev = cx::evaluate_routing(length_scores, weak, strong);
    std::vector<cx::ChartSeries> series = {
        {scorer_kind == "model" ? "complexity" : scorer_kind, &ev}};
    if (scorer_kind != "length") series.push_back({"prompt length", &length_ev});
    std::string name = std::filesystem::path(data).filename().string();
    f << cx::routing_chart_svg(fmt::format("Quality vs strong-model share ({})", name), series);
    if (!f) {
      std::cerr << "tiergate eval: cannot write " << chart << "\n";
      return 1;
    }
    std::cout << "chart: " << chart << "\n";
  }
  return 0;
}

}  // namespace

void add_train_router_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<TrainArgs>();
  auto* cmd = app.add_subcommand("train-router", "train the complexity scorer from labelled JSONL");
  cmd->add_option("--data", args->data,
                  "labelled prompts (id, prompt, weak_correct, strong_correct)")
      ->required();
  cmd->add_option("--out", args->out, "model file to write")->required();
  cmd->add_option("--folds", args->folds, "cross-validation folds")->check(CLI::Range(2, 20));
  cmd->add_option("--hash-bits", args->hash_bits, "feature hash size (log2)")
      ->check(CLI::Range(8, 24));
  cmd->add_option("--nb-alpha", args->nb_alpha, "naive-Bayes smoothing")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--temperature", args->temperature, "subject posterior temperature")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--smoothing", args->smoothing, "pseudo-prompts per subject gain")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--nb-binary", args->nb_binary, "count a feature once per prompt");
  cmd->add_flag("--nb-tfidf", args->nb_tfidf, "fit naive Bayes on normalised log(1+tf)*idf");
  cmd->add_option("--nb-tfidf-scale", args->nb_tfidf_scale, "weight of one prompt with --nb-tfidf")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--no-bigrams", args->no_bigrams, "no word-pair features");
  cmd->add_flag("--no-choice-words", args->no_choice_words, "no answer-choice features");
  cmd->add_flag("--char-ngrams", args->char_ngrams, "add character 4-grams");
  cmd->add_option("--item-target", args->item_target, "item model target")
      ->check(CLI::IsMember({"gain", "gain_positive", "weak_wrong"}));
  cmd->add_option("--item-l2", args->item_l2, "item model L2")->check(CLI::PositiveNumber);
  cmd->add_option("--w-item", args->w_item, "fixed item-model weight (default: chosen by CV)");
  cmd->add_flag("--dense-only", args->dense_only, "item model on structural features only");
  cmd->callback([args, &exit_code] { exit_code = run_train(*args); });
}

void add_score_command(CLI::App& app, int& exit_code) {
  auto data = std::make_shared<std::string>();
  auto model = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("score", "print {\"id\", \"score\"} for each JSONL prompt");
  cmd->add_option("--data", *data, "JSONL with id and prompt per line ('-' = stdin)")->required();
  cmd->add_option("--model", *model, "model file (default: the committed default model)");
  auto detail = std::make_shared<bool>(false);
  cmd->add_flag("--detail", *detail, "also print the prompt kind and top subject / difficulty");
  cmd->callback(
      [data, model, detail, &exit_code] { exit_code = run_score(*data, *model, *detail); });
}

void add_eval_command(CLI::App& app, int& exit_code) {
  struct Args {
    std::string data, model, chart, scorer = "model";
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("eval", "APGR / CPT of the scorer on labelled JSONL");
  cmd->add_option("--data", a->data, "labelled prompts")->required();
  cmd->add_option("--model", a->model, "model file (default: the committed default model)");
  cmd->add_option("--chart", a->chart, "write the quality-vs-share curve as SVG");
  cmd->add_option("--scorer", a->scorer, "model, or a baseline: length | random")
      ->check(CLI::IsMember({"model", "length", "random"}));
  cmd->callback([a, &exit_code] { exit_code = run_eval(a->data, a->model, a->chart, a->scorer); });
}

}  // namespace tiergate::cli
