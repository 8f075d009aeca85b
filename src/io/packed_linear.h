#pragma once
// GPTQ and AWQ linear layers as the Hub ships them in safetensors: integer weights packed into
// int32 words beside per-group scales and zero points, read without any conversion step.
//
//   GPTQ (AutoGPTQ / GPTQModel, transformers' GPTQConfig): qweight I32 [K / p, N] packs input k
//   of output n at bits * (k % p) of word (k / p, n), p = 32 / bits; qzeros I32 [G, N / p] packs
//   zero (g, n) at bits * (n % p) of word (g, n / p), holding zero - 1 in the legacy
//   checkpoint_format "gptq" (the true zero in "gptq_v2"); scales [G, N]; g_idx I32 [K] names the
//   group of every input (act-order), else k / group_size.
//   AWQ (AutoAWQ's GEMM layout, transformers' AwqConfig version "gemm"): qweight I32 [K, N / 8],
//   qzeros I32 [G, N / 8], scales [G, N]; the 8 outputs of a word are interleaved: nibble i holds
//   output 8 * (n / 8) + {0, 2, 4, 6, 1, 3, 5, 7}[i].
// Either way weight (n, k) = scale(g, n) × (q(k, n) - zero(g, n)) with g the group of input k.
#include <cstdint>
#include <string>
#include <vector>

#include "hf/json.h"
#include "io/weight_source.h"

namespace hf {

struct PackedQuantConfig {
  std::string method;          // "gptq" or "awq"
  int bits = 4;                // 4 or 8 (gptq), 4 (awq)
  int64_t group_size = 128;    // inputs per group; -1: one group over all inputs
  bool zero_minus_one = false; // GPTQ's legacy checkpoint_format: qzeros hold zero - 1

  // config.json's "quantization_config" (`where` names the file). hf::ConfigError for a method
  // hfcpp does not load (bitsandbytes, fp8, ...) and for values transformers rejects or that the
  // method's layout cannot hold (bits 3, group_size 0, AWQ versions other than gemm).
  static PackedQuantConfig from_json(const json& quantization_config, const std::string& where);
};

// The packed tensors `<prefix>.qweight`, `.qzeros`, `.scales` (and GPTQ's `.g_idx`), checked
// against each other: hf::ModelError naming the tensor for a missing one, a wrong dtype or a
// shape that does not fit the others and the config.
class PackedLinear {
 public:
  PackedLinear(const WeightSource& weights, const std::string& prefix, const PackedQuantConfig& config);

  int64_t out_features() const { return N_; }
  int64_t in_features() const { return K_; }
  // The group of input k (0..groups-1).
  int64_t group(int64_t k) const { return group_[k]; }
  // Output row n: values[k] = q(k, n) - zero(group(k), n) and scales[k] = scale(group(k), n).
  void row(int64_t n, int16_t* values, float* scales) const;

 private:
  int field(const Tensor& t, int64_t index, int64_t item) const;

  PackedQuantConfig c_;
  int64_t N_ = 0, K_ = 0, G_ = 0;
  Tensor qweight_, qzeros_;
  std::vector<float> scales_;   // [G, N]
  std::vector<int64_t> group_;  // [K]
};

}  // namespace hf
