// config.json → ModelConfig, with transformers' per-model defaults (Qwen2Config, LlamaConfig,
// MistralConfig, Qwen3Config). The dimensions have no sensible default and must be present.
#include "hf/model_config.h"

#include <cmath>

#include "core/json.h"
#include "hf/error.h"

namespace hf {

namespace {

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
RopeScaling read_rope_scaling(const json& rs, const std::string& where, int64_t max_pos) {
  RopeScaling out;
  if (rs.is_null()) return out;
  if (!rs.is_object()) throw ConfigError(where + ": rope_scaling must be an object or null, got " + rs.dump());
  Reader r{rs, where};
  out.rope_type = r.string("rope_type", r.string("type", "default"));
  if (out.rope_type == "default") return out;
  if (out.rope_type != "linear" && out.rope_type != "dynamic" && out.rope_type != "llama3")
    throw ConfigError(where + ": rope_scaling.rope_type '" + out.rope_type +
                      "' is not supported (supported: default, linear, dynamic, llama3)");
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
    out.original_max_position_embeddings = max_pos;
  }
  return out;
}

}  // namespace

const std::vector<std::string>& ModelConfig::supported_model_types() {
  static const std::vector<std::string> types = {"llama", "mistral", "qwen2", "qwen3"};
  return types;
}

ModelConfig ModelConfig::from_file(const std::filesystem::path& path) {
  auto file = std::filesystem::is_directory(path) ? path / "config.json" : path;
  return from_json_text(read_text_file(file), file.string());
}

ModelConfig ModelConfig::from_json_text(const std::string& text, const std::string& where) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    throw ConfigError(where + ": malformed JSON at byte " + std::to_string(e.byte));
  }
  if (!j.is_object()) throw ConfigError(where + ": not a JSON object");
  Reader r{j, where};
  ModelConfig c;
  c.model_type = r.string("model_type", "");
  std::string supported;
  for (const auto& t : supported_model_types()) supported += (supported.empty() ? "" : ", ") + t;
  if (c.model_type.empty()) throw ConfigError(where + ": model_type is missing (supported: " + supported + ")");
  bool known = false;
  for (const auto& t : supported_model_types()) known = known || t == c.model_type;
  if (!known)
    throw ConfigError(where + ": model_type '" + c.model_type + "' is not supported by the decoder-only model (supported: " +
                      supported + ")");
  const bool qwen = c.model_type == "qwen2" || c.model_type == "qwen3";
  if (j.contains("architectures") && j["architectures"].is_array())
    for (const auto& a : j["architectures"])
      if (a.is_string()) c.architectures.push_back(a.get<std::string>());

  c.vocab_size = r.integer("vocab_size");
  c.hidden_size = r.integer("hidden_size");
  c.intermediate_size = r.integer("intermediate_size");
  c.num_hidden_layers = r.integer("num_hidden_layers");
  c.num_attention_heads = r.integer("num_attention_heads");
  c.num_key_value_heads = r.integer("num_key_value_heads", c.num_attention_heads);
  c.head_dim = r.integer("head_dim", c.hidden_size / c.num_attention_heads);
  if (c.num_attention_heads % c.num_key_value_heads != 0)
    throw ConfigError(where + ": num_attention_heads (" + std::to_string(c.num_attention_heads) +
                      ") is not a multiple of num_key_value_heads (" + std::to_string(c.num_key_value_heads) + ")");
  if (c.head_dim % 2 != 0) throw ConfigError(where + ": head_dim " + std::to_string(c.head_dim) + " must be even for RoPE");
  c.max_position_embeddings = r.integer("max_position_embeddings", qwen ? 32768 : c.model_type == "mistral" ? 131072 : 2048);
  c.rms_norm_eps = r.number("rms_norm_eps", 1e-6);
  c.hidden_act = r.string("hidden_act", "silu");
  if (c.hidden_act != "silu" && c.hidden_act != "gelu" && c.hidden_act != "gelu_pytorch_tanh" &&
      c.hidden_act != "gelu_new" && c.hidden_act != "relu")
    throw ConfigError(where + ": hidden_act '" + c.hidden_act + "' is not supported (silu, gelu, gelu_pytorch_tanh, gelu_new, relu)");
  c.tie_word_embeddings = r.boolean("tie_word_embeddings", false);

  // Rope: transformers < 5 writes rope_theta + rope_scaling; 5 writes rope_parameters.
  if (r.present("rope_parameters")) {
    const json& rp = j["rope_parameters"];
    c.rope_theta = Reader{rp, where + ": rope_parameters"}.number("rope_theta", 10000.0);
    c.rope_scaling = read_rope_scaling(rp, where, c.max_position_embeddings);
  } else {
    c.rope_theta = r.number("rope_theta", 10000.0);
    c.rope_scaling = read_rope_scaling(j.contains("rope_scaling") ? j["rope_scaling"] : json(), where, c.max_position_embeddings);
  }
  if (!(c.rope_theta > 0)) throw ConfigError(where + ": rope_theta must be positive");

  // Biases: Qwen2 always has q/k/v biases; llama's attention_bias covers q/k/v/o.
  if (c.model_type == "qwen2") {
    c.attention_bias = true;
  } else {
    c.attention_bias = r.boolean("attention_bias", false);
    c.o_proj_bias = c.attention_bias;
  }
  c.mlp_bias = r.boolean("mlp_bias", false);
  c.qk_norm = c.model_type == "qwen3";

  if (c.model_type == "mistral") {
    c.sliding_window = r.present("sliding_window") ? r.integer("sliding_window") : 0;
  } else if (qwen && r.boolean("use_sliding_window", false)) {
    c.sliding_window = r.integer("sliding_window", 4096);
    c.max_window_layers = r.integer("max_window_layers", 28);
  }

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
