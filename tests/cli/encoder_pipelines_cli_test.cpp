// `hfcpp pipeline TASK --model DIR [flags] INPUT... --json` on every tiny-bert pipeline case:
// kwargs become the flags named after them (--top-k K|none, --targets a,b, ...), a list of texts
// becomes several INPUTs, a {"text", "text_pair"} or {"question", "context"} input is given as
// JSON; the printed JSON must match transformers' output (same tolerances as the C++ API test).
// Error cases: a non-zero exit and one line on stderr.
#include <gtest/gtest.h>

#include "cli/run_program.h"
#include "pipelines/tiny_bert_json.h"

namespace hf {
namespace {

const std::string kDir = HF_FIXTURES "/tiny-bert/";
const std::string kBin = HF_BINARY_DIR "/hfcpp";

std::string join(const json& list) {
  std::string s;
  for (const json& v : list) s += (s.empty() ? "" : ",") + v.get<std::string>();
  return s;
}

// The command line of one case.
std::string command(const std::string& folder, const json& c) {
  std::string cmd = kBin + " pipeline " + c.value("task", std::string("question-answering")) + " --model " + quote(kDir + folder);
  const json kwargs = c.value("kwargs", json::object());  // a named value: items() of a temporary dangles
  for (const auto& [k, v] : kwargs.items()) {
    std::string flag = "--" + k;
    for (char& ch : flag)
      if (ch == '_') ch = '-';
    if (v.is_boolean()) {
      if (v.get<bool>()) cmd += " " + flag;
    } else if (v.is_null()) {
      cmd += " " + flag + " none";
    } else if (v.is_array()) {
      cmd += " " + flag + " " + quote(join(v));
    } else if (v.is_string()) {
      cmd += " " + flag + " " + quote(v.get<std::string>());
    } else {
      cmd += " " + flag + " " + v.dump();
    }
  }
  const json& in = c["inputs"];
  if (in.is_object()) cmd += " " + quote(in.dump());
  else if (in.is_array())
    for (const json& t : in) cmd += " " + quote(t.get<std::string>());
  else cmd += " " + quote(in.get<std::string>());
  return cmd + " --json";
}

struct Case {
  std::string folder;
  json data;
};

std::vector<Case> cases(bool errors) {
  std::vector<Case> out;
  for (const char* f : {"bert-mlm", "distilbert-sst2", "bert-multilabel", "bert-regression", "bert-nli", "sentence-minilm",
                        "distilbert-ner", "bert-qa"}) {
    const json e = testing::tiny_bert_expected(f);
    for (const json& c : e[errors ? "error_cases" : "pipeline_cases"]) out.push_back({f, c});
  }
  return out;
}

TEST(EncoderPipelinesCli, EveryTinyBertCaseMatchesTransformers) {
  int checked = 0;
  for (const Case& c : cases(false)) {
    const std::string cmd = command(c.folder, c.data);
    const ProgramResult r = run_program(cmd);
    ASSERT_EQ(r.status, 0) << cmd << "\n" << r.err;
    json out;
    ASSERT_NO_THROW(out = json::parse(r.out)) << cmd << "\n" << r.out;
    std::string why;
    EXPECT_TRUE(testing::near(out, c.data["output"], testing::tolerance_of(c.data), why, "output")) << cmd << "\n" << why;
    ++checked;
  }
  EXPECT_EQ(checked, 77);
}

TEST(EncoderPipelinesCli, BadInputIsOneLineAndNonZeroExit) {
  for (const Case& c : cases(true)) {
    const std::string cmd = command(c.folder, c.data);
    const ProgramResult r = run_program(cmd);
    EXPECT_NE(r.status, 0) << cmd << "\n" << r.out;
    EXPECT_EQ(r.err.rfind("hfcpp: error: ", 0), 0u) << cmd << "\n" << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << cmd << "\n" << r.err;
  }
}

TEST(EncoderPipelinesCli, QuestionAndContextFlagsAndStdinLines) {
  const ProgramResult qa = run_program(kBin + " pipeline question-answering --model " + quote(kDir + "bert-qa") +
                                       " --question 'Where does John work?' --context 'John Smithson works for Microsoft in Paris "
                                       "since 2019. He was born in Zürich and studied at ETH.' --json");
  ASSERT_EQ(qa.status, 0) << qa.err;
  EXPECT_TRUE(json::parse(qa.out).contains("answer")) << qa.out;
  // Two lines on stdin are a list call.
  const ProgramResult lines = run_program("printf 'the code is bad.\\ni love this library!\\n' | " + kBin +
                                          " pipeline text-classification --model " + quote(kDir + "distilbert-sst2") + " --json");
  ASSERT_EQ(lines.status, 0) << lines.err;
  const json expected = testing::tiny_bert_expected("distilbert-sst2");
  for (const json& c : expected["pipeline_cases"])
    if (c["name"] == "tc_batch") {
      std::string why;
      EXPECT_TRUE(testing::near(json::parse(lines.out), c["output"], {}, why, "output")) << why;
    }
}

}  // namespace
}  // namespace hf
