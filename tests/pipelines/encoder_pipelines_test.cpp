// Every pipeline case and error case of tests/fixtures/tiny-bert/*/expected.json through the C++
// API (hf::pipeline(task, {.model = folder})(inputs, kwargs)), compared with transformers' output
// under the fixtures' tolerances: structure, labels, tokens and words exact; scores within
// 1e-5 × max(1, |x|) (tiny-bert) or 4 × 1e-3 × logits_std relative (NER, QA); hidden states within
// 1e-4 absolute (std ≈ 1); neighbours whose expected scores differ by < 2e-5 may swap.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "hf/error.h"
#include "hf/pipeline.h"
#include "pipelines/tiny_bert_json.h"

namespace hf {
namespace {

const std::string kDir = HF_FIXTURES "/tiny-bert/";

struct Case {
  std::string folder, name;
};

std::vector<Case> all_cases(bool errors) {
  std::vector<Case> out;
  for (const char* f : {"bert-mlm", "distilbert-sst2", "bert-multilabel", "bert-regression", "bert-nli", "sentence-minilm",
                        "distilbert-ner", "bert-qa"}) {
    const json e = testing::tiny_bert_expected(f);
    for (const json& c : e[errors ? "error_cases" : "pipeline_cases"]) out.push_back({f, c["name"].get<std::string>()});
  }
  return out;
}

json find_case(const Case& c, bool errors) {
  const json e = testing::tiny_bert_expected(c.folder);
  for (const json& x : e[errors ? "error_cases" : "pipeline_cases"])
    if (x["name"] == c.name) return x;
  return nullptr;
}

// One pipeline per (folder, task), as a user would keep it.
Pipeline& pipe_for(const std::string& folder, const std::string& task) {
  static std::map<std::string, Pipeline> cache;
  const std::string key = folder + "|" + task;
  auto it = cache.find(key);
  if (it == cache.end()) it = cache.emplace(key, pipeline(task, {.model = kDir + folder})).first;
  return it->second;
}

class TinyBertCases : public ::testing::TestWithParam<Case> {};

TEST_P(TinyBertCases, OutputMatchesTransformers) {
  using testing::near;
  const Case c = GetParam();
  const json x = find_case(c, false);
  const std::string task = x["task"];
  PipelineCallOptions call;
  call.extra = x["kwargs"];
  const json out = pipe_for(c.folder, task)(x["inputs"], call);
  const testing::Tolerance t = testing::tolerance_of(x);
  std::string why;
  EXPECT_TRUE(near(out, x["output"], t, why, "output")) << why;
}

INSTANTIATE_TEST_SUITE_P(All, TinyBertCases, ::testing::ValuesIn(all_cases(false)), [](const auto& info) {
  std::string n = info.param.folder + "_" + info.param.name;
  for (char& ch : n)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return n;
});

class TinyBertErrors : public ::testing::TestWithParam<Case> {};

// Where transformers raises (or fails in the Rust tokenizer), hfcpp raises an hf::Error with a
// one-line message; fill-mask on a folder without a masked-LM head is an error too (transformers
// would run a randomly initialised head, with only a warning).
TEST_P(TinyBertErrors, RaiseAClearError) {
  const Case c = GetParam();
  const json x = find_case(c, true);
  const std::string task = x.value("task", c.folder == "bert-qa" ? "question-answering" : "");
  PipelineCallOptions call;
  call.extra = x.value("kwargs", json::object());
  try {
    const json out = pipe_for(c.folder, task)(x["inputs"], call);
    FAIL() << "no error; got " << out.dump().substr(0, 200);
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    EXPECT_FALSE(what.empty());
    if (x.contains("message") && x["message"].is_string() && x["raises"].is_string()) {
      EXPECT_NE(what.find(x["message"].get<std::string>().substr(0, 30)), std::string::npos) << what;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(All, TinyBertErrors, ::testing::ValuesIn(all_cases(true)), [](const auto& info) {
  std::string n = info.param.folder + "_" + info.param.name;
  for (char& ch : n)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return n;
});

}  // namespace
}  // namespace hf
