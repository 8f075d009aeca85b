// config.json's task_specific_params["text-generation"] (GPT-2 ships {"do_sample": true,
// "max_length": 50}) and "prefix" in the text-generation pipeline, in transformers'
// Pipeline.__init__ order: construction kwargs, the max_length rule, then the task's params, then
// the call's kwargs.
#include <gtest/gtest.h>

#include "core/json.h"
#include "hf/error.h"
#include "hf/pipeline.h"
#include "pipelines/text_generation.h"

namespace hf::pipelines {
namespace {

const std::string kGpt2 = HF_FIXTURES "/tiny-gpt2";

TextGenerationPipeline gpt2(GenerationConfig construction = {}, json config = read_json_file(kGpt2 + "/config.json")) {
  return TextGenerationPipeline("text-generation", kGpt2, AutoTokenizer::from_pretrained(kGpt2),
                                AutoModelForCausalLM::from_pretrained(kGpt2), construction, config);
}

TEST(TextGenerationTaskParams, Gpt2FixtureShipsThem) {
  const TaskParams t = task_params("text-generation", read_json_file(kGpt2 + "/config.json"));
  EXPECT_EQ(t.generation.do_sample, std::optional<bool>(true));
  EXPECT_EQ(t.generation.max_length, std::optional<int>(50));
  EXPECT_FALSE(t.prefix);
  EXPECT_FALSE(task_params("summarization", read_json_file(kGpt2 + "/config.json")).generation.max_length);
}

TEST(TextGenerationTaskParams, AppliedOverConstructionUnderTheCall) {
  // Nothing asked: the pipeline's 256 new tokens stay (they beat the task's max_length in generate).
  GenerationConfig c = gpt2().call_config({});
  EXPECT_EQ(c.max_new_tokens, std::optional<int>(256));
  EXPECT_EQ(c.max_length, std::optional<int>(50));
  EXPECT_EQ(c.do_sample, std::optional<bool>(true));
  // A construction max_length drops the 256 (transformers' rule), then the task's 50 replaces it.
  c = gpt2({.max_length = 10, .do_sample = false}).call_config({});
  EXPECT_FALSE(c.max_new_tokens);
  EXPECT_EQ(c.max_length, std::optional<int>(50));
  EXPECT_EQ(c.do_sample, std::optional<bool>(true));
  // A construction value the task's params do not name stays; a construction max_new_tokens stays
  // next to the task's max_length (generate() lets it win).
  c = gpt2({.max_new_tokens = 7, .top_k = 3}).call_config({});
  EXPECT_EQ(c.max_new_tokens, std::optional<int>(7));
  EXPECT_EQ(c.top_k, std::optional<int>(3));
  EXPECT_EQ(c.max_length, std::optional<int>(50));
  // The call's kwargs win.
  c = gpt2().call_config({.generate = {.max_length = 12, .do_sample = false}});
  EXPECT_EQ(c.max_length, std::optional<int>(12));
  EXPECT_EQ(c.do_sample, std::optional<bool>(false));
}

TEST(TextGenerationTaskParams, PrefixFromConfigOrTaskParams) {
  EXPECT_EQ(task_params("text-generation", json{{"prefix", "A: "}}).prefix, std::optional<std::string>("A: "));
  const json config = {{"prefix", "A: "}, {"task_specific_params", {{"text-generation", {{"prefix", "B: "}, {"top_k", 5}}}}}};
  const TaskParams t = task_params("text-generation", config);
  EXPECT_EQ(t.prefix, std::optional<std::string>("B: "));
  EXPECT_EQ(t.generation.top_k, std::optional<int>(5));
}

TEST(TextGenerationTaskParams, PrefixIsPromptedButNotReturned) {
  json with_prefix = read_json_file(kGpt2 + "/config.json");
  with_prefix["prefix"] = "Once upon a time";
  TextGenerationPipeline p = gpt2({}, with_prefix);
  const PipelineCallOptions greedy{.generate = {.max_new_tokens = 5, .do_sample = false}};
  const json out = p.run(" there", greedy);
  const std::string text = out[0]["generated_text"];
  EXPECT_EQ(text.rfind(" there", 0), 0u) << text;  // prompt_text + new text, the prefix dropped
  // The new text is what the model continues after prefix + prompt.
  TextGenerationPipeline plain = gpt2({}, json::object());
  const json direct = plain.run("Once upon a time there", greedy);
  const std::string whole = direct[0]["generated_text"];
  EXPECT_EQ(whole.substr(std::string("Once upon a time there").size()), text.substr(std::string(" there").size()));
}

TEST(TextGenerationTaskParams, BadValuesAreConfigErrors) {
  auto with = [](json p) { return json{{"task_specific_params", {{"text-generation", p}}}}; };
  EXPECT_THROW(task_params("text-generation", with(50)), ConfigError);
  EXPECT_THROW(task_params("text-generation", with({{"max_length", "fifty"}})), ConfigError);
  EXPECT_THROW(task_params("text-generation", with({{"prefix", 3}})), ConfigError);
  EXPECT_NO_THROW(task_params("text-generation", json{{"task_specific_params", nullptr}}));
}

TEST(TextGenerationTaskParams, DefaultPipelineOnGpt2Runs) {
  Pipeline p = pipeline("text-generation", {.model = kGpt2});
  const json out = p("Hello", {.generate = {.max_new_tokens = 4, .seed = 0}});
  ASSERT_TRUE(out.is_array());
  EXPECT_EQ(out[0]["generated_text"].get<std::string>().rfind("Hello", 0), 0u);
}

}  // namespace
}  // namespace hf::pipelines
