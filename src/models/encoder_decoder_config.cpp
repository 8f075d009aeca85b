// config.json → EncoderDecoderConfig. Marian, BART and mBART share BART's key names
// (d_model, encoder_layers, encoder_ffn_dim...); T5 has its own (d_kv, d_ff, num_layers,
// feed_forward_proj...). Defaults are those of each family's configuration class.
#include "models/encoder_decoder_config.h"

#include <algorithm>

#include "core/json.h"
#include "hf/error.h"
#include "models/config_labels.h"

namespace hf {
namespace {

template <class T>
void read(const json& j, const char* key, T& out, const std::string& where) {
  if (!j.contains(key) || j[key].is_null()) return;
  try {
    out = j[key].get<T>();
  } catch (const json::exception&) {
    throw ConfigError(where + ": " + key + ": expected " +
                      (std::is_same_v<T, bool> ? "a boolean" : std::is_same_v<T, std::string> ? "a string" : "a number") +
                      ", got " + j[key].dump());
  }
}

// `what` names the config key (and value) the activation came from.
void check_activation(const std::string& where, const std::string& what, const std::string& act) {
  static const char* kActivations[] = {"swish", "silu", "gelu", "relu", "gelu_new", "gelu_pytorch_tanh"};
  if (std::find(std::begin(kActivations), std::end(kActivations), act) == std::end(kActivations))
    throw ConfigError(where + ": " + what + ": activation '" + act +
                      "' is not supported (swish, silu, gelu, relu, gelu_new, gelu_pytorch_tanh)");
}

// Marian, BART, mBART: BartConfig's names. Marian differs in its defaults and positions.
void read_bart_style(const json& j, const std::string& where, EncoderDecoderConfig& c) {
  const bool marian = c.model_type == "marian";
  c.vocab_size = marian ? 58101 : 50265;
  c.d_model = 1024;
  c.encoder_layers = c.decoder_layers = 12;
  c.encoder_attention_heads = c.decoder_attention_heads = 16;
  c.encoder_ffn_dim = c.decoder_ffn_dim = 4096;
  c.max_position_embeddings = 1024;
  c.pad_token_id = marian ? 58100 : 1;
  c.eos_token_id = marian ? 0 : 2;
  c.decoder_start_token_id = marian ? 58100 : 2;
  read(j, "vocab_size", c.vocab_size, where);
  read(j, "decoder_vocab_size", c.decoder_vocab_size, where);
  read(j, "d_model", c.d_model, where);
  read(j, "encoder_layers", c.encoder_layers, where);
  read(j, "decoder_layers", c.decoder_layers, where);
  read(j, "encoder_attention_heads", c.encoder_attention_heads, where);
  read(j, "decoder_attention_heads", c.decoder_attention_heads, where);
  read(j, "encoder_ffn_dim", c.encoder_ffn_dim, where);
  read(j, "decoder_ffn_dim", c.decoder_ffn_dim, where);
  read(j, "max_position_embeddings", c.max_position_embeddings, where);
  read(j, "activation_function", c.activation_function, where);
  read(j, "scale_embedding", c.scale_embedding, where);
  read(j, "share_encoder_decoder_embeddings", c.share_encoder_decoder_embeddings, where);
  read(j, "pad_token_id", c.pad_token_id, where);
  read(j, "eos_token_id", c.eos_token_id, where);
  c.decoder_start_token_id = c.model_type == "mbart" ? c.eos_token_id : c.decoder_start_token_id;
  read(j, "decoder_start_token_id", c.decoder_start_token_id, where);
  // Legacy keys of the 2020 ports (normalize_before, add_final_layer_norm, static_position_embeddings)
  // are ignored, as the current modeling files ignore them: the family fixes these choices.
  c.positions = marian ? EncoderDecoderConfig::Positions::Sinusoidal : EncoderDecoderConfig::Positions::Learned;
  c.position_offset = marian ? 0 : 2;
  c.layernorm_embedding = !marian;
  c.pre_norm = c.final_layer_norm = c.model_type == "mbart";
  c.norm_eps = 1e-5;
}

// T5Config (and MT5Config, T5 v1.1's architecture with other defaults): feed_forward_proj "ACT"
// or "gated-ACT"; "gated-gelu" means the tanh gelu (gelu_new).
void read_t5(const json& j, const std::string& where, EncoderDecoderConfig& c) {
  const bool mt5 = c.model_type == "mt5";
  c.vocab_size = mt5 ? 250112 : 32128;
  c.d_model = 512;
  c.encoder_head_dim = 64;
  c.encoder_ffn_dim = mt5 ? 1024 : 2048;
  c.encoder_layers = mt5 ? 8 : 6;
  c.encoder_attention_heads = mt5 ? 6 : 8;
  c.tie_word_embeddings = !mt5;
  c.pad_token_id = 0;
  c.eos_token_id = 1;
  c.decoder_start_token_id = 0;
  read(j, "vocab_size", c.vocab_size, where);
  read(j, "d_model", c.d_model, where);
  read(j, "d_kv", c.encoder_head_dim, where);
  c.decoder_head_dim = c.encoder_head_dim;
  read(j, "d_ff", c.encoder_ffn_dim, where);
  read(j, "num_layers", c.encoder_layers, where);
  c.decoder_layers = c.encoder_layers;  // num_decoder_layers: None → num_layers
  read(j, "num_decoder_layers", c.decoder_layers, where);
  read(j, "num_heads", c.encoder_attention_heads, where);
  c.decoder_attention_heads = c.encoder_attention_heads;
  c.decoder_ffn_dim = c.encoder_ffn_dim;
  read(j, "relative_attention_num_buckets", c.relative_attention_num_buckets, where);
  read(j, "relative_attention_max_distance", c.relative_attention_max_distance, where);
  read(j, "layer_norm_epsilon", c.norm_eps, where);
  read(j, "pad_token_id", c.pad_token_id, where);
  read(j, "eos_token_id", c.eos_token_id, where);
  read(j, "decoder_start_token_id", c.decoder_start_token_id, where);
  std::string proj = mt5 ? "gated-gelu" : "relu";
  read(j, "feed_forward_proj", proj, where);
  const size_t dash = proj.find('-');
  c.gated_ffn = dash != std::string::npos && proj.substr(0, dash) == "gated";
  c.activation_function = c.gated_ffn ? proj.substr(dash + 1) : proj;
  if ((dash != std::string::npos && !c.gated_ffn) || c.activation_function.find('-') != std::string::npos)
    throw ConfigError(where + ": feed_forward_proj: `" + proj +
                      "` is not a valid activation function of the dense layer. Please make sure `feed_forward_proj` "
                      "is of the format `gated-{ACT_FN}` or `{ACT_FN}`, e.g. 'gated-gelu' or 'relu'");
  if (proj == "gated-gelu") c.activation_function = "gelu_new";
  check_activation(where, "feed_forward_proj '" + proj + "'", c.activation_function);
  c.max_position_embeddings = 0;
  c.naming = EncoderDecoderConfig::Naming::T5;
  c.positions = EncoderDecoderConfig::Positions::RelativeBuckets;
  c.pre_norm = c.final_layer_norm = c.rms_norm = true;
  c.scale_attention = c.attention_bias = false;
  c.scale_tied_head = true;
}

}  // namespace

const std::vector<std::string>& EncoderDecoderConfig::supported_model_types() {
  static const std::vector<std::string> types{"marian", "bart", "mbart", "t5", "mt5"};
  return types;
}

EncoderDecoderConfig EncoderDecoderConfig::from_file(const std::filesystem::path& path) {
  const std::string where = path.string();
  json j;
  try {
    j = read_json_file(path);
  } catch (const FileError& e) {
    throw ConfigError(e.what());
  }
  return from_json(j, where);
}

EncoderDecoderConfig EncoderDecoderConfig::from_json(const json& j, const std::string& where) {
  if (!j.is_object()) throw ConfigError(where + ": expected a JSON object");
  EncoderDecoderConfig c;
  read(j, "model_type", c.model_type, where);
  const auto& types = supported_model_types();
  if (std::find(types.begin(), types.end(), c.model_type) == types.end())
    throw ConfigError(where + ": model_type: '" + c.model_type +
                      "' is not a supported encoder-decoder model (supported: marian, bart, mbart, t5, mt5)");
  if (j.contains("architectures") && j["architectures"].is_array())
    for (const json& a : j["architectures"])
      if (a.is_string()) c.architectures.push_back(a.get<std::string>());
  if (c.model_type == "t5" || c.model_type == "mt5") read_t5(j, where, c);
  else read_bart_style(j, where, c);
  read(j, "tie_word_embeddings", c.tie_word_embeddings, where);
  if (c.decoder_vocab_size <= 0) c.decoder_vocab_size = c.vocab_size;
  c.id2label = read_id2label(j, where);

  // Sizes are positive and within bounds no real model nears (as ModelConfig's): above them a
  // broken config.json would size tables and products of dimensions beyond memory or int64
  // before any weight is read to contradict it.
  auto positive = [&](const char* key, int64_t v, int64_t most = (int64_t(1) << 31) - 1) {
    if (v <= 0) throw ConfigError(where + ": " + key + ": must be positive, got " + std::to_string(v));
    if (v > most) throw ConfigError(where + ": " + key + ": must be at most " + std::to_string(most) + ", got " + std::to_string(v));
  };
  constexpr int64_t kMaxLayers = int64_t(1) << 16;
  positive("vocab_size", c.vocab_size);
  positive("decoder_vocab_size", c.decoder_vocab_size);
  positive("d_model", c.d_model);
  positive("encoder_layers", c.encoder_layers, kMaxLayers);
  positive("decoder_layers", c.decoder_layers, kMaxLayers);
  positive("attention heads", c.encoder_attention_heads);
  positive("attention heads", c.decoder_attention_heads);
  positive("ffn dim", c.encoder_ffn_dim);
  positive("ffn dim", c.decoder_ffn_dim);
  if (c.positions == Positions::RelativeBuckets) {
    positive("d_kv", c.encoder_head_dim);
    positive("relative_attention_num_buckets", c.relative_attention_num_buckets);
    positive("relative_attention_max_distance", c.relative_attention_max_distance);
    // The log-spaced buckets divide by log(max_distance / exact buckets): below these the bucket
    // maths has no meaning (transformers would compute log(0) or divide by zero).
    if (c.relative_attention_num_buckets < 4 || c.relative_attention_max_distance <= c.relative_attention_num_buckets / 2)
      throw ConfigError(where + ": relative_attention_num_buckets " + std::to_string(c.relative_attention_num_buckets) +
                        " and relative_attention_max_distance " + std::to_string(c.relative_attention_max_distance) +
                        ": need at least 4 buckets and a max distance above half of them");
  } else {
    positive("max_position_embeddings", c.max_position_embeddings);
    // Marian's sinusoidal table is computed at load (max_position_embeddings × d_model floats):
    // real ones have 512 × 512; a gigabyte of it is no model.
    if (c.positions == Positions::Sinusoidal && c.max_position_embeddings * c.d_model > (int64_t(1) << 28))
      throw ConfigError(where + ": max_position_embeddings " + std::to_string(c.max_position_embeddings) + " × d_model " +
                        std::to_string(c.d_model) + ": a sinusoidal table of more than 2^28 values");
    if (c.d_model % c.encoder_attention_heads || c.d_model % c.decoder_attention_heads)
      throw ConfigError(where + ": d_model " + std::to_string(c.d_model) + " is not divisible by the attention heads");
    c.encoder_head_dim = c.d_model / c.encoder_attention_heads;
    c.decoder_head_dim = c.d_model / c.decoder_attention_heads;
  }
  if (!(c.norm_eps > 0)) throw ConfigError(where + ": layer norm epsilon must be positive");
  if (c.naming == Naming::Bart) check_activation(where, "activation_function", c.activation_function);
  return c;
}

}  // namespace hf
