#pragma once
// ModelConfig: a decoder-only model's config.json, with transformers' names and defaults.
// One struct covers every supported model_type (qwen2, llama, mistral, qwen3): the differences
// between them are values and flags here, not separate model classes.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace hf {

// config.json "rope_scaling" (transformers' ROPE_INIT_FUNCTIONS): "default" (none), "linear",
// "dynamic" (NTK-aware, grows with the sequence length) and "llama3".
struct RopeScaling {
  std::string rope_type = "default";
  double factor = 1.0;
  double low_freq_factor = 1.0, high_freq_factor = 4.0;        // llama3
  int64_t original_max_position_embeddings = 0;                // llama3 (dynamic uses max_position_embeddings)
};

struct ModelConfig {
  std::string model_type;                  // "qwen2", "llama", "mistral", "qwen3"
  std::vector<std::string> architectures;  // e.g. ["Qwen2ForCausalLM"]
  int64_t vocab_size = 0;
  int64_t hidden_size = 0;
  int64_t intermediate_size = 0;
  int64_t num_hidden_layers = 0;
  int64_t num_attention_heads = 0;
  int64_t num_key_value_heads = 0;         // absent in config.json: = num_attention_heads
  int64_t head_dim = 0;                    // absent or null: hidden_size / num_attention_heads
  int64_t max_position_embeddings = 0;
  double rope_theta = 10000.0;
  RopeScaling rope_scaling;
  double rms_norm_eps = 1e-6;
  std::string hidden_act = "silu";
  bool tie_word_embeddings = false;
  bool attention_bias = false;             // q/k/v biases (qwen2: always true)
  bool o_proj_bias = false;                // llama's attention_bias also biases o_proj
  bool mlp_bias = false;
  bool qk_norm = false;                    // qwen3: RMSNorm over each q/k head before RoPE
  int64_t sliding_window = 0;              // > 0: layers >= max_window_layers see only the last
  int64_t max_window_layers = 0;           //   `sliding_window` keys (qwen2's use_sliding_window, mistral)
  std::string torch_dtype;                 // as stored ("bfloat16"); informative only
  int64_t bos_token_id = -1, pad_token_id = -1;
  std::vector<int64_t> eos_token_id;

  // The model types this implementation understands.
  static const std::vector<std::string>& supported_model_types();
  // Reads `dir`/config.json (or the file itself). hf::ConfigError naming the file and JSON key
  // for a missing or ill-typed value; an unsupported model_type lists the supported ones.
  static ModelConfig from_file(const std::filesystem::path& path);
  // Parses a config.json text; `where` names it in error messages.
  static ModelConfig from_json_text(const std::string& text, const std::string& where = "config.json");
};

}  // namespace hf
