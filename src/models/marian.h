#pragma once
// MarianMTModel (transformers' modeling_marian.py), inference only: a post-LayerNorm
// encoder–decoder Transformer with sinusoidal positions, scaled embeddings, one shared embedding
// matrix (encoder input, decoder input and output projection) and final_logits_bias.
#include <filesystem>
#include <memory>
#include <vector>

#include "hf/seq2seq_lm.h"
#include "io/weight_source.h"
#include "models/marian_config.h"

namespace hf {

class MarianMTModel : public Seq2SeqLM {
 public:
  // Loads `dir`: config.json, then model.safetensors (single or sharded), else pytorch_model.bin.
  static std::shared_ptr<const MarianMTModel> load(const std::filesystem::path& dir);
  // Binds the weights by their Hugging Face names (views are kept; nothing is copied except
  // biases and norms). hf::ModelError naming the tensor when one is missing or misshapen.
  MarianMTModel(MarianConfig config, const WeightSource& weights, std::filesystem::path dir = {});

  const MarianConfig& config() const { return config_; }
  const std::string& model_type() const override { return model_type_; }
  int64_t vocab_size() const override { return config_.decoder_vocab_size; }
  int64_t max_position_embeddings() const override { return config_.max_position_embeddings; }
  const std::filesystem::path& directory() const override { return dir_; }
  std::unique_ptr<Seq2SeqState> encode(int batch, int seq, std::span<const int32_t> input_ids,
                                       std::span<const uint8_t> attention_mask, int expand,
                                       int64_t capacity) const override;
  Tensor decode(std::span<const int32_t> tokens, Seq2SeqState& state) const override;
  int64_t weight_bytes() const override { return weight_bytes_; }
  int64_t num_parameters() const override { return num_parameters_; }

  struct Linear {
    Tensor weight;             // [out, in], as stored
    std::vector<float> bias;   // [out]
  };
  struct Norm {
    std::vector<float> weight, bias;
  };
  struct Attention {
    Linear q, k, v, out;
  };
  struct Layer {               // encoder layers leave `cross` and `cross_norm` empty
    Attention self;
    Norm self_norm;
    Attention cross;
    Norm cross_norm;
    Linear fc1, fc2;
    Norm final_norm;
  };

 private:
  void run_linear(const Linear& l, const float* x, int64_t rows, float* y) const;
  void run_ffn(const Layer& layer, float* x, int64_t rows, std::vector<float>& tmp, std::vector<float>& tmp2) const;
  void residual_norm(float* x, const float* delta, const Norm& norm, int64_t rows) const;
  void embed(const Tensor& table, std::span<const int32_t> ids, const std::vector<float>& positions,
             std::span<const int64_t> pos, float* out) const;

  MarianConfig config_;
  std::string model_type_ = "marian";
  std::filesystem::path dir_;
  Tensor encoder_embed_, decoder_embed_, lm_head_;
  std::vector<float> final_logits_bias_;
  std::vector<float> encoder_positions_, decoder_positions_;  // [max_position_embeddings, d_model]
  std::vector<Layer> encoder_, decoder_;
  float embed_scale_ = 1.0f;
  int64_t weight_bytes_ = 0, num_parameters_ = 0;
};

// transformers' MarianSinusoidalPositionalEmbedding table [n_positions, dim], not interleaved:
// columns [0, ceil(dim/2)) hold sin(p / 10000^(2j/dim)), the rest cos(p / 10000^(2j/dim)).
std::vector<float> marian_sinusoidal_positions(int64_t n_positions, int64_t dim);

}  // namespace hf
