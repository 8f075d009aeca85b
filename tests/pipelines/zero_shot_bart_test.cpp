// zero-shot-classification with a BART-MNLI model (tests/fixtures/tiny-bart-mnli): every pipeline
// case — labels in transformers' order, scores within the README's tolerance (1e-3 × the std of
// the case's pair logits) — and the errors of a call without labels.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "hf/error.h"
#include "hf/pipeline.h"
#include "models/marian_expected.h"

using namespace hf;

namespace {

const std::filesystem::path kBartMnli = std::filesystem::path(HF_FIXTURES) / "tiny-bart-mnli";

const json& zero_shot_expected() {
  static const json j = hf::test::read_python_json(kBartMnli / "expected.json");
  return j;
}

const Pipeline& classifier() {
  static const Pipeline p = pipeline("zero-shot-classification", {.model = kBartMnli.string()});
  return p;
}

double tolerance(const json& c) {
  std::vector<double> v;
  for (const auto& per_sequence : c["pair_logits"])
    for (const auto& [label, logits] : per_sequence.items())
      for (const auto& x : logits) v.push_back(x.get<double>());
  double mean = 0, var = 0;
  for (double x : v) mean += x / v.size();
  for (double x : v) var += (x - mean) * (x - mean) / v.size();
  return 1e-3 * std::sqrt(var);
}

void expect_result(const json& got, const json& want, double tol) {
  EXPECT_EQ(got["sequence"], want["sequence"]);
  EXPECT_EQ(got["labels"], want["labels"]);
  ASSERT_EQ(got["scores"].size(), want["scores"].size());
  for (size_t i = 0; i < want["scores"].size(); ++i)
    EXPECT_NEAR(got["scores"][i].get<double>(), want["scores"][i].get<double>(), tol) << i;
}

}  // namespace

TEST(ZeroShotBart, EveryPipelineCase) {
  for (const auto& c : zero_shot_expected()["pipeline_cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    PipelineCallOptions o;
    o.extra = c["kwargs"];
    const json out = classifier().run(c["inputs"], o);
    const double tol = tolerance(c);
    if (c["output"].is_array()) {
      ASSERT_TRUE(out.is_array());
      ASSERT_EQ(out.size(), c["output"].size());
      for (size_t i = 0; i < out.size(); ++i) expect_result(out[i], c["output"][i], tol);
    } else {
      expect_result(out, c["output"], tol);
    }
  }
}

TEST(ZeroShotBart, LabelsAsACommaSeparatedString) {
  const json& c = zero_shot_expected()["pipeline_cases"][0];
  PipelineCallOptions o;
  o.extra = {{"candidate_labels", "technology, sports,politics ,cooking"}};
  expect_result(classifier().run(c["inputs"], o), c["output"], tolerance(c));
}

TEST(ZeroShotBart, NoLabelsOrNoSequenceIsAnError) {
  PipelineCallOptions o;
  EXPECT_THROW(classifier()("A text.", o), InputError);
  o.extra = {{"candidate_labels", json::array({"a"})}};
  EXPECT_THROW(classifier()(json::array(), o), InputError);
  o.extra = {{"candidate_labels", json::array({"a"})}, {"hypothesis_template", "no placeholder"}};
  EXPECT_THROW(classifier()("A text.", o), InputError);
}
