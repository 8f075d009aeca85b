#pragma once
// Scalar reference implementations of every kernel in kernels.h: same signatures, same contract,
// written for clarity (plain loops, double accumulation where it makes the reference sharper).
// Single-threaded. Tests compare the dispatched SIMD kernels against these on random data.
#include <cstdint>

#include "kernels/kernels.h"

namespace hf::kernels::quant {
struct QuantizedActivations;
}

namespace hf::kernels::reference {

void matmul(const float* x, int64_t M, int64_t K, const Tensor& W, const float* bias, float* y,
            int64_t ldx = 0, int64_t ldy = 0);
// Q8_0 / Q4_0 weights: x quantized to int8 blocks (quant::quantize_activations), exact integer
// block sums, each scaled by its two block scales (the definition the SIMD versions follow).
void quantized_matmul(const float* x, int64_t M, int64_t K, const Tensor& W, const float* bias, float* y,
                      int64_t ldx = 0, int64_t ldy = 0);
// The quantizers' scalar twins (kernels::quantize, quant::quantize_activations): same bytes.
Tensor quantize(const Tensor& W, DType type);
void quantize_activations(const float* x, int64_t M, int64_t K, int64_t ldx, quant::QuantizedActivations& out);
// MatmulPrecision::BF16Activations: x rounded to bfloat16, then the product above.
void matmul_bf16_activations(const float* x, int64_t M, int64_t K, const Tensor& W, const float* bias, float* y,
                             int64_t ldx = 0, int64_t ldy = 0);
void embedding(const Tensor& table, const int32_t* ids, int64_t n, float* out);
void rms_norm(const float* x, const float* weight, float eps, int64_t rows, int64_t dim, float* y);
void layer_norm(const float* x, const float* weight, const float* bias, float eps, int64_t rows,
                int64_t dim, float* y);
void softmax(float* x, int64_t n);
int64_t argmax(const float* x, int64_t n);
void silu(float* x, int64_t n);
void gelu(float* x, int64_t n);
void gelu_tanh(float* x, int64_t n);
void relu(float* x, int64_t n);
void silu_mul(const float* gate, const float* up, float* y, int64_t n);
void add(const float* a, const float* b, float* y, int64_t n);
void mul(const float* a, const float* b, float* y, int64_t n);
void scale(float* x, float s, int64_t n);
void softcap(float* x, float cap, int64_t n);
void rope(float* x, int64_t tokens, int64_t heads, int64_t head_dim, int64_t row_stride,
          const float* cos, const float* sin);
void attention(const AttentionArgs& args);

// Element k of row n of a 2-D weight (any weight dtype, dequantized), as float (shared by the reference kernels).
float weight_at(const Tensor& W, int64_t n, int64_t k);

}  // namespace hf::kernels::reference
