#pragma once
// EncoderDecoderConfig: the config.json of a Marian, BART, mBART or T5 / mT5 model read into the values
// that the one encoder–decoder implementation (models/encoder_decoder.h) interprets. Each family's
// keys and defaults are transformers' (MarianConfig, BartConfig, MBartConfig, T5Config); what
// the modeling files hard-code (BART's position offset 2, T5's missing 1/√d scaling...) is set
// here from model_type, so the model code never tests a family name.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/json.h"

namespace hf {

struct EncoderDecoderConfig {
  enum class Positions {
    Sinusoidal,       // Marian: a fixed table (not interleaved), never saved by save_pretrained
    Learned,          // BART / mBART: embed_positions rows position + position_offset
    RelativeBuckets,  // T5: a per-head bias from log-spaced distance buckets, none on the input
  };

  enum class Naming {
    Bart,  // model.encoder.layers.N.self_attn.q_proj … fc1, fc2 (Marian, BART, mBART)
    T5,    // encoder.block.N.layer.0.SelfAttention.q … layer.N.DenseReluDense.wi / wo
  };

  std::string model_type;                  // marian, bart, mbart, t5, mt5
  Naming naming = Naming::Bart;            // where the checkpoint keeps its tensors
  std::vector<std::string> architectures;  // e.g. ["BartForSequenceClassification"]
  int64_t vocab_size = 0;
  int64_t decoder_vocab_size = 0;          // Marian's separate target vocabulary; else vocab_size
  int64_t d_model = 0;
  int64_t encoder_layers = 0, decoder_layers = 0;
  int64_t encoder_attention_heads = 0, decoder_attention_heads = 0;
  // T5's d_kv for both (heads × d_kv may differ from d_model); else d_model / that stack's heads.
  int64_t encoder_head_dim = 0, decoder_head_dim = 0;
  int64_t encoder_ffn_dim = 0, decoder_ffn_dim = 0;
  int64_t max_position_embeddings = 0;     // 0: no limit (relative positions)

  Positions positions = Positions::Sinusoidal;
  int64_t position_offset = 0;             // BartLearnedPositionalEmbedding's offset 2
  int64_t relative_attention_num_buckets = 32, relative_attention_max_distance = 128;
  bool scale_embedding = false;            // embeddings × sqrt(d_model)
  bool layernorm_embedding = false;        // LayerNorm after embeddings + positions (BART, mBART)
  bool pre_norm = false;                   // h + f(norm(h)) (mBART, T5) instead of norm(h + f(h))
  bool final_layer_norm = false;           // a norm after the last layer of each stack (mBART, T5)
  bool rms_norm = false;                   // T5LayerNorm: no mean, no bias
  double norm_eps = 1e-5;
  bool scale_attention = true;             // scores × head_dim^-0.5 (T5 has none: folded into init)
  bool attention_bias = true;              // q/k/v/o and fc biases (T5 has none)
  std::string activation_function = "gelu";
  bool gated_ffn = false;                  // T5 "gated-ACT": wo(act(wi_0 x) * wi_1 x)
  bool tie_word_embeddings = true;
  bool scale_tied_head = false;            // T5: h × d_model^-0.5 before a tied head
  bool share_encoder_decoder_embeddings = true;
  int32_t pad_token_id = 0, eos_token_id = 0, decoder_start_token_id = 0;
  std::vector<std::string> id2label;       // sequence classification labels, by id

  int64_t encoder_inner_dim() const { return encoder_attention_heads * encoder_head_dim; }
  int64_t decoder_inner_dim() const { return decoder_attention_heads * decoder_head_dim; }

  static const std::vector<std::string>& supported_model_types();
  // Reads config.json. hf::ConfigError naming the file and key for an ill-typed or impossible
  // value (heads not dividing d_model, an unknown activation or feed_forward_proj...) or an
  // unsupported model_type.
  static EncoderDecoderConfig from_file(const std::filesystem::path& config_json);
  // The same from parsed JSON; `where` names it in errors.
  static EncoderDecoderConfig from_json(const json& config, const std::string& where);
};

}  // namespace hf
