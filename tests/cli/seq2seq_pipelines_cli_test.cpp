// `hfcpp pipeline summarization|text2text-generation|translation_XX_to_YY|zero-shot-classification`
// and `hfcpp translate --task` on tests/fixtures/tiny-bart-cnn, tiny-t5 and tiny-bart-mnli: every
// pipeline case of the fixtures with its kwargs as flags, and the errors for bad flag values.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>

#include "cli/run_program.h"
#include "models/marian_expected.h"

using hf::json;

namespace {

const std::filesystem::path kFixtures = HF_FIXTURES;


// Cached: callers iterate members of the result, which must outlive the loop.
const json& expected(const std::string& fixture) {
  static std::map<std::string, json> cache;
  json& j = cache[fixture];
  if (j.is_null()) j = hf::test::read_python_json(kFixtures / fixture / "expected.json");
  return j;
}

// transformers' keyword arguments → the CLI's flags.
std::string flags(const json& kwargs) {
  std::string out;
  for (const auto& [k, v] : kwargs.items()) {
    std::string flag = "--" + k;
    for (char& ch : flag)
      if (ch == '_') ch = '-';
    if (v.is_array()) {
      std::string joined;
      for (const auto& x : v) joined += (joined.empty() ? "" : ",") + x.get<std::string>();
      out += " " + flag + " " + quote(joined);
    } else if (v.is_boolean() && k == "multi_label") {
      out += v.get<bool>() ? " " + flag : "";
    } else {
      out += " " + flag + " " + quote(v.is_string() ? v.get<std::string>() : v.dump());
    }
  }
  return out;
}

std::string inputs(const json& in) {
  if (in.is_string()) return " " + quote(in.get<std::string>());
  std::string out;
  for (const auto& s : in) out += " " + quote(s.get<std::string>());
  return out;
}

ProgramResult run_case(const std::string& fixture, const json& c) {
  return run_program(kHfcpp + " pipeline " + c["task"].get<std::string>() + " --json --model " +
                     quote((kFixtures / fixture).string()) + flags(c["kwargs"]) + inputs(c["inputs"]));
}

}  // namespace

TEST(Seq2SeqPipelineCli, EveryBartCnnCase) {
  for (const auto& c : expected("tiny-bart-cnn")["pipeline_cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    auto r = run_case("tiny-bart-cnn", c);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(json::parse(r.out), c["output"]);
  }
}

TEST(Seq2SeqPipelineCli, EveryT5Case) {
  for (const auto& c : expected("tiny-t5")["pipeline_cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    auto r = run_case("tiny-t5", c);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(json::parse(r.out), c["output"]);
    for (const auto& w : c["warnings"]) EXPECT_NE(r.err.find(w.get<std::string>()), std::string::npos) << r.err;
  }
}

TEST(Seq2SeqPipelineCli, EveryBartMnliZeroShotCase) {
  for (const auto& c : expected("tiny-bart-mnli")["pipeline_cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    auto r = run_case("tiny-bart-mnli", c);
    ASSERT_EQ(r.status, 0) << r.err;
    const json out = json::parse(r.out);
    const json want = c["output"].is_array() ? c["output"] : json::array({c["output"]});
    const json got = out.is_array() ? out : json::array({out});
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(got[i]["labels"], want[i]["labels"]);
      for (size_t j = 0; j < want[i]["scores"].size(); ++j)
        EXPECT_NEAR(got[i]["scores"][j].get<double>(), want[i]["scores"][j].get<double>(), 1e-4);
    }
  }
}

TEST(Seq2SeqPipelineCli, TranslateWithAT5Task) {
  for (const auto& c : expected("tiny-t5")["pipeline_cases"]) {
    if (c["name"] != "de_house") continue;
    auto r = run_program(kHfcpp + " translate --json --model " + quote((kFixtures / "tiny-t5").string()) +
                         " --task translation_en_to_de " + quote(c["inputs"].get<std::string>()));
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(json::parse(r.out), c["output"]);
    auto plain = run_program(kHfcpp + " translate --model " + quote((kFixtures / "tiny-t5").string()) +
                             " --task translation_en_to_de " + quote(c["inputs"].get<std::string>()));
    ASSERT_EQ(plain.status, 0) << plain.err;
    EXPECT_EQ(plain.out, c["output"][0]["translation_text"].get<std::string>() + "\n");
    return;
  }
  FAIL() << "no de_house case";
}

TEST(Seq2SeqPipelineCli, BadValuesAreOneErrorLine) {
  const std::string t5 = " --model " + quote((kFixtures / "tiny-t5").string());
  for (const std::string& bad : {std::string(" --early-stopping maybe"), std::string(" --max-length 0"),
                                 std::string(" --min-length -1"), std::string(" --length-penalty nan"),
                                 std::string(" --num-return-sequences 0"), std::string(" --truncation sideways")}) {
    SCOPED_TRACE(bad);
    auto r = run_program(kHfcpp + " pipeline text2text-generation" + t5 + bad + " hello");
    EXPECT_NE(r.status, 0);
    EXPECT_NE(r.err.find("hfcpp: error: "), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
  }
  auto r = run_program(kHfcpp + " translate --task summarization" + t5 + " hello");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("is not a translation task"), std::string::npos) << r.err;
}

TEST(Seq2SeqPipelineCli, HelpTeachesThePrecedenceAndTheFlags) {
  auto r = run_program(kHfcpp + " pipeline --help");
  ASSERT_EQ(r.status, 0);
  for (const char* s : {"--max-length", "--min-length", "--no-repeat-ngram-size", "--length-penalty", "--early-stopping",
                        "task_specific_params", "summarization"})
    EXPECT_NE(r.out.find(s), std::string::npos) << s;
  auto t = run_program(kHfcpp + " translate --help");
  EXPECT_NE(t.out.find("--task"), std::string::npos);
}
