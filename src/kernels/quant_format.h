#pragma once
// The in-memory layout of Q8_0 / Q4_0 weight rows and of int8-quantized activations: what the
// quantizer writes and what the scalar and SIMD kernels read. Only src/kernels includes this.
//
// A row of K weights (K a multiple of 64) is cut in blocks of 32 with one scale each,
// d = max|w| / 127 (Q8_0) or max-magnitude / -8 (Q4_0, as llama.cpp), q = round(w / d).
// Row bytes: [quants][K/32 f16 scales]. The quants are stored *unsigned* (q + 128, resp. q + 8) so
// that one AVX-512 VNNI `vpdpbusd` multiplies them with int8 activations; the kernels subtract the
// offset times the activations' sum, which is exact in integers.
//
// Chunks of 64 weights (two blocks) are interleaved by 4: the 4-byte group g of a chunk holds
// elements 4 * (g / 2) + 0..3 of block g % 2. `vpdpbusd` sums each 4-byte group into one int32
// lane, so lane j of any 512- or 256-bit load belongs to block j % 2 and a lane-wise scale vector
// is just the two block scales repeated (one broadcast load). Q4_0 keeps the interleaved
// positions 0..31 of a chunk in the low nibbles of its 32 bytes and 32..63 in the high nibbles.
// Activations use the same order as Q8_0 (but signed), so the same position meets the same weight.
#include <cstdint>
#include <vector>

#include "hf/tensor.h"

namespace hf::kernels::quant {

constexpr int64_t kBlock = 32;  // weights per scale
constexpr int64_t kChunk = 64;  // weights per interleaved chunk (two blocks)

// Position inside its chunk of element e (0..63) of the chunk.
inline int64_t position(int64_t e) {
  const int64_t block = e / kBlock, i = e % kBlock;
  return 8 * (i / 4) + 4 * block + i % 4;
}

inline int quant_offset(DType t) { return t == DType::Q8_0 ? 128 : 8; }
inline int64_t quant_bytes(DType t, int64_t K) { return t == DType::Q8_0 ? K : K / 2; }
inline int64_t row_bytes(DType t, int64_t K) { return quant_bytes(t, K) + K / kBlock * 2; }

// Row n of a quantized [N, K] tensor: its quants and its f16 scales.
inline const uint8_t* row_quants(const Tensor& W, int64_t n) {
  return W.data_as<uint8_t>() + n * row_bytes(W.dtype(), W.dim(1));
}
inline const uint16_t* row_scales(const Tensor& W, int64_t n) {
  return reinterpret_cast<const uint16_t*>(row_quants(W, n) + quant_bytes(W.dtype(), W.dim(1)));
}

// The unsigned quant at interleaved position p (0..K-1, chunk-major) of a row.
inline int quant_at(DType t, const uint8_t* q, int64_t p) {
  if (t == DType::Q8_0) return q[p];
  const int64_t c = p / kChunk, r = p % kChunk;
  const uint8_t b = q[c * 32 + r % 32];
  return r < 32 ? (b & 15) : (b >> 4);
}

// Round half away from zero (as lround) without a library call. The SIMD quantizers compute the
// same two float operations (v + ±0.5, then truncation), so both give bit-identical quants.
inline int round_to_int(float v) { return static_cast<int>(v + (v >= 0 ? 0.5f : -0.5f)); }

// The f16 scale of a weight block from its largest magnitude `amax` and the first element of that
// magnitude `extreme` (Q4_0 maps it to -8 exactly, as llama.cpp's q4_0; Q8_0 maps amax to 127).
// The quants are rounded against the f16 value actually stored (`inverse` = 1 / it, or 0), so
// the error stays within half a step of it. Shared by the scalar and SIMD quantizers.
struct BlockScale {
  uint16_t f16;
  float inverse;
};
inline BlockScale block_scale(DType t, float amax, float extreme) {
  const float d = t == DType::Q8_0 ? amax / 127.0f : (amax == 0 ? 0.0f : extreme) / -8.0f;
  const uint16_t h = f32_to_f16(d);
  const float dh = f16_to_f32(h);
  return {h, dh != 0 ? 1.0f / dh : 0.0f};
}
inline int quant_min(DType t) { return t == DType::Q8_0 ? -127 : -8; }
inline int quant_max(DType t) { return t == DType::Q8_0 ? 127 : 7; }

// Element k of row n of a Q8_0 / Q4_0 weight, dequantized.
inline float dequantized_at(const Tensor& W, int64_t n, int64_t k) {
  const int64_t p = k / kChunk * kChunk + position(k % kChunk);
  return static_cast<float>(quant_at(W.dtype(), row_quants(W, n), p) - quant_offset(W.dtype())) *
         f16_to_f32(row_scales(W, n)[k / kBlock]);
}

// M rows of float activations quantized to int8 in blocks of 32 (d = max|x| / 127, as llama.cpp's
// q8_0 activations), stored in Q8_0's interleaved order.
struct QuantizedActivations {
  int64_t M = 0, K = 0;
  std::vector<int8_t> q;          // [M, K]
  std::vector<float> scale;       // [M, K / 32]
  std::vector<int32_t> lane_sum;  // [M, K / 4]: -(sum of the 4 quants of each int32 lane)
  std::vector<int32_t> block_sum;  // [M, K / 32]: -(sum of the 32 quants of each block)
};
// (SIMD; bit-identical to reference::quantize_activations.)
void quantize_activations(const float* x, int64_t M, int64_t K, int64_t ldx, QuantizedActivations& out);

// Rows [n0, n1) of y[M, N] = x · Wᵀ (+ bias) for a Q8_0 / Q4_0 weight W [N, K], with x already
// quantized (dispatched to the best SIMD target; single-threaded: the caller splits N).
void quantized_rows(const QuantizedActivations& a, const Tensor& W, const float* bias, float* y, int64_t ldy,
                    int64_t n0, int64_t n1);

}  // namespace hf::kernels::quant
