// MarianTokenizer against tests/fixtures/tiny-marian-zh-en/expected.json (pieces → ids through
// vocab.json, eos appended, language codes, decode through target.spm) and its bad-input errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/json.h"
#include "hf/error.h"
#include "models/marian_expected.h"
#include "tokenizers/marian/marian_tokenizer.h"
#include "test_temp.h"

namespace fs = std::filesystem;
using namespace hf;

namespace {

const fs::path kDir = test::kTinyMarian;
const json& expected() { return test::marian_expected(); }

std::shared_ptr<const TokenizerImpl> tokenizer() {
  static const auto t = make_marian_tokenizer(kDir);
  return t;
}

// A copy of the fixture folder without `missing`, for the error tests.
fs::path copy_without(const std::string& missing) {
  fs::path dir = test_temp_root() / ("hf_marian_tok_" + std::to_string(::getpid()) + "_" + missing);
  fs::create_directories(dir);
  for (const char* f : {"source.spm", "target.spm", "vocab.json", "tokenizer_config.json", "special_tokens_map.json"})
    if (missing != f) fs::copy_file(kDir / f, dir / f, fs::copy_options::overwrite_existing);
  return dir;
}

std::string error_loading(const fs::path& dir) {
  try {
    make_marian_tokenizer(dir);
  } catch (const TokenizerError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST(MarianTokenizer, TokenizerCases) {
  for (const auto& c : expected()["tokenizer_cases"]) {
    SCOPED_TRACE(c["text"].get<std::string>());
    EXPECT_EQ(tokenizer()->encode(c["text"].get<std::string>(), true), c["input_ids"].get<std::vector<int32_t>>());
  }
}

TEST(MarianTokenizer, ModelCasesInputIds) {
  for (const auto& c : expected()["cases"]) {
    SCOPED_TRACE(c["text"].get<std::string>());
    EXPECT_EQ(tokenizer()->encode(c["text"].get<std::string>(), true), c["input_ids"].get<std::vector<int32_t>>());
  }
}

TEST(MarianTokenizer, WithoutSpecialTokensNoEos) {
  auto ids = tokenizer()->encode("你好。", false);
  EXPECT_EQ(ids, (std::vector<int32_t>{2, 470, 293, 6}));
}

TEST(MarianTokenizer, SpecialTokenStringsAreSplitOut) {
  // "</s>" inside the text is the eos id itself, not pieces of "<", "/", "s", ">".
  auto ids = tokenizer()->encode("你好</s>你好", false);
  EXPECT_EQ(ids, (std::vector<int32_t>{2, 470, 293, 0, 2, 470, 293}));
}

TEST(MarianTokenizer, DecodeCases) {
  for (const auto& c : expected()["decode_cases"]) {
    auto ids = c["ids"].get<std::vector<int32_t>>();
    EXPECT_EQ(tokenizer()->decode(ids, c["skip_special_tokens"].get<bool>(), false), c["text"].get<std::string>());
  }
}

TEST(MarianTokenizer, DecodeKeepsSpecialTokensWhenAsked) {
  // transformers 4.x: special tokens that are in vocab.json go through convert_tokens_to_string,
  // which writes each one followed by a space, then strips.
  std::vector<int32_t> ids{3289, 2403, 0};
  EXPECT_EQ(tokenizer()->decode(ids, false, false), "<pad> job</s>");
}

TEST(MarianTokenizer, DecodeRejectsOutOfRangeIds) {
  std::vector<int32_t> ids{5, 999999};
  EXPECT_THROW(tokenizer()->decode(ids, true, false), TokenizerError);
}

TEST(MarianTokenizer, SpecialTokensAndConfig) {
  auto t = tokenizer();
  EXPECT_EQ(t->vocab_size(), 3290u);
  EXPECT_EQ(t->token_to_id("<pad>"), 3289);
  EXPECT_EQ(t->token_to_id("</s>"), 0);
  EXPECT_EQ(t->id_to_token(1), "<unk>");
  EXPECT_TRUE(t->is_special_id(0) && t->is_special_id(1) && t->is_special_id(3289));
  EXPECT_FALSE(t->is_special_id(2));
  EXPECT_EQ(t->config().model_max_length, 512);
  EXPECT_EQ(t->config().pad_token, "<pad>");
}

TEST(MarianTokenizer, MissingFilesAreNamed) {
  for (const char* f : {"source.spm", "target.spm", "vocab.json"}) {
    fs::path dir = copy_without(f);
    std::string e = error_loading(dir);
    EXPECT_NE(e.find((dir / f).string()), std::string::npos) << e;
    EXPECT_NE(e.find("missing"), std::string::npos) << e;
    fs::remove_all(dir);
  }
}

TEST(MarianTokenizer, CorruptSpmIsAClearError) {
  fs::path dir = copy_without("source.spm");
  std::ofstream(dir / "source.spm") << "not a model";
  EXPECT_NE(error_loading(dir).find("not a SentencePiece model"), std::string::npos) << error_loading(dir);
  fs::remove_all(dir);
}

TEST(MarianTokenizer, SeparateVocabsDecodeThroughTargetVocab) {
  fs::path dir = copy_without("");
  json cfg = read_json_file(dir / "tokenizer_config.json");
  cfg["separate_vocabs"] = true;
  std::ofstream(dir / "tokenizer_config.json") << cfg.dump();
  EXPECT_NE(error_loading(dir).find("target_vocab.json: missing"), std::string::npos) << error_loading(dir);
  // A target vocabulary where id 5 is the piece "▁hello" (special ids as in vocab.json).
  std::ofstream(dir / "target_vocab.json") << R"({"</s>": 0, "<unk>": 1, "▁hello": 5, "<pad>": 3289})";
  auto t = make_marian_tokenizer(dir);
  std::vector<int32_t> ids{3289, 5, 0};
  EXPECT_EQ(t->decode(ids, true, false), "hello");
  EXPECT_EQ(t->encode("你好", true), (std::vector<int32_t>{2, 470, 293, 0}));  // source side unchanged
  fs::remove_all(dir);
}

TEST(MarianTokenizer, InvalidUtf8IsReplacedNotFatal) {
  // "\xff" alone is invalid: it becomes U+FFFD, unknown to the source model → <unk>.
  EXPECT_EQ(tokenizer()->encode("\xff", true), tokenizer()->encode("\xEF\xBF\xBD", true));
}
