#pragma once
// ModelConfig: a decoder-only model's config.json, with transformers' names and defaults.
// One struct covers every supported model_type (llama, mistral, qwen2, qwen3, gpt2, gemma2,
// gemma3_text, phi3, qwen3_moe, mixtral): the differences between them are values and flags here
// (norm kind, activation, positions, RoPE kind, soft-caps, window pattern), not model classes.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "hf/export.h"

namespace hf {

// config.json "rope_scaling" (transformers' ROPE_INIT_FUNCTIONS): "default" (none), "linear",
// "dynamic" (NTK-aware, grows with the sequence length), "llama3" and "longrope" (Phi-3).
struct HF_API RopeScaling {
  std::string rope_type = "default";
  double factor = 1.0;
  double low_freq_factor = 1.0, high_freq_factor = 4.0;        // llama3
  int64_t original_max_position_embeddings = 0;                // llama3, longrope (dynamic: max_position_embeddings)
  std::vector<double> short_factor, long_factor;               // longrope: per-frequency divisors
  double attention_factor = 1.0;                               // longrope: scales cos and sin
};

struct HF_API ModelConfig {
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
  int64_t sliding_window = 0;              // > 0: sliding layers see only the last `sliding_window` keys
  int64_t max_window_layers = 0;           // without layer_types: layers >= this one slide
  // "sliding_attention" / "full_attention" per layer (config.json's layer_types, or the family's
  // default pattern); empty: the max_window_layers rule.
  std::vector<std::string> layer_types;

  // Architecture values (set per model_type as transformers' modeling code fixes them).
  std::string norm_type = "rms_norm";      // "rms_norm", or "layer_norm" with bias (gpt2)
  double norm_weight_offset = 0;           // gemma: RMSNorm scales by (1 + weight)
  bool sandwich_norms = false;             // gemma: attention/MLP outputs normed before the residual add
  bool gated_mlp = true;                   // down(act(gate) * up); false: down(act(up)) (gpt2's c_fc/c_proj)
  bool scale_embeddings = false;           // gemma: embeddings × √hidden_size (in the weights' dtype)
  bool learned_positions = false;          // gpt2: absolute position embeddings (wpe) instead of RoPE
  double attention_scale = 0;              // q·k multiplier: head_dim^-0.5, gemma query_pre_attn_scalar^-0.5
  bool scale_attn_by_inverse_layer_idx = false;  // gpt2 option: layer l's scores also / (l + 1)
  double attn_logit_softcapping = 0;       // > 0: scores → cap · tanh(scores / cap) (gemma2)
  double final_logit_softcapping = 0;      // > 0: logits → cap · tanh(logits / cap)
  double rope_local_base_freq = 0;         // > 0: sliding layers' RoPE base, unscaled (gemma3)
  double partial_rotary_factor = 1.0;      // RoPE on the first head_dim × factor dims (phi3)
  // Mixture of experts (qwen3_moe, mixtral): num_experts == 0 is a dense model.
  int64_t num_experts = 0, num_experts_per_tok = 0, moe_intermediate_size = 0;
  bool norm_topk_prob = true;              // renormalise the chosen experts' weights to sum 1
  int64_t shared_expert_intermediate_size = 0;  // > 0: an always-on shared expert (qwen2_moe style)
  std::vector<bool> moe_layers;            // per layer: experts (true) or a dense MLP

  int64_t rotary_dim() const { return static_cast<int64_t>(double(head_dim) * partial_rotary_factor); }
  bool is_sliding_layer(int64_t layer) const {
    if (!layer_types.empty()) return layer_types[layer] == "sliding_attention";
    return sliding_window > 0 && layer >= max_window_layers;
  }
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
