#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "route/signals/complexity/complexity_config.h"
#include "route/signals/complexity/dataset.h"
#include "test_paths.h"

namespace tiergate::complexity {
namespace {

ComplexityConfig parse(const std::string& yaml, std::vector<std::string>& errors) {
  YAML::Node node = YAML::Load(yaml);
  config::YamlReader r(node, "routing.complexity", &errors);
  return parse_complexity_config(r);
}

TEST(ComplexityConfig, Defaults) {
  std::vector<std::string> errors;
  ComplexityConfig c = parse("{}", errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_TRUE(c.model.empty());
  EXPECT_DOUBLE_EQ(c.target_cloud_share, 0.25);
  EXPECT_FALSE(c.threshold);
  EXPECT_TRUE(c.drift_correction);
}

TEST(ComplexityConfig, ReadsKeys) {
  std::vector<std::string> errors;
  ComplexityConfig c = parse(
      "target_cloud_share: 0.4\nthreshold: 0.12\ndrift_correction: false\n"
      "model: " +
          testing::default_model_file() + "\n",
      errors);
  EXPECT_TRUE(errors.empty()) << errors.front();
  EXPECT_DOUBLE_EQ(c.target_cloud_share, 0.4);
  ASSERT_TRUE(c.threshold);
  EXPECT_DOUBLE_EQ(*c.threshold, 0.12);
  EXPECT_FALSE(c.drift_correction);
}

TEST(ComplexityConfig, ReportsBadKeys) {
  std::vector<std::string> errors;
  parse("target_cloud_share: 1.5\nmodel: /no/such/model\nbogus: 1\n", errors);
  ASSERT_EQ(errors.size(), 3u);
  std::string all;
  for (const auto& e : errors) all += e + "\n";
  EXPECT_NE(all.find("routing.complexity.target_cloud_share"), std::string::npos) << all;
  EXPECT_NE(all.find("routing.complexity.model"), std::string::npos) << all;
  EXPECT_NE(all.find("bogus"), std::string::npos) << all;
}

TEST(ComplexityConfig, LoadsSignalAndCalibratesFromModel) {
  ComplexityConfig c;
  c.model = testing::default_model_file();
  c.target_cloud_share = 0.25;
  auto sig = load_complexity_signal(c);
  ASSERT_TRUE(sig) << sig.error().message;
  ASSERT_TRUE(sig->tracker);
  const auto& q = sig->scorer->model().score_quantiles;
  EXPECT_GT(sig->threshold, q.front());
  EXPECT_LT(sig->threshold, q.back());
  EXPECT_DOUBLE_EQ(sig->current_threshold(), sig->threshold);
}

TEST(ComplexityConfig, CalibratesFromData) {
  ComplexityConfig c;
  c.model = testing::default_model_file();
  c.calibration_data = testing::fixture("train_small.jsonl");
  c.target_cloud_share = 0.5;
  auto sig = load_complexity_signal(c);
  ASSERT_TRUE(sig) << sig.error().message;
  auto records = read_prompt_file(c.calibration_data, false);
  ASSERT_TRUE(records);
  size_t cloud = 0;
  for (const auto& r : *records) cloud += sig->scorer->score(r.prompt) >= sig->threshold;
  EXPECT_NEAR(static_cast<double>(cloud) / records->size(), 0.5, 0.1);
}

TEST(ComplexityConfig, ExplicitThresholdWins) {
  ComplexityConfig c;
  c.model = testing::default_model_file();
  c.threshold = 0.3;
  auto sig = load_complexity_signal(c);
  ASSERT_TRUE(sig);
  EXPECT_DOUBLE_EQ(sig->current_threshold(), 0.3);
  EXPECT_FALSE(sig->tracker);
}

TEST(ComplexityConfig, DefaultModelPathResolves) {
  auto p = default_model_path();
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_NE(p->find("complexity-default.model"), std::string::npos);
}

}  // namespace
}  // namespace tiergate::complexity
