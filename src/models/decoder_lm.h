#pragma once
// The decoder-only transformer of Llama, Qwen2, Qwen3 and Mistral: one implementation, the
// differences are config values (biases, q/k norms, sliding window, rope scaling, tied head).
// Reads like transformers' modeling_qwen2.py: embed → N × (RMSNorm → attention → residual →
// RMSNorm → SwiGLU MLP → residual) → RMSNorm → lm_head.
#include <memory>
#include <vector>

#include "hf/causal_lm.h"
#include "io/weight_source.h"
#include "models/decoder_kv_cache.h"

namespace hf {

class DecoderLM : public CausalLM {
 public:
  // Binds the weights by their Hugging Face names; hf::ModelError for a missing tensor or a shape
  // that does not match the config. `weights` stays alive as long as the model.
  DecoderLM(ModelConfig config, std::shared_ptr<const WeightSource> weights);

  const ModelConfig& config() const override { return config_; }
  std::unique_ptr<KVCache> new_cache(int batch, int64_t capacity) const override;
  Tensor forward(const ForwardInput& input, KVCache& cache) const override;
  Tensor forward_sequences(std::span<const SequenceInput> sequences) const override;
  int64_t weight_bytes() const override { return weight_bytes_; }
  int64_t num_parameters() const override { return num_parameters_; }

 private:
  static constexpr int64_t kPrefillChunk = 512;  // prompt tokens per pass through the layers
  Tensor forward_in_chunks(const ForwardInput& input, DecoderKVCache& cache) const;
  Tensor forward_chunk(const ForwardInput& input, DecoderKVCache& cache) const;
  // A run of consecutive new tokens of one cache row, the unit of RoPE, cache writes and
  // attention: a batched forward has one per batch row, forward_sequences one per sequence.
  struct Segment {
    DecoderKVCache* cache;
    int64_t row;                  // the cache row its keys and values go to
    int64_t n;                    // new tokens (consecutive rows of the activations)
    const int32_t* positions;     // n position ids
    const uint8_t* key_mask;      // cache length + n entries (1 = attend), or null
    int32_t rope_max_position;    // the largest position of its forward call (dynamic scaling)
  };
  // Logits [segments, vocab] of each segment's last token, or [all rows, vocab].
  Tensor forward_segments(const int32_t* input_ids, std::span<const Segment> segments, bool all_positions) const;
  struct Layer {
    std::vector<float> input_norm, post_attention_norm, q_norm, k_norm;  // small: kept as f32
    Tensor q, k, v, o, gate, up, down;                                  // stored dtype, [out, in]
    std::vector<float> q_bias, k_bias, v_bias, o_bias, gate_bias, up_bias, down_bias;  // empty = none
  };
  Tensor bind(const std::string& name, std::vector<int64_t> shape);
  std::vector<float> bind_vector(const std::string& name, int64_t size);
  void mlp_activation(float* gate, const float* up, int64_t n) const;

  ModelConfig config_;
  std::shared_ptr<const WeightSource> weights_;
  Tensor embed_tokens_, lm_head_;
  std::vector<float> final_norm_;
  std::vector<Layer> layers_;
  int64_t weight_bytes_ = 0, num_parameters_ = 0;
};

}  // namespace hf
