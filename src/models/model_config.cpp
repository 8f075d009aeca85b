// config.json → ModelConfig, with transformers' per-model defaults (Qwen2Config, LlamaConfig,
// MistralConfig, Qwen3Config, GPT2Config, Gemma2Config, Gemma3TextConfig, Phi3Config,
// MixtralConfig, Qwen3MoeConfig, Qwen2MoeConfig). The dimensions have no default and must be present.
#include "hf/model_config.h"

#include <algorithm>
#include <cmath>

#include "core/json.h"
#include "hf/error.h"

namespace hf {

namespace {

// No real model comes near these; above them a broken config.json would size per-layer tables
// (and products of dimensions) beyond memory or int64 before any weight is read to contradict it.
constexpr int64_t kMaxDimension = (int64_t(1) << 31) - 1;
constexpr int64_t kMaxLayers = int64_t(1) << 16;

struct Reader {
  const json& j;
  std::string where;

  [[noreturn]] void fail(const std::string& key, const std::string& what) const {
    throw ConfigError(where + ": " + key + " " + what);
  }
  bool present(const std::string& key) const { return j.contains(key) && !j[key].is_null(); }
  int64_t integer(const std::string& key) const {
    if (!present(key)) fail(key, "is missing");
    if (!j[key].is_number_integer() || j[key].get<int64_t>() <= 0) fail(key, "must be a positive integer, got " + j[key].dump());
    if (j[key].get<int64_t>() > kMaxDimension) fail(key, "must be at most " + std::to_string(kMaxDimension) + ", got " + j[key].dump());
    return j[key].get<int64_t>();
  }
  int64_t integer(const std::string& key, int64_t dflt) const { return present(key) ? integer(key) : dflt; }
  double number(const std::string& key, double dflt) const {
    if (!present(key)) return dflt;
    if (!j[key].is_number()) fail(key, "must be a number, got " + j[key].dump());
    return j[key].get<double>();
  }
  bool boolean(const std::string& key, bool dflt) const {
    if (!present(key)) return dflt;
    if (!j[key].is_boolean()) fail(key, "must be true or false, got " + j[key].dump());
    return j[key].get<bool>();
  }
  std::string string(const std::string& key, const std::string& dflt) const {
    if (!present(key)) return dflt;
    if (!j[key].is_string()) fail(key, "must be a string, got " + j[key].dump());
    return j[key].get<std::string>();
  }
};

// rope_scaling (or transformers 5's rope_parameters): the rope type and its parameters.
RopeScaling read_rope_scaling(const json& rs, const std::string& where, const ModelConfig& c, const json& top) {
  RopeScaling out;
  if (rs.is_null()) return out;
  if (!rs.is_object()) throw ConfigError(where + ": rope_scaling must be an object or null, got " + rs.dump());
  Reader r{rs, where};
  out.rope_type = r.string("rope_type", r.string("type", "default"));
  if (out.rope_type == "default") return out;
  if (out.rope_type != "linear" && out.rope_type != "dynamic" && out.rope_type != "llama3" && out.rope_type != "longrope")
    throw ConfigError(where + ": rope_scaling.rope_type '" + out.rope_type +
                      "' is not supported (supported: default, linear, dynamic, llama3, longrope)");
  if (out.rope_type == "longrope") {
    // transformers' _compute_longrope_parameters: the factors divide the frequencies; the attention
    // factor scales cos and sin, from max/original context unless given.
    // transformers 4.5x: a top-level original_max_position_embeddings (Phi-3) sets the context and
    // the factor = max / original; otherwise the context is max_position_embeddings.
    const Reader top_r{top, where};
    if (top_r.present("original_max_position_embeddings")) {
      out.original_max_position_embeddings = top_r.integer("original_max_position_embeddings");
      out.factor = double(c.max_position_embeddings) / double(out.original_max_position_embeddings);
    } else {
      out.original_max_position_embeddings = c.max_position_embeddings;
      out.factor = r.number("factor", 1.0);
    }
    const int64_t half = c.rotary_dim() / 2;
    for (const char* key : {"short_factor", "long_factor"}) {
      if (!rs.contains(key) || !rs[key].is_array() || int64_t(rs[key].size()) != half)
        throw ConfigError(where + ": rope_scaling." + key + " must be a list of " + std::to_string(half) + " numbers (rotary_dim / 2)");
      auto& dst = std::string(key) == "short_factor" ? out.short_factor : out.long_factor;
      for (const auto& f : rs[key]) {
        if (!f.is_number() || !(f.get<double>() > 0)) throw ConfigError(where + ": rope_scaling." + key + " holds " + f.dump());
        dst.push_back(f.get<double>());
      }
    }
    out.attention_factor = r.present("attention_factor") ? r.number("attention_factor", 1.0)
                           : out.factor <= 1.0 ? 1.0
                                               : std::sqrt(1 + std::log(out.factor) / std::log(double(out.original_max_position_embeddings)));
    return out;
  }
  if (!r.present("factor")) throw ConfigError(where + ": rope_scaling.factor is missing");
  out.factor = r.number("factor", 1.0);
  if (!(out.factor >= 1.0) && out.rope_type != "linear")
    throw ConfigError(where + ": rope_scaling.factor must be >= 1, got " + rs["factor"].dump());
  if (out.rope_type == "llama3") {
    for (const char* k : {"low_freq_factor", "high_freq_factor", "original_max_position_embeddings"})
      if (!r.present(k)) throw ConfigError(where + ": rope_scaling." + k + " is missing (required by llama3)");
    out.low_freq_factor = r.number("low_freq_factor", 1.0);
    out.high_freq_factor = r.number("high_freq_factor", 4.0);
    out.original_max_position_embeddings = r.integer("original_max_position_embeddings");
  } else {
    out.original_max_position_embeddings = c.max_position_embeddings;
  }
  return out;
}

}  // namespace

const std::vector<std::string>& ModelConfig::supported_model_types() {
  static const std::vector<std::string> types = {"gemma2", "gemma3", "gemma3_text", "gpt2",    "llama",    "mistral",
                                                 "mixtral", "phi3",  "qwen2",       "qwen2_moe", "qwen3",   "qwen3_moe"};
  return types;
}

ModelConfig ModelConfig::from_file(const std::filesystem::path& path) {
  // A model folder means its config.json; a directory that is itself named config.json is a
  // broken file, reported as such (not as a missing config.json/config.json).
  const bool folder = std::filesystem::is_directory(path) && path.filename() != "config.json";
  const auto file = folder ? path / "config.json" : path;
  return from_json_text(read_text_file(file), file.string());
}

namespace {

// GPT-2 spells the common dimensions its own way (GPT2Config.attribute_map).
std::string key_for(const std::string& type, const std::string& key) {
  if (type != "gpt2") return key;
  if (key == "hidden_size") return "n_embd";
  if (key == "num_attention_heads") return "n_head";
  if (key == "num_hidden_layers") return "n_layer";
  if (key == "max_position_embeddings") return "n_positions";
  if (key == "intermediate_size") return "n_inner";
  if (key == "hidden_act") return "activation_function";
  if (key == "rms_norm_eps") return "layer_norm_epsilon";
  return key;
}

// The family's default layer kinds when config.json has no layer_types (transformers' configs).
std::vector<std::string> default_layer_types(const ModelConfig& c, const Reader& r) {
  std::vector<std::string> types(c.num_hidden_layers, "full_attention");
  if (c.sliding_window <= 0) return types;
  for (int64_t i = 0; i < c.num_hidden_layers; ++i) {
    bool sliding = true;                                  // mistral, mixtral, phi3: every layer
    if (c.model_type == "gemma2") sliding = (i + 1) % 2 != 0;
    if (c.model_type == "gemma3_text") sliding = (i + 1) % r.integer("sliding_window_pattern", 6) != 0;
    if (c.model_type.starts_with("qwen")) sliding = i >= c.max_window_layers;
    types[i] = sliding ? "sliding_attention" : "full_attention";
  }
  return types;
}

void read_family_values(ModelConfig& c, const Reader& r, const std::string& where) {
  const std::string& t = c.model_type;
  const json& j = r.j;
  const bool gemma = t == "gemma2" || t == "gemma3_text";
  // Biases: Qwen2 (and its MoE) always has q/k/v biases; llama's attention_bias covers q/k/v/o.
  if (t == "qwen2" || t == "qwen2_moe") {
    c.attention_bias = true;
  } else if (t != "gpt2") {
    c.attention_bias = r.boolean("attention_bias", false);
    c.o_proj_bias = c.attention_bias;
  }
  c.mlp_bias = r.boolean("mlp_bias", false);
  c.qk_norm = t == "qwen3" || t == "qwen3_moe" || t == "gemma3_text";

  // Sliding window: mistral, mixtral, phi3 and gemma whenever set; qwen behind use_sliding_window.
  if (t.starts_with("qwen")) {
    if (r.boolean("use_sliding_window", false)) {
      c.sliding_window = r.integer("sliding_window", 4096);
      c.max_window_layers = r.integer("max_window_layers", 28);
    }
  } else if (gemma) {
    c.sliding_window = r.integer("sliding_window", 4096);
  } else if (t != "gpt2" && t != "llama") {
    c.sliding_window = r.integer("sliding_window", 0);
  }
  if (r.present("layer_types") && c.sliding_window > 0) {
    const json& lt = j["layer_types"];
    if (!lt.is_array() || int64_t(lt.size()) != c.num_hidden_layers)
      throw ConfigError(where + ": layer_types must list " + std::to_string(c.num_hidden_layers) + " layer kinds");
    for (const auto& k : lt) {
      if (k != "sliding_attention" && k != "full_attention")
        throw ConfigError(where + ": layer_types holds " + k.dump() + " (sliding_attention or full_attention)");
      c.layer_types.push_back(k.get<std::string>());
    }
  } else {
    c.layer_types = default_layer_types(c, r);
  }

  if (gemma) {
    c.norm_weight_offset = 1.0;
    c.sandwich_norms = true;
    c.scale_embeddings = true;
    c.hidden_act = r.string("hidden_activation", "gelu_pytorch_tanh");
    c.attention_scale = 1.0 / std::sqrt(r.number("query_pre_attn_scalar", 256));
    // Gemma2Config caps by default; Gemma3TextConfig only when set.
    c.attn_logit_softcapping = r.number("attn_logit_softcapping", t == "gemma2" ? 50.0 : 0.0);
    c.final_logit_softcapping = r.number("final_logit_softcapping", t == "gemma2" ? 30.0 : 0.0);
    if (t == "gemma3_text") c.rope_local_base_freq = r.number("rope_local_base_freq", 10000.0);
  }
  if (t == "gpt2") {
    c.norm_type = "layer_norm";
    c.gated_mlp = false;
    c.learned_positions = true;
    c.attention_bias = c.o_proj_bias = c.mlp_bias = true;
    if (!r.boolean("scale_attn_weights", true)) c.attention_scale = 1.0;
    c.scale_attn_by_inverse_layer_idx = r.boolean("scale_attn_by_inverse_layer_idx", false);
  }
  if (t == "phi3") c.partial_rotary_factor = r.number("partial_rotary_factor", 1.0);
  if (!(c.partial_rotary_factor > 0 && c.partial_rotary_factor <= 1) || c.rotary_dim() % 2 != 0)
    throw ConfigError(where + ": partial_rotary_factor " + std::to_string(c.partial_rotary_factor) +
                      " must give an even rotary dimension within head_dim " + std::to_string(c.head_dim));

  // Mixture of experts: Mixtral routes every layer; Qwen MoE every decoder_sparse_step-th layer
  // outside mlp_only_layers.
  if (t == "mixtral") {
    c.num_experts = r.integer("num_local_experts", 8);
    c.num_experts_per_tok = r.integer("num_experts_per_tok", 2);
    c.moe_intermediate_size = c.intermediate_size;
    c.norm_topk_prob = true;
  } else if (t == "qwen3_moe" || t == "qwen2_moe") {
    c.num_experts = r.integer("num_experts", t == "qwen3_moe" ? 128 : 60);
    c.num_experts_per_tok = r.integer("num_experts_per_tok", t == "qwen3_moe" ? 8 : 4);
    c.moe_intermediate_size = r.integer("moe_intermediate_size", t == "qwen3_moe" ? 768 : 1408);
    c.norm_topk_prob = r.boolean("norm_topk_prob", false);
    if (t == "qwen2_moe") c.shared_expert_intermediate_size = r.integer("shared_expert_intermediate_size", 5632);
  }
  if (c.num_experts > 0) {
    if (c.num_experts_per_tok > c.num_experts)
      throw ConfigError(where + ": num_experts_per_tok " + std::to_string(c.num_experts_per_tok) + " exceeds the " +
                        std::to_string(c.num_experts) + " experts");
    const int64_t step = t == "mixtral" ? 1 : r.integer("decoder_sparse_step", 1);
    std::vector<int64_t> dense_only;
    if (r.present("mlp_only_layers")) {
      if (!j["mlp_only_layers"].is_array()) throw ConfigError(where + ": mlp_only_layers must be a list of layer indices");
      for (const auto& l : j["mlp_only_layers"]) dense_only.push_back(l.is_number_integer() ? l.get<int64_t>() : -1);
    }
    for (int64_t i = 0; i < c.num_hidden_layers; ++i)
      c.moe_layers.push_back(std::find(dense_only.begin(), dense_only.end(), i) == dense_only.end() && (i + 1) % step == 0);
  }
}

}  // namespace

ModelConfig ModelConfig::from_json_text(const std::string& text, const std::string& where_in) {
  json top;
  try {
    top = parse_json(text);
  } catch (const json::parse_error& e) {
    throw ConfigError(where_in + ": malformed JSON at byte " + std::to_string(e.byte));
  }
  if (!top.is_object()) throw ConfigError(where_in + ": not a JSON object");
  std::string supported;
  for (const auto& t : supported_model_types()) supported += (supported.empty() ? "" : ", ") + t;
  const std::string top_type = Reader{top, where_in}.string("model_type", "");
  if (top_type.empty()) throw ConfigError(where_in + ": model_type is missing (supported: " + supported + ")");
  const auto& types = supported_model_types();
  if (std::find(types.begin(), types.end(), top_type) == types.end())
    throw ConfigError(where_in + ": model_type '" + top_type + "' is not supported by the decoder-only model (supported: " +
                      supported + ")");

  // A gemma3 (image-text) config wraps the language model's config in text_config.
  json j = top;
  std::string where = where_in;
  if (top_type == "gemma3") {
    if (!top.contains("text_config") || !top["text_config"].is_object())
      throw ConfigError(where_in + ": text_config is missing (a gemma3 config holds its language model there)");
    j = top["text_config"];
    j["model_type"] = "gemma3_text";
    for (const char* k : {"bos_token_id", "eos_token_id", "pad_token_id", "torch_dtype", "tie_word_embeddings"})
      if (!j.contains(k) && top.contains(k)) j[k] = top[k];
    where = where_in + ": text_config";
  }
  Reader r{j, where};
  ModelConfig c;
  c.model_type = r.string("model_type", "");
  const std::string& t = c.model_type;
  auto key = [&](const char* k) { return key_for(t, k); };
  if (top.contains("architectures") && top["architectures"].is_array())
    for (const auto& a : top["architectures"])
      if (a.is_string()) c.architectures.push_back(a.get<std::string>());

  c.vocab_size = r.integer("vocab_size");
  c.hidden_size = r.integer(key("hidden_size"));
  c.num_hidden_layers = r.integer(key("num_hidden_layers"));
  if (c.num_hidden_layers > kMaxLayers)
    r.fail(key("num_hidden_layers"), "must be at most " + std::to_string(kMaxLayers) + ", got " + std::to_string(c.num_hidden_layers));
  c.num_attention_heads = r.integer(key("num_attention_heads"));
  c.intermediate_size = t == "gpt2" ? r.integer("n_inner", 4 * c.hidden_size) : r.integer("intermediate_size");
  c.num_key_value_heads = r.integer("num_key_value_heads", c.num_attention_heads);
  c.head_dim = r.integer("head_dim", c.hidden_size / c.num_attention_heads);
  if (c.num_attention_heads % c.num_key_value_heads != 0)
    throw ConfigError(where + ": num_attention_heads (" + std::to_string(c.num_attention_heads) +
                      ") is not a multiple of num_key_value_heads (" + std::to_string(c.num_key_value_heads) + ")");
  if (t == "gpt2" && c.hidden_size % c.num_attention_heads != 0)
    throw ConfigError(where + ": n_embd " + std::to_string(c.hidden_size) + " is not a multiple of n_head " +
                      std::to_string(c.num_attention_heads));
  if (c.head_dim % 2 != 0 && t != "gpt2") throw ConfigError(where + ": head_dim " + std::to_string(c.head_dim) + " must be even for RoPE");
  const int64_t default_ctx = t.starts_with("qwen") ? 32768 : t == "mistral" || t == "mixtral" ? 131072 : t == "gpt2" ? 1024
                              : t == "gemma2" ? 8192 : t == "gemma3_text" ? 131072 : t == "phi3" ? 4096 : 2048;
  c.max_position_embeddings = r.integer(key("max_position_embeddings"), default_ctx);
  c.rms_norm_eps = r.number(key("rms_norm_eps"), t == "gpt2" ? 1e-5 : 1e-6);
  c.hidden_act = r.string(key("hidden_act"), t == "gpt2" ? "gelu_new" : "silu");
  c.tie_word_embeddings = r.boolean("tie_word_embeddings", t == "gpt2" || t.starts_with("gemma"));
  c.attention_scale = 1.0 / std::sqrt(double(c.head_dim));

  read_family_values(c, r, where);
  if (c.hidden_act != "silu" && c.hidden_act != "gelu" && c.hidden_act != "gelu_pytorch_tanh" &&
      c.hidden_act != "gelu_new" && c.hidden_act != "relu")
    throw ConfigError(where + ": " + key("hidden_act") + " '" + c.hidden_act +
                      "' is not supported (silu, gelu, gelu_pytorch_tanh, gelu_new, relu)");

  // Rope: transformers < 5 writes rope_theta + rope_scaling; 5 writes rope_parameters.
  if (r.present("rope_parameters")) {
    const json& rp = j["rope_parameters"];
    c.rope_theta = Reader{rp, where + ": rope_parameters"}.number("rope_theta", 10000.0);
    c.rope_scaling = read_rope_scaling(rp, where, c, j);
  } else {
    c.rope_theta = r.number("rope_theta", t == "gemma3_text" ? 1e6 : 10000.0);
    c.rope_scaling = read_rope_scaling(j.contains("rope_scaling") ? j["rope_scaling"] : json(), where, c, j);
  }
  if (!(c.rope_theta > 0)) throw ConfigError(where + ": rope_theta must be positive");

  c.torch_dtype = r.string("torch_dtype", r.string("dtype", ""));
  if (r.present("bos_token_id") && j["bos_token_id"].is_number_integer()) c.bos_token_id = j["bos_token_id"].get<int64_t>();
  if (r.present("pad_token_id") && j["pad_token_id"].is_number_integer()) c.pad_token_id = j["pad_token_id"].get<int64_t>();
  if (r.present("eos_token_id")) {
    const json& e = j["eos_token_id"];
    if (e.is_number_integer()) c.eos_token_id.push_back(e.get<int64_t>());
    else if (e.is_array())
      for (const auto& v : e)
        if (v.is_number_integer()) c.eos_token_id.push_back(v.get<int64_t>());
  }
  return c;
}

}  // namespace hf
