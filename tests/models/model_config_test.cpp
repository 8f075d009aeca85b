// config.json → ModelConfig (transformers' defaults and flags per model_type), its errors, and
// the RoPE frequencies each rope_scaling type gives.
#include "hf/model_config.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>

#include "hf/error.h"
#include "models/rope.h"

namespace hf {
namespace {

const std::string kDims = R"("vocab_size": 100, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                             "num_attention_heads": 4)";

ModelConfig parse(const std::string& extra) { return ModelConfig::from_json_text("{" + kDims + extra + "}", "cfg.json"); }

std::string error_of(const std::string& json_text) {
  try {
    ModelConfig::from_json_text(json_text, "cfg.json");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(ModelConfig, TinyQwen2Fixture) {
  ModelConfig c = ModelConfig::from_file(HF_FIXTURES "/tiny-qwen2");
  EXPECT_EQ(c.model_type, "qwen2");
  EXPECT_EQ(c.architectures, std::vector<std::string>{"Qwen2ForCausalLM"});
  EXPECT_EQ(c.num_key_value_heads, 2);
  EXPECT_EQ(c.head_dim, 16);
  EXPECT_EQ(c.rope_theta, 1e6);
  EXPECT_EQ(c.rms_norm_eps, 1e-6);
  EXPECT_TRUE(c.tie_word_embeddings);
  EXPECT_TRUE(c.attention_bias);
  EXPECT_FALSE(c.o_proj_bias);
  EXPECT_EQ(c.sliding_window, 0);  // use_sliding_window: false
  EXPECT_EQ(c.eos_token_id, std::vector<int64_t>{151645});
  EXPECT_EQ(c.torch_dtype, "bfloat16");
}

TEST(ModelConfig, DefaultsAndFlagsPerModelType) {
  ModelConfig llama = parse(R"(, "model_type": "llama", "attention_bias": true, "eos_token_id": [1, 2])");
  EXPECT_EQ(llama.num_key_value_heads, 4);  // absent: = num_attention_heads
  EXPECT_EQ(llama.head_dim, 16);            // absent: hidden / heads
  EXPECT_EQ(llama.rope_theta, 10000.0);
  EXPECT_EQ(llama.max_position_embeddings, 2048);
  EXPECT_TRUE(llama.attention_bias);
  EXPECT_TRUE(llama.o_proj_bias);  // llama's attention_bias covers o_proj too
  EXPECT_FALSE(llama.tie_word_embeddings);
  EXPECT_EQ(llama.eos_token_id, (std::vector<int64_t>{1, 2}));

  ModelConfig qwen3 = parse(R"(, "model_type": "qwen3", "head_dim": 128, "num_key_value_heads": 2)");
  EXPECT_TRUE(qwen3.qk_norm);
  EXPECT_FALSE(qwen3.attention_bias);
  EXPECT_EQ(qwen3.head_dim, 128);

  ModelConfig mistral = parse(R"(, "model_type": "mistral", "sliding_window": 4096, "head_dim": null)");
  EXPECT_EQ(mistral.sliding_window, 4096);
  EXPECT_EQ(mistral.max_window_layers, 0);
  EXPECT_EQ(mistral.head_dim, 16);
  EXPECT_EQ(parse(R"(, "model_type": "mistral", "sliding_window": null)").sliding_window, 0);

  ModelConfig windowed = parse(R"(, "model_type": "qwen2", "use_sliding_window": true, "sliding_window": 64, "max_window_layers": 1)");
  EXPECT_EQ(windowed.sliding_window, 64);
  EXPECT_EQ(windowed.max_window_layers, 1);
}

TEST(ModelConfig, RopeScalingTypes) {
  ModelConfig lin = parse(R"(, "model_type": "llama", "rope_scaling": {"type": "linear", "factor": 2.0})");
  EXPECT_EQ(lin.rope_scaling.rope_type, "linear");
  EXPECT_EQ(lin.rope_scaling.factor, 2.0);
  ModelConfig l3 = parse(R"(, "model_type": "llama", "rope_scaling": {"rope_type": "llama3", "factor": 8.0,
      "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 8192})");
  EXPECT_EQ(l3.rope_scaling.rope_type, "llama3");
  EXPECT_EQ(l3.rope_scaling.original_max_position_embeddings, 8192);
  ModelConfig v5 = parse(R"(, "model_type": "llama", "rope_parameters": {"rope_type": "default", "rope_theta": 500000.0})");
  EXPECT_EQ(v5.rope_theta, 500000.0);
  EXPECT_EQ(parse(R"(, "model_type": "llama", "rope_scaling": null)").rope_scaling.rope_type, "default");
}

TEST(ModelConfig, ErrorsNameTheFileAndKey) {
  std::string e = error_of(R"({"model_type": "bloom"})");
  EXPECT_NE(e.find("cfg.json"), std::string::npos) << e;
  EXPECT_NE(e.find("'bloom'"), std::string::npos) << e;
  EXPECT_NE(e.find("gemma2, gemma3, gemma3_text, gpt2, llama, mistral, mixtral, phi3, qwen2, qwen2_moe, qwen3, qwen3_moe"),
            std::string::npos) << e;
  EXPECT_NE(error_of(R"({"vocab_size": 3})").find("model_type is missing"), std::string::npos);
  EXPECT_NE(error_of(R"({"model_type": "llama", "vocab_size": 3})").find("hidden_size is missing"), std::string::npos);
  EXPECT_NE(error_of("{" + kDims + R"(, "model_type": "llama", "hidden_size": "64"})").find("positive integer"), std::string::npos);
  EXPECT_NE(error_of("{" + kDims + R"(, "model_type": "llama", "num_key_value_heads": 3})").find("not a multiple"), std::string::npos);
  EXPECT_NE(error_of("{" + kDims + R"(, "model_type": "llama", "rope_scaling": {"rope_type": "yarn", "factor": 4}})").find("'yarn'"),
            std::string::npos);
  EXPECT_NE(error_of("{" + kDims + R"(, "model_type": "llama", "rope_scaling": {"rope_type": "llama3", "factor": 8}})").find("low_freq_factor"),
            std::string::npos);
  EXPECT_NE(error_of("{" + kDims + R"(, "model_type": "llama", "hidden_act": "swish2"})").find("hidden_act"), std::string::npos);
  EXPECT_NE(error_of(R"({"model_type": )").find("malformed JSON"), std::string::npos);
  EXPECT_THROW(ModelConfig::from_file("/nonexistent/config.json"), FileError);
}

// Found by fuzz_config_json: a layer count of 4444444444444443 sized the per-layer table of layer
// kinds before any weight could contradict it (an allocation beyond memory: the process died).
TEST(ModelConfig, DimensionsAndLayerCountsAreBounded) {
  const std::string mistral = "{" + kDims + R"(, "model_type": "mistral", "sliding_window": 8)";
  EXPECT_NE(error_of(mistral + R"(, "num_hidden_layers": 4444444444444443})").find("num_hidden_layers must be at most"),
            std::string::npos);
  EXPECT_NE(error_of(mistral + R"(, "num_hidden_layers": 65537})").find("num_hidden_layers must be at most 65536"), std::string::npos);
  EXPECT_NE(error_of(mistral + R"(, "vocab_size": 2147483648})").find("vocab_size must be at most 2147483647"), std::string::npos);
  EXPECT_NE(error_of(mistral + R"(, "sliding_window": 9999999999999})").find("sliding_window must be at most"), std::string::npos);
  EXPECT_EQ(parse(R"(, "model_type": "mistral", "sliding_window": 8, "num_hidden_layers": 65536)").layer_types.size(), 65536u);
  EXPECT_EQ(parse(R"(, "model_type": "llama", "max_position_embeddings": 10485760)").max_position_embeddings, 10485760);
}

TEST(ModelConfig, DirectoryNamedConfigJsonIsNamedOnce) {
  // Once reported as ".../config.json/config.json: cannot open".
  const auto dir = std::filesystem::temp_directory_path() / ("hf_cfg_dir_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "config.json");
  for (const auto& path : {dir, dir / "config.json"}) {
    try {
      ModelConfig::from_file(path);
      ADD_FAILURE() << "no error for " << path;
    } catch (const FileError& e) {
      EXPECT_EQ(std::string(e.what()), (dir / "config.json").string() + ": is a directory, not a file");
    }
  }
  std::filesystem::remove_all(dir);
}

// inv_freq for head_dim 8 and theta 10000 is [1, 0.1, 0.01, 0.001] before scaling.
ModelConfig rope_config(const std::string& type, double factor) {
  ModelConfig c;
  c.head_dim = 8;
  c.rope_theta = 10000;
  c.max_position_embeddings = 16;
  c.rope_scaling.rope_type = type;
  c.rope_scaling.factor = factor;
  c.rope_scaling.original_max_position_embeddings = type == "llama3" ? 100 : 16;
  return c;
}

TEST(Rope, InverseFrequenciesPerScalingType) {
  auto def = rope_inv_freq(rope_config("default", 1), 0);
  EXPECT_NEAR(def[1], 0.1, 1e-15);
  EXPECT_NEAR(def[3], 0.001, 1e-15);
  auto lin = rope_inv_freq(rope_config("linear", 4), 0);
  EXPECT_NEAR(lin[1], 0.025, 1e-15);
  // llama3 (factor 8, low 1, high 4, original 100): wavelengths 2π/f = 6.3 (kept), 62.8 (between
  // 25 and 100: interpolated), 628 and 6283 (slowed by 8).
  auto l3 = rope_inv_freq(rope_config("llama3", 8), 0);
  const double smooth = (100 / (2 * M_PI / 0.1) - 1) / 3;
  EXPECT_NEAR(l3[0], 1.0, 1e-15);
  EXPECT_NEAR(l3[1], (1 - smooth) * 0.1 / 8 + smooth * 0.1, 1e-15);
  EXPECT_NEAR(l3[2], 0.01 / 8, 1e-15);
  EXPECT_NEAR(l3[3], 0.001 / 8, 1e-15);
  // dynamic (factor 2, max 16): unchanged up to position 15; at position 31 the base becomes
  // 10000 · (2 · 32 / 16 − 1)^(8 / 6).
  auto dyn_short = rope_inv_freq(rope_config("dynamic", 2), 15);
  EXPECT_NEAR(dyn_short[1], 0.1, 1e-15);
  auto dyn_long = rope_inv_freq(rope_config("dynamic", 2), 31);
  EXPECT_NEAR(dyn_long[1], 1 / std::pow(10000 * std::pow(3.0, 8.0 / 6.0), 0.25), 1e-15);
}

TEST(Rope, TablesAreCosSinOfPositionTimesFrequency) {
  std::vector<double> inv = {1.0, 0.5};
  int32_t pos[2] = {0, 3};
  float c[4], s[4];
  rope_tables(inv, pos, 2, c, s);
  EXPECT_FLOAT_EQ(c[0], 1.0f);
  EXPECT_FLOAT_EQ(s[1], 0.0f);
  EXPECT_FLOAT_EQ(c[2], float(std::cos(3.0)));
  EXPECT_FLOAT_EQ(s[3], float(std::sin(1.5)));
}

}  // namespace
}  // namespace hf
