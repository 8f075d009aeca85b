// GenerationConfig: JSON loading, defaults, stacking and validation.
#include <gtest/gtest.h>

#include "hf/error.h"
#include "hf/generation_config.h"

using hf::GenerationConfig;

TEST(GenerationConfig, LoadsFixtureOverDefaults) {
  auto file = GenerationConfig::from_file(HF_FIXTURES "/tiny-qwen2/generation_config.json");
  EXPECT_EQ(file.eos_token_id, (std::vector<int32_t>{151645, 151643}));
  EXPECT_EQ(file.pad_token_id, 151643);
  EXPECT_FALSE(file.max_length.has_value());
  auto c = file.with_defaults();
  EXPECT_EQ(c.max_length, 20);
  EXPECT_EQ(c.top_k, 20);
  EXPECT_FLOAT_EQ(*c.top_p, 0.8f);
  EXPECT_FLOAT_EQ(*c.temperature, 0.7f);
  EXPECT_TRUE(*c.do_sample);
  EXPECT_FLOAT_EQ(*c.repetition_penalty, 1.1f);
}

TEST(GenerationConfig, CallValuesWinOverModelFile) {
  GenerationConfig model;
  model.top_k = 20;
  model.do_sample = true;
  GenerationConfig call{.max_new_tokens = 5, .do_sample = false};
  auto c = call.merged_over(model).with_defaults();
  EXPECT_FALSE(*c.do_sample);
  EXPECT_EQ(c.top_k, 20);
  EXPECT_EQ(c.max_new_tokens, 5);
}

TEST(GenerationConfig, SingleEosBecomesList) {
  auto c = GenerationConfig::from_json_text(R"({"eos_token_id": 7})", "test.json");
  EXPECT_EQ(c.eos_token_id, (std::vector<int32_t>{7}));
}

TEST(GenerationConfig, UnknownKeyWarnsAndIsIgnored) {
  testing::internal::CaptureStderr();
  auto c = GenerationConfig::from_json_text(R"({"top_k": 3, "frobnicate": 1})", "gc.json");
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(c.top_k, 3);
  EXPECT_NE(err.find("unknown generation parameter \"frobnicate\""), std::string::npos) << err;
  EXPECT_NE(err.find("gc.json"), std::string::npos);
}

TEST(GenerationConfig, BookkeepingKeysAreSilent) {
  testing::internal::CaptureStderr();
  GenerationConfig::from_json_text(R"({"transformers_version": "4.37.0", "_from_model_config": true})", "x.json");
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}

TEST(GenerationConfig, WrongTypeIsConfigErrorNamingKey) {
  try {
    GenerationConfig::from_json_text(R"({"top_k": "many"})", "gc.json");
    FAIL();
  } catch (const hf::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("gc.json: \"top_k\" must be"), std::string::npos) << e.what();
  }
  EXPECT_THROW(GenerationConfig::from_json_text("{", "gc.json"), hf::ConfigError);
}

TEST(GenerationConfig, ZeroOrNegativeTemperatureWithSamplingIsInputError) {
  GenerationConfig c{.do_sample = true, .temperature = 0.0f};
  EXPECT_THROW(c.with_defaults().validate(), hf::InputError);
  GenerationConfig n{.do_sample = true, .temperature = -1.0f};
  EXPECT_THROW(n.with_defaults().validate(), hf::InputError);
  GenerationConfig greedy{.do_sample = false, .temperature = 0.0f};
  EXPECT_NO_THROW(greedy.with_defaults().validate());  // ignored without sampling
}

TEST(GenerationConfig, OtherValidation) {
  EXPECT_THROW((GenerationConfig{.top_p = 1.5f}).validate(), hf::InputError);
  EXPECT_THROW((GenerationConfig{.max_new_tokens = 0}).validate(), hf::InputError);
  EXPECT_THROW((GenerationConfig{.num_return_sequences = 2}).with_defaults().validate(), hf::InputError);
  EXPECT_NO_THROW((GenerationConfig{.do_sample = true, .num_return_sequences = 2}).with_defaults().validate());
}

TEST(GenerationConfig, EarlyStoppingNeverIsKeptAndStacksWithItsValue) {
  auto file = GenerationConfig::from_json_text(R"({"early_stopping": "never", "num_beams": 4})", "g.json");
  EXPECT_EQ(file.early_stopping, false);
  EXPECT_TRUE(file.early_stopping_never);
  EXPECT_NE(file.to_json_string().find("\"early_stopping\": \"never\""), std::string::npos);
  EXPECT_TRUE(GenerationConfig{}.merged_over(file).early_stopping_never);  // unset call: the file's "never"
  const GenerationConfig call{.early_stopping = true};
  const auto c = call.merged_over(file);  // a call's true replaces "never" as a whole
  EXPECT_EQ(c.early_stopping, true);
  EXPECT_FALSE(c.early_stopping_never);
  EXPECT_THROW(GenerationConfig::from_json_text(R"({"early_stopping": "sometimes"})", "g.json"), hf::ConfigError);
  GenerationConfig both{.early_stopping = true};
  both.early_stopping_never = true;
  EXPECT_THROW(both.validate(), hf::InputError);
}
