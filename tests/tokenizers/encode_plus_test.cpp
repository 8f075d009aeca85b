// Tokenizer::encode_plus: offsets, word ids, pairs and overflowing windows.
// Exact values: the Rust tokenizers' offsets / word_ids / windows recorded in
// tests/fixtures/tiny-bert/{distilbert-ner,bert-qa}/expected.json (WordPiece). For byte-level BPE
// and Unigram: the ids equal encode()'s on every fixture case, and every token's offsets cover
// text that tokenizes back to it.
#include <gtest/gtest.h>

#include <fstream>

#include "core/json.h"
#include "hf/tokenizer.h"
#include "pipelines/tiny_bert_json.h"

namespace hf {
namespace {

const std::string kBert = HF_FIXTURES "/tiny-bert/";

Tokenizer load(const std::string& dir) { return AutoTokenizer::from_pretrained(dir); }

std::vector<int32_t> words(const json& a) {
  std::vector<int32_t> out;
  for (const auto& w : a) out.push_back(w.is_null() ? -1 : w.get<int32_t>());
  return out;
}

std::vector<std::pair<int64_t, int64_t>> offsets(const json& a) {
  std::vector<std::pair<int64_t, int64_t>> out;
  for (const auto& o : a) out.emplace_back(o[0].get<int64_t>(), o[1].get<int64_t>());
  return out;
}

TEST(EncodePlus, WordPieceOffsetsAndWordIdsOfOneText) {
  const json d = testing::tiny_bert_expected("distilbert-ner")["debug"];
  const Tokenizer tok = load(kBert + "distilbert-ner");
  const auto encs = tok.encode_plus(d["input"].get<std::string>());
  ASSERT_EQ(encs.size(), 1u);
  const Encoding& e = encs[0];
  EXPECT_EQ(e.input_ids, d["input_ids"].get<std::vector<int32_t>>());
  EXPECT_EQ(e.offsets, offsets(d["offsets"]));
  EXPECT_EQ(e.word_ids, words(d["word_ids"]));
  EXPECT_EQ(e.special_tokens_mask, d["special_tokens_mask"].get<std::vector<int32_t>>());
  EXPECT_FALSE(tok.returns_token_type_ids());  // DistilBertTokenizer
}

TEST(EncodePlus, WordPiecePairOffsetsTypesAndWordIds) {
  const json d = read_json_file(kBert + "bert-qa/expected.json")["debug"];
  const Tokenizer tok = load(kBert + "bert-qa");
  const auto encs = tok.encode_plus(d["question"].get<std::string>(), d["context"].get<std::string>());
  ASSERT_EQ(encs.size(), 1u);
  const Encoding& e = encs[0];
  EXPECT_EQ(e.input_ids, d["input_ids"].get<std::vector<int32_t>>());
  EXPECT_EQ(e.token_type_ids, d["token_type_ids"].get<std::vector<int32_t>>());
  EXPECT_EQ(e.offsets, offsets(d["offsets"]));
  EXPECT_EQ(e.word_ids, words(d["word_ids"]));
  EXPECT_TRUE(tok.returns_token_type_ids());
}

TEST(EncodePlus, OverflowingWindowsWithStride) {
  const json w = read_json_file(kBert + "bert-qa/expected.json")["debug"]["windows"];
  const Tokenizer tok = load(kBert + "bert-qa");
  json qa_case;
  const json all = testing::tiny_bert_expected("bert-qa");
  for (const json& c : all["pipeline_cases"])
    if (c["name"] == w["case"]) qa_case = c;
  const auto encs = tok.encode_plus(w["question"].get<std::string>(), qa_case["inputs"]["context"].get<std::string>(),
                                    {.truncation = "only_second", .max_length = w["max_seq_len"].get<int>(),
                                     .stride = w["doc_stride"].get<int>(), .return_overflowing_tokens = true});
  ASSERT_EQ(encs.size(), w["windows"].size());
  for (size_t i = 0; i < encs.size(); ++i) {
    const json& x = w["windows"][i];
    EXPECT_EQ(encs[i].input_ids, x["input_ids"].get<std::vector<int32_t>>()) << "window " << i;
    EXPECT_EQ(encs[i].offsets, offsets(x["offsets"])) << "window " << i;
    EXPECT_EQ(encs[i].word_ids, words(x["word_ids"])) << "window " << i;
    EXPECT_EQ(encs[i].sequence_ids, words(x["sequence_ids"])) << "window " << i;
  }
}

TEST(EncodePlus, TruncationErrorsAreInputErrors) {
  const Tokenizer tok = load(kBert + "bert-qa");
  // The question alone does not fit: nothing of the context can be kept.
  EXPECT_THROW(tok.encode_plus("what what what what what what", "john works in paris.",
                               {.truncation = "only_second", .max_length = 8, .return_overflowing_tokens = true}),
               InputError);
  // A window not longer than the stride.
  EXPECT_THROW(tok.encode_plus("where?", "john smithson works for microsoft in paris since 2019.",
                               {.truncation = "only_second", .max_length = 10, .stride = 5, .return_overflowing_tokens = true}),
               InputError);
}

// Every fixture text: the same ids as encode(), and each token's characters tokenize back to it.
class EncodePlusCases : public ::testing::TestWithParam<std::string> {};

TEST_P(EncodePlusCases, IdsMatchEncodeAndOffsetsCoverTheToken) {
  const std::string dir = std::string(HF_FIXTURES) + "/tokenizers/" + GetParam();
  const Tokenizer tok = load(dir);
  std::ifstream in(dir + "/cases.jsonl");
  std::string line;
  int checked = 0;
  while (std::getline(in, line)) {
    const json c = json::parse(line);
    if (c["kind"] != "encode") continue;
    const std::string text = c["input"].get<std::string>();
    const Encoding e = tok.encode_plus(text)[0];
    ASSERT_EQ(e.input_ids, tok.encode(text, true)) << c["id"];
    // Characters → bytes, to slice the text by offsets.
    std::vector<size_t> at;
    for (size_t i = 0; i < text.size(); ++i)
      if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) at.push_back(i);
    at.push_back(text.size());
    for (size_t k = 0; k < e.size(); ++k) {
      const auto [b, en] = e.offsets[k];
      ASSERT_LE(b, en) << c["id"];
      ASSERT_LT(static_cast<size_t>(en), at.size()) << c["id"];
      // Only a word's first token, alone on its characters (byte tokens share a character).
      const bool first_of_word = k == 0 || e.word_ids[k - 1] != e.word_ids[k];
      const bool shared = (k > 0 && e.offsets[k - 1] == e.offsets[k]) || (k + 1 < e.size() && e.offsets[k + 1] == e.offsets[k]);
      if (e.special_tokens_mask[k] || b == en || !first_of_word || shared) continue;
      const std::string slice = text.substr(at[b], at[en] - at[b]);
      // Whitespace runs and combining sequences merge differently on their own.
      if (slice.find_first_of(" \t\n") != std::string::npos) continue;
      const std::vector<int32_t> again = tok.encode(slice, false);
      // The slice of a whole-word token tokenizes to it; a piece of a longer word may not (a
      // BPE merge or WordPiece ## depends on its neighbours), so only require the token among them
      // when the slice is one token long.
      if (again.size() == 1 && again[0] != e.input_ids[k] && !tok.is_special_id(again[0]))
        ADD_FAILURE() << c["id"] << ": token " << k << " covers \"" << slice << "\" which tokenizes to " << again[0]
                      << ", not " << e.input_ids[k];
      ++checked;
    }
  }
  EXPECT_GT(checked, 10);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, EncodePlusCases, ::testing::Values("wordpiece", "gpt2", "unigram", "qwen2.5"));

}  // namespace
}  // namespace hf
