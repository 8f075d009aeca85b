// The text2text family (text2text-generation, summarization, translation with T5 prefixes) on
// tests/fixtures/tiny-bart-cnn and tiny-t5: the generation settings each pipeline case resolves
// (pipelines/base.py precedence, task_specific_params and prefix), every pipeline case's output
// token for token, and the bad inputs (empty text, a T5 task without a prefix, inputs longer than
// the tokenizer's limit or the position table).
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "hf/error.h"
#include "hf/pipeline.h"
#include "hf/seq2seq.h"
#include "models/marian_expected.h"
#include "pipelines/generation_settings.h"
#include "pipelines/text2text_generation.h"
#include "pipelines/translation.h"

namespace fs = std::filesystem;
using namespace hf;

namespace {

const fs::path kBartCnn = fs::path(HF_FIXTURES) / "tiny-bart-cnn";
const fs::path kT5 = fs::path(HF_FIXTURES) / "tiny-t5";

const json& expected(const fs::path& dir) {
  static std::map<std::string, json> cache;
  auto& j = cache[dir.string()];
  if (j.is_null()) j = hf::test::read_python_json(dir / "expected.json");
  return j;
}

// A case's kwargs as the pipeline call receives them: generation keys, and the tokenizer's
// `truncation`.
PipelineCallOptions call_options(const json& kwargs) {
  PipelineCallOptions o;
  json gen = json::object();
  for (const auto& [k, v] : kwargs.items()) {
    if (k == "truncation") o.extra[k] = v;
    else gen[k] = v;
  }
  o.generate = GenerationConfig::from_json_text(gen.dump(), "kwargs");
  return o;
}

// The text2text pipelines' settings (Text2TextGenerationPipeline._default_generation_config:
// max_new_tokens 256, num_beams 4) for a model's generation config and construction kwargs.
pipelines::GenerationSettings resolve(const std::string& task, const GenerationConfig& model, const json& config,
                                      const GenerationConfig& construction = {}) {
  return pipelines::resolve_generation_settings(task, {.max_new_tokens = 256, .num_beams = 4}, model, construction, config);
}

// The settings a case resolves, after generate()'s length rule (max_new_tokens + 1 wins).
void expect_resolved(const fs::path& dir, const json& c) {
  SCOPED_TRACE(c["name"].get<std::string>());
  const json config = read_json_file(dir / "config.json");
  // (effective_translation_task is checked by the pipeline cases, with its warning: warnings are
  // printed once per process.)
  const std::string task = c.value("effective_task", c["task"].get<std::string>());
  const auto s = resolve(task, seq2seq_generation_config(dir), config);
  const GenerationConfig g = call_options(c["kwargs"]).generate.merged_over(s.generation).with_defaults();
  const json& r = c["resolved_generation"];
  EXPECT_EQ(*g.num_beams, r["num_beams"].get<int>());
  const int max_length = g.max_new_tokens ? *g.max_new_tokens + 1 : *g.max_length;
  EXPECT_EQ(max_length, r["max_length"].get<int>());
  if (r["max_new_tokens"].is_null()) EXPECT_FALSE(g.max_new_tokens);
  else EXPECT_EQ(g.max_new_tokens, r["max_new_tokens"].get<int>());
  EXPECT_EQ(*g.min_length, r["min_length"].get<int>());
  EXPECT_FLOAT_EQ(*g.length_penalty, r["length_penalty"].get<float>());
  EXPECT_EQ(*g.early_stopping, r["early_stopping"].get<bool>());
  EXPECT_EQ(*g.no_repeat_ngram_size, r["no_repeat_ngram_size"].get<int>());
  EXPECT_EQ(g.decoder_start_token_id, r["decoder_start_token_id"].get<int>());
  if (r.contains("forced_bos_token_id")) { EXPECT_EQ(g.forced_bos_token_id, r["forced_bos_token_id"].get<int>()); }
  if (r.contains("forced_eos_token_id")) { EXPECT_EQ(g.forced_eos_token_id, r["forced_eos_token_id"].get<int>()); }
  const json prefix = c.contains("prefix") ? c["prefix"] : r["prefix"];
  if (prefix.is_null()) EXPECT_FALSE(s.prefix);
  else EXPECT_EQ(s.prefix, prefix.get<std::string>());
}

Pipeline make(const std::string& task, const fs::path& dir) {
  static std::map<std::string, Pipeline> cache;
  const std::string key = task + "|" + dir.string();
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  Pipeline p = pipeline(task, {.model = dir.string()});
  cache.emplace(key, p);
  return p;
}

void expect_output(const fs::path& dir, const json& c) {
  SCOPED_TRACE(c["name"].get<std::string>());
  ::testing::internal::CaptureStderr();
  const json out = make(c["task"], dir).run(c["inputs"], call_options(c["kwargs"]));
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(out, c["output"]);
  if (c.contains("warnings")) {
    for (const auto& w : c["warnings"]) EXPECT_NE(log.find(w.get<std::string>()), std::string::npos) << log;
  }
}

}  // namespace

TEST(Text2TextSettings, EveryBartCnnCaseResolvesAsTransformers) {
  for (const auto& c : expected(kBartCnn)["pipeline_cases"]) expect_resolved(kBartCnn, c);
}

TEST(Text2TextSettings, EveryT5CaseResolvesAsTransformers) {
  for (const auto& c : expected(kT5)["pipeline_cases"]) expect_resolved(kT5, c);
}

TEST(Text2TextSettings, PipelineDefaultsBeatTheModelsFileWhichFillsTheRest) {
  // _prepare_generation_config(generation_config=pipeline defaults): the model's file fills only
  // unset fields (5.x defaults_only; 4.5x kept every pipeline default that differs from
  // GenerationConfig()'s), so a model asking 6 beams gets the pipeline's 4; its max_length 40
  // still drops max_new_tokens 256.
  const json config = {{"model_type", "marian"}};
  const auto s = resolve("translation", GenerationConfig{.max_length = 40, .num_beams = 6, .length_penalty = 0.5f}, config);
  EXPECT_EQ(s.generation.num_beams, 4);
  EXPECT_FLOAT_EQ(*s.generation.length_penalty, 0.5f);
  EXPECT_FALSE(s.generation.max_new_tokens);
  EXPECT_EQ(s.generation.max_length, 40);
  // max_length 20 is "unset" for transformers: the pipeline's 256 new tokens stay.
  const auto t = resolve("translation", GenerationConfig{.max_length = 20}, config);
  EXPECT_EQ(t.generation.max_new_tokens, 256);
  EXPECT_EQ(t.generation.num_beams, 4);
}

TEST(Text2TextSettings, ConstructionKwargsComeBeforeTheMaxLengthRuleAndUnderTaskParams) {
  // t5-base's summarization params: num_beams 4, max_length 200, min_length 30 (tiny-t5 copies them).
  const json config = read_json_file(kT5 / "config.json");
  // A construction max_length drops the default 256 new tokens (as the model's would); then the
  // task's max_length 200 replaces the 50 and its num_beams 4 the construction's 2.
  auto s = resolve("summarization", GenerationConfig{}, config, {.max_length = 50, .num_beams = 2, .top_k = 7});
  EXPECT_FALSE(s.generation.max_new_tokens);
  EXPECT_EQ(s.generation.max_length, 200);
  EXPECT_EQ(s.generation.num_beams, 4);
  EXPECT_EQ(s.generation.top_k, 7);  // not in the task's params: the construction's stays
  // A construction max_new_tokens stays next to the task's max_length (generate() lets it win).
  s = resolve("summarization", GenerationConfig{}, config, {.max_new_tokens = 9});
  EXPECT_EQ(s.generation.max_new_tokens, 9);
  // The pipeline applies them the same way, and the call's kwargs beat everything.
  const auto impl = std::dynamic_pointer_cast<pipelines::Text2TextPipeline>(pipelines::make_text2text_pipeline(
      "summarization", "summary", kT5.string(), {.model = kT5.string(), .generation_config = {.max_length = 50, .num_beams = 2}}));
  ASSERT_TRUE(impl);
  EXPECT_EQ(impl->settings().generation.num_beams, 4);
  EXPECT_FALSE(impl->settings().generation.max_new_tokens);
  EXPECT_EQ(impl->call_config({.generate = {.num_beams = 2}}).num_beams, 2);
}

TEST(Text2TextSettings, TaskParamsComeAfterTheMaxNewTokensRuleAndTheirPrefixWins) {
  const json config = {{"prefix", "P: "},
                       {"task_specific_params", {{"summarization", {{"max_length", 99}, {"early_stopping", "never"}, {"prefix", "S: "}}}}}};
  const auto s = resolve("summarization", GenerationConfig{}, config);
  EXPECT_EQ(s.generation.max_new_tokens, 256);  // step 3 ran before task_specific_params set max_length
  EXPECT_EQ(s.generation.max_length, 99);
  EXPECT_TRUE(s.generation.early_stopping_never);
  EXPECT_EQ(s.prefix, "S: ");
  EXPECT_EQ(resolve("text2text-generation", GenerationConfig{}, config).prefix, "P: ");
  const json bad = {{"task_specific_params", {{"summarization", 3}}}};
  EXPECT_THROW(resolve("summarization", GenerationConfig{}, bad), ConfigError);
  const json bad_prefix = {{"task_specific_params", {{"summarization", {{"prefix", 1}}}}}};
  EXPECT_THROW(resolve("summarization", GenerationConfig{}, bad_prefix), ConfigError);
}

TEST(Text2TextPipeline, EveryBartCnnPipelineCase) {
  for (const auto& c : expected(kBartCnn)["pipeline_cases"]) expect_output(kBartCnn, c);
}

TEST(Text2TextPipeline, EveryT5PipelineCase) {
  for (const auto& c : expected(kT5)["pipeline_cases"]) expect_output(kT5, c);
}

TEST(Text2TextPipeline, ReturnTensorsGiveTheGeneratedIds) {
  const json& c = expected(kBartCnn)["pipeline_cases"][0];
  PipelineCallOptions o;
  o.return_tensors = true;
  const json out = make("summarization", kBartCnn).run(c["inputs"], o);
  EXPECT_EQ(out, json::array({{{"summary_token_ids", c["details"][0]["sequence"]}}}));
}

TEST(Text2TextPipeline, EmptyTextIsGeneratedFromItsSpecialTokens) {
  // transformers: prefix + "" tokenizes to the special tokens alone and the model still generates.
  // The T5 fixture records it (t2t_empty, in EveryT5PipelineCase); BART gives <s></s> → a summary.
  const json out = make("summarization", kBartCnn)("");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0]["summary_text"].is_string());
  PipelineCallOptions o;
  o.return_tensors = true;
  const json ids = make("summarization", kBartCnn)("", o);
  EXPECT_EQ(ids[0]["summary_token_ids"][0], 2);  // decoder start
  EXPECT_EQ(ids[0]["summary_token_ids"][1], 0);  // forced <s>
}

TEST(Text2TextPipeline, T5TaskWithoutPrefixRunsWithoutOne) {
  // translation_en_to_ja is not in t5's task_specific_params: transformers runs it with no prefix
  // and the pipeline defaults, so it equals text2text-generation on the same text.
  const fs::path dir = kT5;
  Pipeline ja = make("translation_en_to_ja", dir);
  PipelineCallOptions o;
  o.generate.max_new_tokens = 8;
  o.return_tensors = true;
  const json a = ja("Hello world", o);
  const json b = make("text2text-generation", dir)("Hello world", o);
  EXPECT_EQ(a[0]["translation_token_ids"], b[0]["generated_token_ids"]);
}

TEST(Text2TextPipeline, InputLongerThanThePositionTableIsCutWithAWarning) {
  // tiny-bart-cnn: 128 learned positions, tokenizer limit 1024. transformers would fail with an
  // index error; hfcpp keeps the first 127 tokens + </s> and says so.
  std::string text;
  for (int i = 0; i < 200; ++i) text += " word";
  PipelineCallOptions o;
  o.return_tensors = true;
  o.generate.max_length = 16;
  ::testing::internal::CaptureStderr();
  const json out = make("summarization", kBartCnn)(text, o);
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find("more than the model's limit of 128 positions; it was truncated to 128 tokens"), std::string::npos) << log;
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0]["summary_token_ids"].empty());
}

TEST(Text2TextPipeline, BadInputsAreClearErrors) {
  Pipeline p = make("text2text-generation", kT5);
  EXPECT_THROW(p(json(42)), InputError);
  EXPECT_THROW(p(json::array()), InputError);
  EXPECT_THROW(p(json::array({"ok", 3})), InputError);
  PipelineCallOptions o;
  o.extra = {{"truncation", "sideways"}};
  EXPECT_THROW(p("x", o), InputError);
  o.extra = {{"batch_size", 0}};
  EXPECT_THROW(p("x", o), InputError);
}

TEST(Text2TextPipeline, BatchedCallsGiveTheSameSummaries) {
  const json& c = expected(kBartCnn)["pipeline_cases"][2];  // summarization_list
  ASSERT_EQ(c["name"], "summarization_list");
  PipelineCallOptions o;
  o.extra = {{"batch_size", 2}};
  EXPECT_EQ(make("summarization", kBartCnn).run(c["inputs"], o), c["output"]);
}

// Last: its warning is printed once per process, and EveryT5PipelineCase checks it.
TEST(Text2TextTranslation, BareTranslationPicksTheFirstTranslationTask) {
  const json config = read_json_file(kT5 / "config.json");
  EXPECT_EQ(pipelines::effective_translation_task("translation", config), "translation_en_to_de");
  EXPECT_EQ(pipelines::effective_translation_task("translation_en_to_fr", config), "translation_en_to_fr");
  EXPECT_EQ(pipelines::effective_translation_task("translation", json::object()), "translation");
  EXPECT_EQ(pipelines::default_translation_model("translation_en_to_fr"), "google-t5/t5-base");
  EXPECT_EQ(pipelines::default_translation_model("translation_de_to_en"), "Helsinki-NLP/opus-mt-de-en");
}
