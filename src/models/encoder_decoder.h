#pragma once
// The one encoder–decoder Transformer of Marian (modeling_marian.py), BART and mBART
// (modeling_bart.py, modeling_mbart.py) and T5 v1.0 / v1.1 (modeling_t5.py), inference only.
// The families are values of EncoderDecoderConfig:
//   embeddings   tokens × (sqrt(d_model) if scale_embedding) + positions (sinusoidal, learned at
//                position + offset, or none: T5's relative bias) → LayerNorm if layernorm_embedding
//   each layer   self-attention, [cross-attention,] feed-forward, each either post-norm
//                norm(h + f(h)) or pre-norm h + f(norm(h)); LayerNorm or T5's RMS norm
//   attention    scores × head_dim^-0.5 unless T5, + T5's relative position bias (computed from
//                block 0's table once per stack and pass, and shared by every layer)
//   feed-forward fc2(act(fc1 h)) or T5's gated wo(act(wi_0 h) * wi_1 h)
//   stacks end   with a norm when final_layer_norm (mBART, T5)
// EncoderDecoder is the body (hidden states); EncoderDecoderLM adds the language-model head
// (tied or not, T5's d_model^-0.5 factor, final_logits_bias) behind the Seq2SeqLM contract; the
// sequence classifier (seq2seq_classifier.cpp) adds BART's classification head.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "hf/seq2seq_lm.h"
#include "io/weight_source.h"
#include "models/encoder_decoder_config.h"
#include "models/encoder_decoder_state.h"

namespace hf {

class EncoderDecoder {
 public:
  // Binds the weights by their Hugging Face names under `prefix` ("model." for BART/Marian heads,
  // "" for T5 and a saved base model). hf::ModelError naming the tensor when one is missing or
  // misshapen. weight_bytes / num_parameters count what it bound.
  EncoderDecoder(EncoderDecoderConfig config, const WeightSource& weights, const std::string& prefix);
  // The prefix a checkpoint uses: "model." when `weights` has model.* tensors, else "".
  static std::string base_prefix(const WeightSource& weights);

  const EncoderDecoderConfig& config() const { return config_; }
  // Runs the encoder (see Seq2SeqLM::encode).
  std::unique_ptr<EncoderDecoderState> encode(int batch, int seq, std::span<const int32_t> input_ids,
                                              std::span<const uint8_t> attention_mask, int expand,
                                              int64_t capacity) const;
  // Runs `T` new decoder positions of every row (tokens [rows][T], row-major) and appends them to
  // the state's cache. `hidden` receives the last hidden states position-major: [T][rows][d_model].
  void decode(std::span<const int32_t> tokens, int64_t T, EncoderDecoderState& state, std::vector<float>& hidden) const;
  // The decoder's token embedding table (what a tied head multiplies by).
  const Tensor& decoder_embeddings() const { return decoder_embed_; }
  // A stored 2-D weight [rows, cols] (F32/F16/BF16, kept as stored) or a vector of n values
  // (widened to float32); hf::ModelError naming the tensor and `family` when missing or misshapen.
  // `bytes` / `params` accumulate what was bound.
  static Tensor bind_matrix(const WeightSource& w, const std::string& family, const std::string& name, int64_t rows,
                            int64_t cols, int64_t& bytes, int64_t& params);
  static std::vector<float> bind_vector(const WeightSource& w, const std::string& family, const std::string& name,
                                        int64_t n, int64_t& bytes, int64_t& params);

  int64_t weight_bytes = 0, num_parameters = 0;

  struct Linear {
    Tensor weight;             // [out, in], as stored
    std::vector<float> bias;   // [out]; empty = none (T5)
  };
  struct Norm {
    std::vector<float> weight, bias;  // bias empty for T5's RMS norm
  };
  struct Attention {
    Linear q, k, v, out;
  };
  struct Layer {               // encoder layers leave `cross` and `cross_norm` empty
    Attention self;
    Norm self_norm;
    Attention cross;
    Norm cross_norm;
    Linear fc1, gate, fc2;     // gate (T5's wi_1) only for a gated feed-forward
    Norm final_norm;
  };
  struct Stack {
    Tensor embed;
    std::vector<float> positions;         // [rows, d_model] (sinusoidal or learned); empty for T5
    Norm embedding_norm, final_norm;      // empty when the family has none
    std::vector<float> relative_bias;     // T5: block 0's [buckets, heads]
    std::vector<Layer> layers;
    int heads = 0;
    int64_t head_dim = 0;
  };

 private:
  void embed(const Stack& s, std::span<const int32_t> ids, std::span<const int64_t> pos, float* out) const;
  void norm(const Norm& n, const float* x, int64_t rows, float* y) const;
  template <class F>
  void residual(float* h, int64_t rows, const Norm& n, F&& f) const;
  void ffn(const Layer& layer, const float* x, int64_t rows, float* out) const;
  // The T5 bias [heads][T][L] of queries at positions q0..q0+T-1 over keys 0..L-1.
  std::vector<float> position_bias(const Stack& s, bool bidirectional, int64_t q0, int64_t T, int64_t L) const;

  EncoderDecoderConfig config_;
  Tensor decoder_embed_;
  Stack encoder_, decoder_;
};

// The language model (…ForConditionalGeneration / MarianMTModel) behind Seq2SeqLM.
class EncoderDecoderLM : public Seq2SeqLM {
 public:
  // Loads `dir`: config.json, then model.safetensors (single or sharded), else pytorch_model.bin.
  static std::shared_ptr<const EncoderDecoderLM> load(const std::filesystem::path& dir);
  EncoderDecoderLM(EncoderDecoderConfig config, const WeightSource& weights, std::filesystem::path dir = {});

  const EncoderDecoderConfig& config() const { return body_.config(); }
  const std::string& model_type() const override { return body_.config().model_type; }
  int64_t vocab_size() const override { return body_.config().decoder_vocab_size; }
  int64_t max_position_embeddings() const override { return body_.config().max_position_embeddings; }
  const std::filesystem::path& directory() const override { return dir_; }
  std::unique_ptr<Seq2SeqState> encode(int batch, int seq, std::span<const int32_t> input_ids,
                                       std::span<const uint8_t> attention_mask, int expand,
                                       int64_t capacity) const override;
  Tensor decode(std::span<const int32_t> tokens, Seq2SeqState& state) const override;
  int64_t weight_bytes() const override { return weight_bytes_; }
  int64_t num_parameters() const override { return num_parameters_; }

 private:
  EncoderDecoder body_;
  std::filesystem::path dir_;
  Tensor lm_head_;
  std::vector<float> final_logits_bias_;
  float head_scale_ = 1.0f;
  int64_t weight_bytes_ = 0, num_parameters_ = 0;
};

// transformers' MarianSinusoidalPositionalEmbedding table [n_positions, dim], not interleaved:
// columns [0, ceil(dim/2)) hold sin(p / 10000^(2j/dim)), the rest cos(p / 10000^(2j/dim)).
std::vector<float> marian_sinusoidal_positions(int64_t n_positions, int64_t dim);

// T5Attention._relative_position_bucket for one relative position (key − query), the log part in
// float32 and truncated toward zero as torch computes it.
int64_t t5_relative_position_bucket(int64_t relative_position, bool bidirectional, int64_t num_buckets,
                                    int64_t max_distance);

}  // namespace hf
