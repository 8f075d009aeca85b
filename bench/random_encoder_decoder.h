#pragma once
// Random float32 weights for an encoder–decoder of any shape EncoderDecoderConfig describes
// (Marian / BART / mBART names or T5's), built in memory at run time: the benches' stand-in for a
// checkpoint, so that no multi-hundred-MiB file is downloaded, written or committed.
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "memory_weights.h"
#include "models/encoder_decoder_config.h"

namespace hf::bench {

// The configurations of real checkpoints (their config.json values that shape the compute).
inline EncoderDecoderConfig opus_mt_zh_en_shape() {  // Helsinki-NLP/opus-mt-zh-en
  const json j{{"model_type", "marian"}, {"vocab_size", 65001}, {"d_model", 512}, {"encoder_layers", 6},
               {"decoder_layers", 6}, {"encoder_attention_heads", 8}, {"decoder_attention_heads", 8},
               {"encoder_ffn_dim", 2048}, {"decoder_ffn_dim", 2048}, {"max_position_embeddings", 512},
               {"activation_function", "swish"}, {"scale_embedding", true}, {"pad_token_id", 65000},
               {"decoder_start_token_id", 65000}, {"eos_token_id", 0}};
  return EncoderDecoderConfig::from_json(j, "opus-mt-zh-en shape");
}
inline EncoderDecoderConfig distilbart_cnn_12_6_shape() {  // sshleifer/distilbart-cnn-12-6
  const json j{{"model_type", "bart"}, {"vocab_size", 50264}, {"d_model", 1024}, {"encoder_layers", 12},
               {"decoder_layers", 6}, {"encoder_attention_heads", 16}, {"decoder_attention_heads", 16},
               {"encoder_ffn_dim", 4096}, {"decoder_ffn_dim", 4096}, {"max_position_embeddings", 1024},
               {"activation_function", "gelu"}, {"pad_token_id", 1}, {"eos_token_id", 2}, {"decoder_start_token_id", 2}};
  return EncoderDecoderConfig::from_json(j, "distilbart-cnn-12-6 shape");
}
inline EncoderDecoderConfig t5_small_shape() {  // google-t5/t5-small
  const json j{{"model_type", "t5"}, {"vocab_size", 32128}, {"d_model", 512}, {"d_kv", 64}, {"d_ff", 2048},
               {"num_layers", 6}, {"num_heads", 8}, {"feed_forward_proj", "relu"}, {"pad_token_id", 0},
               {"eos_token_id", 1}, {"decoder_start_token_id", 0}};
  return EncoderDecoderConfig::from_json(j, "t5-small shape");
}

// Every tensor the model of `c` binds, under its Hugging Face name (lm_head tied, shared embeddings).
inline void fill_random(MemoryWeights& w, const EncoderDecoderConfig& c) {
  const int64_t d = c.d_model;
  const bool t5 = c.naming == EncoderDecoderConfig::Naming::T5;
  const std::string p = t5 ? "" : "model.";
  w.random(p + "shared.weight", {c.vocab_size, d}, 0.05f);
  if (!t5) w.random("final_logits_bias", {1, c.vocab_size}, 0.1f);
  auto linear = [&](const std::string& name, int64_t out, int64_t in) {
    w.random(name + ".weight", {out, in}, 1.0f / std::sqrt(static_cast<float>(in)));
    if (c.attention_bias) w.random(name + ".bias", {out}, 0.02f);
  };
  auto norm = [&](const std::string& name) {
    w.constant(name + ".weight", d, 1.0f);
    if (!c.rms_norm) w.constant(name + ".bias", d, 0.0f);
  };
  for (const std::string side : {"encoder", "decoder"}) {
    const bool dec = side == "decoder";
    const std::string s = p + side + ".";
    const int64_t layers = dec ? c.decoder_layers : c.encoder_layers, ffn = dec ? c.decoder_ffn_dim : c.encoder_ffn_dim;
    const int64_t inner = dec ? c.decoder_inner_dim() : c.encoder_inner_dim();
    const int64_t heads = dec ? c.decoder_attention_heads : c.encoder_attention_heads;
    if (c.positions == EncoderDecoderConfig::Positions::Learned)
      w.random(s + "embed_positions.weight", {c.max_position_embeddings + c.position_offset, d}, 0.05f);
    if (c.positions == EncoderDecoderConfig::Positions::RelativeBuckets)
      w.random(s + "block.0.layer.0.SelfAttention.relative_attention_bias.weight", {c.relative_attention_num_buckets, heads}, 0.5f);
    if (c.layernorm_embedding) norm(s + "layernorm_embedding");
    if (c.final_layer_norm) norm(s + (t5 ? "final_layer_norm" : "layer_norm"));
    for (int64_t i = 0; i < layers; ++i) {
      const std::string l = t5 ? s + "block." + std::to_string(i) + ".layer." : s + "layers." + std::to_string(i) + ".";
      auto attention = [&](const std::string& a) {
        for (const char* proj : {"q", "k", "v"}) linear(a + "." + proj + (t5 ? "" : "_proj"), inner, d);
        linear(a + (t5 ? ".o" : ".out_proj"), d, inner);
      };
      attention(l + (t5 ? "0.SelfAttention" : "self_attn"));
      norm(l + (t5 ? "0.layer_norm" : "self_attn_layer_norm"));
      if (dec) {
        attention(l + (t5 ? "1.EncDecAttention" : "encoder_attn"));
        norm(l + (t5 ? "1.layer_norm" : "encoder_attn_layer_norm"));
      }
      const std::string f = t5 ? l + (dec ? "2." : "1.") : l;
      if (t5 && c.gated_ffn) {
        linear(f + "DenseReluDense.wi_0", ffn, d);
        linear(f + "DenseReluDense.wi_1", ffn, d);
      } else {
        linear(f + (t5 ? "DenseReluDense.wi" : "fc1"), ffn, d);
      }
      linear(f + (t5 ? "DenseReluDense.wo" : "fc2"), d, ffn);
      norm(f + (t5 ? "layer_norm" : "final_layer_norm"));
    }
  }
}

}  // namespace hf::bench
