// pipeline("translation") on tests/fixtures/tiny-marian-zh-en: every case's pipeline_output,
// list inputs, translation_XX_to_YY task names and default models, batching, long and empty
// inputs, and the bad-input errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "hf/error.h"
#include "hf/pipeline.h"
#include "hf/translation.h"
#include "models/marian_expected.h"
#include "pipelines/translation.h"
#include "test_temp.h"

namespace fs = std::filesystem;
using namespace hf;
using hf::test::kTinyMarian;
using hf::test::marian_expected;

namespace {

const Pipeline& translator() {
  static const Pipeline p = pipeline("translation", {.model = kTinyMarian.string()});
  return p;
}

std::string expected_text(const std::string& name) {
  for (const auto& c : marian_expected()["cases"])
    if (c["name"] == name) return c["pipeline_output"][0]["translation_text"].get<std::string>();
  throw std::runtime_error("no case " + name);
}

}  // namespace

TEST(TranslationPipeline, EveryCaseMatchesPipelineOutput) {
  for (const auto& c : marian_expected()["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    json out = translator()(c["text"].get<std::string>());
    EXPECT_EQ(out, c["pipeline_output"]);
  }
}

TEST(TranslationPipeline, ListInputGivesAFlatList) {
  const auto& cases = marian_expected()["cases"];
  json out = translator()(std::vector<std::string>{cases[0]["text"], cases[1]["text"]});
  ASSERT_TRUE(out.is_array());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], cases[0]["pipeline_output"][0]);
  EXPECT_EQ(out[1], cases[1]["pipeline_output"][0]);
}

TEST(TranslationPipeline, BatchedCallsGiveTheSameTranslations) {
  std::vector<std::string> texts;
  json expected = json::array();
  for (const auto& c : marian_expected()["cases"]) {
    texts.push_back(c["text"]);
    expected.push_back(c["pipeline_output"][0]);
  }
  PipelineCallOptions o;
  o.extra = {{"batch_size", 3}};
  EXPECT_EQ(translator()(texts, o), expected);
}

TEST(TranslationPipeline, NumReturnSequencesAndTensors) {
  PipelineCallOptions o;
  o.generate.num_return_sequences = 2;
  json out = translator()("今天天气真好，我想出去玩。", o);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0]["translation_text"], expected_text("weather"));
  json list = translator()(std::vector<std::string>{"好", "好"}, o);  // not flattened: 2 records each
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].size(), 2u);
  PipelineCallOptions t;
  t.return_tensors = true;
  json ids = translator()("今天天气真好，我想出去玩。", t);
  EXPECT_EQ(ids[0]["translation_token_ids"], marian_expected()["cases"][0]["beam"]["sequence"]);
}

TEST(TranslationPipeline, TaskNamesAndDefaultModels) {
  Pipeline p = pipeline("translation_zh_to_en", {.model = kTinyMarian.string()});
  EXPECT_EQ(p.task(), "translation_zh_to_en");
  EXPECT_EQ(p("好")[0]["translation_text"], expected_text("single_char"));
  EXPECT_EQ(pipelines::default_translation_model("translation_en_to_de"), "google-t5/t5-base");  // transformers' table
  EXPECT_EQ(pipelines::default_translation_model("translation_de_to_en"), "Helsinki-NLP/opus-mt-de-en");
  EXPECT_EQ(pipelines::default_translation_model("translation"), "Helsinki-NLP/opus-mt-zh-en");
  EXPECT_THROW(pipeline("translation_zh_en", {.model = kTinyMarian.string()}), InputError);
}

TEST(TranslationPipeline, EmptyStringIsTranslatedAsTransformersDoes) {
  // "" tokenizes to [</s>] and is generated like any other input.
  EXPECT_EQ(translator()("")[0]["translation_text"], expected_text("empty"));
}

TEST(TranslationPipeline, LongInputIsTruncatedToTheModelLimit) {
  std::string text;
  for (int i = 0; i < 700; ++i) text += "好";  // one piece per character: 700 + </s> tokens
  ::testing::internal::CaptureStderr();
  json out = translator()(text);
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find("the input has 702 tokens, more than the model's limit of 512"), std::string::npos) << log;
  ASSERT_EQ(out.size(), 1u);
  // The same as translating exactly the first 511 pieces ("▁" + 510 characters) + </s>.
  std::string head;
  for (int i = 0; i < 510; ++i) head += "好";
  EXPECT_EQ(out, translator()(head));
}

TEST(TranslationPipeline, BadInputs) {
  EXPECT_THROW(translator()(json(42)), InputError);
  EXPECT_THROW(translator()(json::array({"ok", 3})), InputError);
  PipelineCallOptions o;
  o.extra = {{"batch_size", 0}};
  EXPECT_THROW(translator()("好", o), InputError);
}

TEST(TranslationPipeline, MissingTokenizerFilesAreNamed) {
  for (const char* missing : {"source.spm", "target.spm", "vocab.json"}) {
    fs::path dir = test_temp_root() / ("hf_translation_" + std::to_string(::getpid()) + "_" + missing);
    fs::create_directories(dir);
    for (const auto& f : fs::directory_iterator(kTinyMarian))
      if (f.path().filename() != missing && f.path().filename() != "expected.json")
        fs::copy_file(f.path(), dir / f.path().filename(), fs::copy_options::overwrite_existing);
    try {
      pipeline("translation", {.model = dir.string()});
      ADD_FAILURE() << missing;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(missing), std::string::npos) << e.what();
    }
    fs::remove_all(dir);
  }
}

TEST(TranslationPipeline, LowLevelApiAsInTheHeader) {
  // include/hf/translation.h, step by step: AutoTokenizer picks MarianTokenizer, padding="longest"
  // gives the fixture's padded batch, generate() its beam results.
  const auto& b = marian_expected()["batch"];
  auto tok = AutoTokenizer::from_pretrained(kTinyMarian.string());
  auto model = AutoModelForSeq2SeqLM::from_pretrained(kTinyMarian.string());
  BatchEncoding in = tok(b["texts"].get<std::vector<std::string>>(), {.padding = "longest"});
  EXPECT_EQ(in.input_ids, b["input_ids"].get<std::vector<std::vector<int32_t>>>());
  EXPECT_EQ(in.attention_mask, b["attention_mask"].get<std::vector<std::vector<int32_t>>>());
  auto out = model.generate(in);
  EXPECT_EQ(tok.batch_decode(out.sequences, {.skip_special_tokens = true}), b["beam"]["texts"].get<std::vector<std::string>>());
}
