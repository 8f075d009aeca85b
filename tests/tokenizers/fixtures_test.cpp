// Every case of tests/fixtures/tokenizers/*/cases.jsonl (see the README there): ids with and
// without special tokens, tokens, decodes with and without skip_special_tokens; and the
// incremental decoder on every case. One parameterized test per tokenizer; failures name the case.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "core/json.h"
#include "hf/tokenizer.h"
#include "tokenizers/unicode.h"

namespace {

struct FixtureParam {
  const char* name;   // test name
  const char* dir;    // tokenizer folder under HF_FIXTURES
  const char* cases;  // cases.jsonl folder under HF_FIXTURES
};
// ctest lists each test with its parameter: print the name, not the struct's bytes.
void PrintTo(const FixtureParam& p, std::ostream* os) { *os << p.name; }

std::vector<hf::json> load_cases(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  std::vector<hf::json> out;
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) out.push_back(hf::json::parse(line));
  return out;
}

std::string show(const std::vector<int32_t>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s + "]";
}

class TokenizerFixture : public ::testing::TestWithParam<FixtureParam> {
 protected:
  static hf::Tokenizer load(const FixtureParam& p) {
    return hf::AutoTokenizer::from_pretrained(std::string(HF_FIXTURES) + "/" + p.dir);
  }
};

TEST_P(TokenizerFixture, EveryCase) {
  const FixtureParam& p = GetParam();
  hf::Tokenizer tok = load(p);
  auto cases = load_cases(std::string(HF_FIXTURES) + "/" + p.cases + "/cases.jsonl");
  ASSERT_GT(cases.size(), 100u);
  int failures = 0;
  for (const hf::json& c : cases) {
    std::string id = c["id"].get<std::string>();
    auto ids = c["ids"].get<std::vector<int32_t>>();
    if (c["kind"] == "encode") {
      std::string input = c["input"].get<std::string>();
      auto got = tok.encode(input);
      if (got != ids) {
        ADD_FAILURE() << id << ": encode\n  got      " << show(got) << "\n  expected " << show(ids);
        ++failures;
      }
      auto expected_ns = c["ids_no_special"].get<std::vector<int32_t>>();
      auto got_ns = tok.encode(input, false);
      if (got_ns != expected_ns) {
        ADD_FAILURE() << id << ": encode(add_special_tokens=false)\n  got      " << show(got_ns) << "\n  expected "
                      << show(expected_ns);
        ++failures;
      }
      if (c.contains("tokens_no_special")) {
        auto tokens = tok.convert_ids_to_tokens(expected_ns);
        if (tokens != c["tokens_no_special"].get<std::vector<std::string>>()) {
          ADD_FAILURE() << id << ": convert_ids_to_tokens";
          ++failures;
        }
      }
    }
    std::string d = tok.decode(ids);
    if (d != c["decode"].get<std::string>()) {
      ADD_FAILURE() << id << ": decode\n  got      \"" << d << "\"\n  expected \"" << c["decode"].get<std::string>() << "\"";
      ++failures;
    }
    std::string ds = tok.decode(ids, {.skip_special_tokens = true});
    if (ds != c["decode_skip_special"].get<std::string>()) {
      ADD_FAILURE() << id << ": decode(skip_special_tokens=true)\n  got      \"" << ds << "\"\n  expected \""
                    << c["decode_skip_special"].get<std::string>() << "\"";
      ++failures;
    }
    if (failures > 40) FAIL() << "too many failures";
  }
}

// Fed one id at a time, DecodeStream returns pieces that concatenate to the full decode and are
// each valid UTF-8 (never half a character).
TEST_P(TokenizerFixture, DecodeStreamMatchesDecode) {
  const FixtureParam& p = GetParam();
  hf::Tokenizer tok = load(p);
  for (const hf::json& c : load_cases(std::string(HF_FIXTURES) + "/" + p.cases + "/cases.jsonl")) {
    auto ids = c["ids"].get<std::vector<int32_t>>();
    for (bool skip : {false, true}) {
      hf::DecodeOptions opts{.skip_special_tokens = skip};
      hf::DecodeStream stream(tok, opts);
      std::string joined;
      auto take = [&](const std::string& piece) {
        EXPECT_TRUE(hf::tok::is_valid_utf8(piece)) << c["id"] << ": a piece is not valid UTF-8";
        joined += piece;
      };
      for (int32_t id : ids) take(stream.put(id));
      take(stream.finish());
      EXPECT_EQ(joined, tok.decode(ids, opts)) << c["id"] << (skip ? " (skip_special_tokens)" : "");
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, TokenizerFixture,
                         ::testing::Values(FixtureParam{"qwen2_5", "tokenizers/qwen2.5", "tokenizers/qwen2.5"},
                                           FixtureParam{"gpt2", "tokenizers/gpt2", "tokenizers/gpt2"},
                                           FixtureParam{"llama2", "tokenizers/llama2", "tokenizers/llama2"},
                                           FixtureParam{"unigram", "tokenizers/unigram", "tokenizers/unigram"},
                                           FixtureParam{"wordpiece", "tokenizers/wordpiece", "tokenizers/wordpiece"},
                                           // the tiny model's tokenizer is Qwen2.5's: same cases
                                           FixtureParam{"tiny_qwen2", "tiny-qwen2", "tokenizers/qwen2.5"}),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
