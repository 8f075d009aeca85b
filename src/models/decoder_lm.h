#pragma once
// The one decoder-only transformer: Llama, Mistral, Qwen2/3, GPT-2, Gemma 2/3, Phi-3 and the
// mixture-of-experts Mixtral / Qwen-MoE. Their differences are ModelConfig values (norm kind,
// activation, positions, RoPE kind, soft-caps, window pattern, experts), read here; the tensor
// names of each family are mapped once, at load (decoder_weights.cpp). Reads like transformers'
// modeling_llama.py: embed → N × (norm → attention → residual → norm → MLP → residual) → norm → head.
#include <memory>
#include <vector>

#include "hf/causal_lm.h"
#include "io/weight_source.h"
#include "kernels/kernels.h"
#include "models/decoder_kv_cache.h"

namespace hf {

class DecoderLM : public CausalLM {
 public:
  // Binds the weights by their Hugging Face names; hf::ModelError for a missing tensor or a shape
  // that does not match the config. `weights` stays alive as long as the model. Its caches hold
  // `kv_cache_dtype` elements (F32, F16 or BF16); its products run at `matmul_precision`.
  DecoderLM(ModelConfig config, std::shared_ptr<const WeightSource> weights, DType kv_cache_dtype = DType::F32,
            kernels::MatmulPrecision matmul_precision = kernels::MatmulPrecision::Float32);

  const ModelConfig& config() const override { return config_; }
  std::unique_ptr<KVCache> new_cache(int batch, int64_t capacity) const override;
  Tensor forward(const ForwardInput& input, KVCache& cache) const override;
  Tensor forward_sequences(std::span<const SequenceInput> sequences) const override;
  int64_t weight_bytes() const override { return weight_bytes_; }
  int64_t num_parameters() const override { return num_parameters_; }

 private:
  // Activation memory is bounded relative to the weights, so that peak memory stays within a few
  // percent of the model at any prompt length: a pass's per-token buffers (the residual stream,
  // norm, q, k, v, attention output) and one MLP row block's gate and up activations are each held
  // under kActivationShare of the weight bytes, by rows in powers of two between a floor where
  // the GEMMs still amortise their weight panels and 512 (set at load from the weights' size).
  static constexpr int64_t kActivationShare = 64;       // each buffer group <= weight bytes / 64
  static constexpr int64_t kMinPrefillChunk = 64, kMinMlpBlock = 32, kMaxRows = 512;
  int64_t rows_within_budget(int64_t bytes_per_row, int64_t floor) const;
  int64_t prefill_chunk() const;  // prompt tokens per pass through the layers
  Tensor forward_in_chunks(const ForwardInput& input, DecoderKVCache& cache, int32_t rope_max_position) const;
  Tensor forward_chunk(const ForwardInput& input, DecoderKVCache& cache, int32_t rope_max_position) const;
  bool rope_outgrows_cache(const DecoderKVCache& cache, int32_t max_position) const;
  Tensor reencode(const ForwardInput& input, DecoderKVCache& cache) const;
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

  // Weights. Norm and bias vectors are small and kept as f32 (a Gemma norm already holds 1 + w);
  // matrices stay in their stored dtype, [out, in] (GPT-2's Conv1D is transposed once at load).
  struct Norm {
    std::vector<float> weight, bias;  // bias: LayerNorm only; empty weight = no such norm
  };
  struct Mlp {
    Tensor gate, up, down;            // gate empty: down(act(up(x))) (GPT-2)
    std::vector<float> gate_bias, up_bias, down_bias;
  };
  struct Layer {
    Norm attn_norm, attn_out_norm, mlp_norm, mlp_out_norm;  // *_out_norm: Gemma's sandwich norms
    std::vector<float> q_norm, k_norm;                      // per-head RMSNorm before RoPE (qwen3, gemma3)
    Tensor q, k, v, o;
    std::vector<float> q_bias, k_bias, v_bias, o_bias;      // empty = none
    Mlp mlp;                                                // dense layers
    Tensor router;                                          // MoE layers: [experts, hidden]
    std::vector<Mlp> experts;
    Mlp shared_expert;                                      // qwen2_moe: always on, gated by
    Tensor shared_expert_gate;                              //   sigmoid(shared_expert_gate · x)
  };
  friend class DecoderWeights;

  void norm(const Norm& n, const float* x, int64_t rows, float* y) const;
  // `scratch`: the gate and up activations of one row block, reused by every layer of a pass.
  void mlp_forward(const Mlp& m, const float* x, int64_t rows, float* y, std::vector<float>& scratch) const;
  void moe_forward(const Layer& L, const float* x, int64_t rows, float* y, std::vector<float>& scratch) const;
  void decode_experts(const Layer& L, const float* x, const std::vector<std::vector<std::pair<int64_t, float>>>& routed,
                      float* y) const;

  ModelConfig config_;
  std::shared_ptr<const WeightSource> weights_;
  Tensor embed_tokens_, embed_positions_, lm_head_;  // embed_positions_: learned positions (GPT-2)
  float embed_scale_ = 1.0f;
  Norm final_norm_;
  std::vector<Layer> layers_;
  int64_t weight_bytes_ = 0, num_parameters_ = 0;
  DType kv_cache_dtype_;
  kernels::MatmulPrecision matmul_precision_;
};

}  // namespace hf
