#include "models/marian_config.h"

#include <algorithm>

#include "core/json.h"
#include "hf/error.h"

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

}  // namespace

MarianConfig MarianConfig::from_file(const std::filesystem::path& path) {
  const std::string where = path.string();
  json j;
  try {
    j = read_json_file(path);
  } catch (const FileError& e) {
    throw ConfigError(e.what());
  }
  if (!j.is_object()) throw ConfigError(where + ": expected a JSON object");
  MarianConfig c;
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
  read(j, "tie_word_embeddings", c.tie_word_embeddings, where);
  read(j, "pad_token_id", c.pad_token_id, where);
  read(j, "eos_token_id", c.eos_token_id, where);
  read(j, "decoder_start_token_id", c.decoder_start_token_id, where);
  if (c.decoder_vocab_size <= 0) c.decoder_vocab_size = c.vocab_size;

  auto positive = [&](const char* key, int64_t v) {
    if (v <= 0) throw ConfigError(where + ": " + key + ": must be positive, got " + std::to_string(v));
  };
  positive("vocab_size", c.vocab_size);
  positive("d_model", c.d_model);
  positive("encoder_layers", c.encoder_layers);
  positive("decoder_layers", c.decoder_layers);
  positive("encoder_attention_heads", c.encoder_attention_heads);
  positive("decoder_attention_heads", c.decoder_attention_heads);
  positive("encoder_ffn_dim", c.encoder_ffn_dim);
  positive("decoder_ffn_dim", c.decoder_ffn_dim);
  positive("max_position_embeddings", c.max_position_embeddings);
  if (c.d_model % c.encoder_attention_heads || c.d_model % c.decoder_attention_heads)
    throw ConfigError(where + ": d_model " + std::to_string(c.d_model) + " is not divisible by the attention heads");
  static const char* kActivations[] = {"swish", "silu", "gelu", "relu", "gelu_new", "gelu_pytorch_tanh"};
  if (std::find(std::begin(kActivations), std::end(kActivations), c.activation_function) == std::end(kActivations))
    throw ConfigError(where + ": activation_function: '" + c.activation_function +
                      "' is not supported (swish, silu, gelu, relu, gelu_new, gelu_pytorch_tanh)");
  return c;
}

}  // namespace hf
