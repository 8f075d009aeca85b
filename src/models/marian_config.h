#pragma once
// MarianConfig: config.json of a MarianMTModel (opus-mt), with transformers' names and defaults.
// Legacy keys of the 2020 ports (normalize_before, static_position_embeddings, ...) are ignored,
// as the current MarianConfig ignores them: Marian is always post-LayerNorm with sinusoidal
// positions and no embedding LayerNorm.
#include <cstdint>
#include <filesystem>
#include <string>

namespace hf {

struct MarianConfig {
  int64_t vocab_size = 58101;
  int64_t decoder_vocab_size = 0;  // absent / null: vocab_size
  int64_t d_model = 1024;
  int64_t encoder_layers = 12, decoder_layers = 12;
  int64_t encoder_attention_heads = 16, decoder_attention_heads = 16;
  int64_t encoder_ffn_dim = 4096, decoder_ffn_dim = 4096;
  int64_t max_position_embeddings = 1024;
  std::string activation_function = "gelu";
  bool scale_embedding = false;
  bool share_encoder_decoder_embeddings = true;
  bool tie_word_embeddings = true;
  int32_t pad_token_id = 58100, eos_token_id = 0, decoder_start_token_id = 58100;

  // Reads `dir`/config.json. hf::ConfigError naming the file and key for an ill-typed or
  // impossible value (d_model not divisible by the heads, unknown activation...).
  static MarianConfig from_file(const std::filesystem::path& config_json);
};

}  // namespace hf
