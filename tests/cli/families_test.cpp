// `hfcpp info`, `generate`, `chat`, `bench` and `pipeline text-generation` on every decoder
// family's fixture, run as a user would: each works, and generate's greedy ids are the reference's.
#include <gtest/gtest.h>

#include <algorithm>

#include "cli/run_program.h"
#include "core/json.h"

namespace {

struct Family {
  std::string name;
  bool chat_template;
};
void PrintTo(const Family& f, std::ostream* os) { *os << f.name; }

std::string dir_of(const Family& f) { return HF_FIXTURES "/tiny-" + f.name; }

class FamilyCli : public ::testing::TestWithParam<Family> {};

TEST_P(FamilyCli, InfoNamesTheArchitecture) {
  const hf::json config = hf::read_json_file(dir_of(GetParam()) + "/config.json");
  auto r = run_program(kHfcpp + " info " + quote(dir_of(GetParam())) + " --json");
  ASSERT_EQ(r.status, 0) << r.err;
  hf::json out = hf::json::parse(r.out);
  EXPECT_EQ(out["architecture"], config["architectures"][0]);
  EXPECT_GT(out["parameters"].get<int64_t>(), 0);
}

TEST_P(FamilyCli, GenerateGivesTheReferenceGreedyIds) {
  const hf::json c = hf::read_json_file(dir_of(GetParam()) + "/expected.json")["cases"][0];
  std::string ids;
  for (const auto& id : c["input_ids"]) ids += (ids.empty() ? "" : ",") + std::to_string(id.get<int>());
  const auto& want = c["greedy"]["ids"];
  auto r = run_program(kHfcpp + " generate " + quote(dir_of(GetParam())) + " --ids " + ids + " --max-new-tokens " +
                       std::to_string(want.size()) + " --greedy --json");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(hf::json::parse(r.out)["new_tokens"], want);
}

TEST_P(FamilyCli, BenchReportsDecodeSpeed) {
  auto r = run_program(kHfcpp + " bench " + quote(dir_of(GetParam())) + " --prompt-tokens 8 --gen-tokens 2 --threads 2 --json");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_GT(hf::json::parse(r.out)["decode_tok_s"].get<double>(), 0.0);
}

TEST_P(FamilyCli, PipelineTextGenerationContinuesThePrompt) {
  auto r = run_program(kHfcpp + " pipeline text-generation --model " + quote(dir_of(GetParam())) +
                       " Hello --greedy --max-new-tokens 3 --json");
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string text = hf::json::parse(r.out)[0]["generated_text"];
  EXPECT_EQ(text.rfind("Hello", 0), 0u) << text;
}

// A model without a chat template cannot chat: one clear line, as transformers refuses too.
TEST_P(FamilyCli, ChatRepliesOrSaysThereIsNoChatTemplate) {
  auto r = run_program(kHfcpp + " chat " + quote(dir_of(GetParam())) + " -p hi --greedy --max-new-tokens 3");
  if (GetParam().chat_template) {
    EXPECT_EQ(r.status, 0) << r.err;
  } else {
    EXPECT_EQ(r.status, 1);
    const size_t at = r.err.find("hfcpp: error:");
    ASSERT_NE(at, std::string::npos) << r.err;
    const std::string error = r.err.substr(at);
    EXPECT_NE(error.find("chat template"), std::string::npos) << error;
    EXPECT_EQ(std::count(error.begin(), error.end(), '\n'), 1) << error;  // one line, the last
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, FamilyCli,
                         ::testing::Values(Family{"gpt2", false}, Family{"qwen3", true}, Family{"mistral", false},
                                           Family{"gemma2", true}, Family{"gemma3", true}, Family{"phi3", true},
                                           Family{"qwen3-moe", true}, Family{"qwen2-moe", true}, Family{"mixtral", false}),
                         [](const ::testing::TestParamInfo<Family>& i) {
                           std::string n = i.param.name;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

}  // namespace
