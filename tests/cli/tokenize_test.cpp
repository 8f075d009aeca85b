// `hfcpp tokenize`, run as a user would: one text (plain and --json, with and without special
// tokens), --decode, --batch and --decode-batch (file and stdin) against the tokenizer fixtures,
// and errors (one line on stderr, exit 1).
#include <gtest/gtest.h>

#include <fstream>

#include "cli/run_program.h"
#include "core/json.h"

namespace {

const std::string kTokenizers = HF_FIXTURES "/tokenizers";

std::vector<hf::json> cases(const std::string& tok, const std::string& kind) {
  std::ifstream in(kTokenizers + "/" + tok + "/cases.jsonl");
  std::vector<hf::json> out;
  std::string line;
  while (std::getline(in, line)) {
    hf::json c = hf::json::parse(line);
    if (c["kind"] == kind) out.push_back(c);
  }
  return out;
}


std::vector<hf::json> json_lines(const std::string& out) {
  std::vector<hf::json> v;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) v.push_back(hf::json::parse(line));
  return v;
}

TEST(TokenizeCli, OneTextJson) {
  hf::json c = cases("llama2", "encode")[3];
  auto r = run_program(kHfcpp + " tokenize " + quote(kTokenizers + "/llama2") + " " + quote(c["input"].get<std::string>()) + " --json");
  ASSERT_EQ(r.status, 0) << r.err;
  hf::json j = hf::json::parse(r.out);
  EXPECT_EQ(j["ids"], c["ids"]);
  EXPECT_EQ(j["tokens"].size(), c["ids"].size());
  r = run_program(kHfcpp + " tokenize " + quote(kTokenizers + "/llama2") + " " + quote(c["input"].get<std::string>()) +
                  " --json --no-special");
  ASSERT_EQ(r.status, 0) << r.err;
  j = hf::json::parse(r.out);
  EXPECT_EQ(j["ids"], c["ids_no_special"]);
  EXPECT_EQ(j["tokens"], c["tokens_no_special"]);
}

TEST(TokenizeCli, OneTextPlainIsIdTabToken) {
  auto r = run_program(kHfcpp + " tokenize " + quote(kTokenizers + "/gpt2") + " 'Hello world'");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "15496\t\"Hello\"\n995\t\"\xC4\xA0world\"\n");
}

TEST(TokenizeCli, EmptyText) {
  auto r = run_program(kHfcpp + " tokenize " + quote(kTokenizers + "/wordpiece") + " '' --json");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(hf::json::parse(r.out)["ids"], hf::json::parse("[2,3]"));
}

TEST(TokenizeCli, Decode) {
  auto cs = cases("qwen2.5", "decode");
  cs.resize(std::min<size_t>(cs.size(), 4));  // each run loads the tokenizer; --decode-batch covers the rest
  for (const hf::json& c : cs) {
    std::string ids;
    for (const auto& v : c["ids"]) ids += (ids.empty() ? "" : ",") + std::to_string(v.get<int>());
    if (ids.empty()) continue;
    auto r = run_program(kHfcpp + " tokenize " + quote(kTokenizers + "/qwen2.5") + " --decode " + ids + " --json");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(hf::json::parse(r.out)["text"], c["decode"]) << c["id"];
    r = run_program(kHfcpp + " tokenize " + quote(kTokenizers + "/qwen2.5") + " --decode " + ids + " --skip-special");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, c["decode_skip_special"].get<std::string>() + "\n") << c["id"];
  }
}

TEST(TokenizeCli, BatchFromFileAndStdin) {
  auto cs = cases("qwen2.5", "encode");
  std::string in;
  for (const auto& c : cs) in += c["input"].dump() + "\n";
  std::string path = write_temp("batch.jsonl", in);
  for (const std::string& src : {quote(path), std::string("- < ") + quote(path)}) {
    auto r = run_program(kHfcpp + " tokenize " + quote(kTokenizers + "/qwen2.5") + " --batch " + src + " --no-special");
    ASSERT_EQ(r.status, 0) << r.err;
    auto out = json_lines(r.out);
    ASSERT_EQ(out.size(), cs.size());
    for (size_t i = 0; i < cs.size(); ++i) {
      EXPECT_EQ(out[i]["ids"], cs[i]["ids_no_special"]) << cs[i]["id"];
      EXPECT_EQ(out[i]["tokens"], cs[i]["tokens_no_special"]) << cs[i]["id"];
    }
  }
}

TEST(TokenizeCli, DecodeBatch) {
  auto cs = cases("llama2", "encode");
  for (const auto& c : cases("llama2", "decode")) cs.push_back(c);
  std::string in;
  for (const auto& c : cs) in += c["ids"].dump() + "\n";
  std::string path = write_temp("ids.jsonl", in);
  for (bool skip : {false, true}) {
    auto r = run_program(kHfcpp + " tokenize " + quote(kTokenizers + "/llama2") + " --decode-batch " + quote(path) +
                         (skip ? " --skip-special" : ""));
    ASSERT_EQ(r.status, 0) << r.err;
    auto out = json_lines(r.out);
    ASSERT_EQ(out.size(), cs.size());
    for (size_t i = 0; i < cs.size(); ++i)
      EXPECT_EQ(out[i]["text"], cs[i][skip ? "decode_skip_special" : "decode"]) << cs[i]["id"];
  }
}

TEST(TokenizeCli, ErrorsAreOneLineAndExitOne) {
  auto r = run_program(kHfcpp + " tokenize " + quote(kTokenizers + "/gpt2") + " --decode 1,99999999");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("hfcpp: error: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("out of range"), std::string::npos) << r.err;

  std::string bad = write_temp("bad.jsonl", "\"ok\"\nnot json\n");
  r = run_program(kHfcpp + " tokenize " + quote(kTokenizers + "/gpt2") + " --batch " + quote(bad));
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("line 2"), std::string::npos) << r.err;

  r = run_program(kHfcpp + " tokenize " + quote(test_temp_root().string()) + " hello");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("no tokenizer.json"), std::string::npos) << r.err;
}

}  // namespace
