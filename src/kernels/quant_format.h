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
//
// Panels. That is the layout of a row on its own; a tensor stores its rows in panels of 16: rows
// 16p .. 16p + 15 take the bytes of 16 rows as above, rearranged chunk by chunk so that the 4-byte
// groups of the 16 rows lie side by side in 64-byte lines (lane j = row 16p + j), followed by the
// chunk's scales, [block 0 or 1 of the chunk][row]. The line of a group: groups 0, 2, 4.. (block 0
// of the chunk) come first, then 1, 3, 5.. (block 1): Q8_0 lines 0..7 are the 8 groups of block 0
// in element order; Q4_0 lines 0..3 hold groups 0..3 of block 0 in their low nibbles and 4..7 in
// their high nibbles. One vpdpbusd on a line with 4 bytes of x broadcast then gives 16 rows' sums
// at once, and the float work (convert, scale, add) is paid once per block for 16 rows instead of
// once per chunk and row; and a thread reads its rows as one sequential stream. The last N % 16
// rows of a tensor (after its last whole panel) keep the row layout.
#include <cstdint>
#include <cstring>
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

constexpr int64_t kPanelRows = 16;
// Rows [0, panel_rows(N)) are in panels, the others in the row layout.
inline int64_t panel_rows(int64_t N) { return N / kPanelRows * kPanelRows; }
// Bytes of one chunk of a panel: 16 rows' quants of 64 weights, then their 32 scales.
inline int64_t panel_chunk_bytes(DType t) { return kPanelRows * row_bytes(t, kChunk); }
// Byte offset in an [N, K] tensor of byte o (0 .. quant_bytes(K)) of row n's quants in the row
// layout, and of row n's scale of block b. Rows after the panels sit one after the other.
inline int64_t quant_byte_offset(DType t, int64_t N, int64_t K, int64_t n, int64_t o) {
  if (n >= panel_rows(N)) return n * row_bytes(t, K) + o;
  const int64_t groups = quant_bytes(t, kChunk) / 4;  // 4-byte groups per chunk and row
  const int64_t g = o % quant_bytes(t, kChunk) / 4, line = g % 2 * (groups / 2) + g / 2;
  return n / kPanelRows * kPanelRows * row_bytes(t, K) + o / quant_bytes(t, kChunk) * panel_chunk_bytes(t) +
         line * 64 + n % kPanelRows * 4 + o % 4;
}
inline int64_t scale_offset(DType t, int64_t N, int64_t K, int64_t n, int64_t b) {
  if (n >= panel_rows(N)) return n * row_bytes(t, K) + quant_bytes(t, K) + 2 * b;
  return n / kPanelRows * kPanelRows * row_bytes(t, K) + b / 2 * panel_chunk_bytes(t) +
         kPanelRows * quant_bytes(t, kChunk) + (b % 2 * kPanelRows + n % kPanelRows) * 2;
}

// The first byte of panel p (rows 16p .. 16p + 15) of W.
inline const uint8_t* panel(const Tensor& W, int64_t p) {
  return W.data_as<uint8_t>() + p * kPanelRows * row_bytes(W.dtype(), W.dim(1));
}
// Row n (n >= panel_rows(N): after the panels) of W: its quants and its f16 scales.
inline const uint8_t* row_quants(const Tensor& W, int64_t n) {
  return W.data_as<uint8_t>() + n * row_bytes(W.dtype(), W.dim(1));
}
inline const uint16_t* row_scales(const Tensor& W, int64_t n) {
  return reinterpret_cast<const uint16_t*>(row_quants(W, n) + quant_bytes(W.dtype(), W.dim(1)));
}

// The unsigned quant at interleaved position p (0..K-1, chunk-major) of row n, in any layout.
inline int quant_at(const Tensor& W, int64_t n, int64_t p) {
  const DType t = W.dtype();
  const int64_t c = p / kChunk, r = p % kChunk;
  const int64_t o = t == DType::Q8_0 ? p : c * 32 + r % 32;
  const uint8_t b = W.data_as<uint8_t>()[quant_byte_offset(t, W.dim(0), W.dim(1), n, o)];
  return t == DType::Q8_0 ? b : r < 32 ? (b & 15) : (b >> 4);
}
inline float scale_at(const Tensor& W, int64_t n, int64_t b) {
  uint16_t h;
  std::memcpy(&h, W.data_as<uint8_t>() + scale_offset(W.dtype(), W.dim(0), W.dim(1), n, b), 2);
  return f16_to_f32(h);
}

// Writes row n of an [N, K] tensor at `base` from `row` (its bytes in the row layout).
inline void store_row(DType t, int64_t N, int64_t K, int64_t n, const uint8_t* row, uint8_t* base) {
  if (n >= panel_rows(N)) return (void)std::memcpy(base + n * row_bytes(t, K), row, row_bytes(t, K));
  for (int64_t o = 0; o < quant_bytes(t, K); o += 4) std::memcpy(base + quant_byte_offset(t, N, K, n, o), row + o, 4);
  for (int64_t b = 0; b < K / kBlock; ++b)
    std::memcpy(base + scale_offset(t, N, K, n, b), row + quant_bytes(t, K) + 2 * b, 2);
}
// Writes 16 rows given in the row layout (`rows`: 16 × row_bytes(K)) as the panel at `out`: the
// same bytes as store_row for each, without an offset computed per 4 bytes (load-time
// quantization writes every panel this way).
inline void store_panel(DType t, int64_t K, const uint8_t* rows, uint8_t* out) {
  const int64_t qb = quant_bytes(t, kChunk), groups = qb / 4, rb = row_bytes(t, K), cb = panel_chunk_bytes(t);
  for (int64_t c = 0; c < K / kChunk; ++c) {
    uint8_t* dst = out + c * cb;
    for (int64_t j = 0; j < kPanelRows; ++j) {
      const uint8_t* src = rows + j * rb + c * qb;
      for (int64_t g = 0; g < groups; ++g) std::memcpy(dst + (g % 2 * (groups / 2) + g / 2) * 64 + j * 4, src + 4 * g, 4);
      for (int64_t h = 0; h < 2; ++h)
        std::memcpy(dst + kPanelRows * qb + (h * kPanelRows + j) * 2, rows + j * rb + quant_bytes(t, K) + (2 * c + h) * 2, 2);
    }
  }
}

// Row n of W in the row layout, into `row` (row_bytes(K) bytes).
inline void load_row(const Tensor& W, int64_t n, uint8_t* row) {
  const DType t = W.dtype();
  const int64_t N = W.dim(0), K = W.dim(1);
  const uint8_t* base = W.data_as<uint8_t>();
  if (n >= panel_rows(N)) return (void)std::memcpy(row, base + n * row_bytes(t, K), row_bytes(t, K));
  for (int64_t o = 0; o < quant_bytes(t, K); o += 4) std::memcpy(row + o, base + quant_byte_offset(t, N, K, n, o), 4);
  for (int64_t b = 0; b < K / kBlock; ++b)
    std::memcpy(row + quant_bytes(t, K) + 2 * b, base + scale_offset(t, N, K, n, b), 2);
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
  return static_cast<float>(quant_at(W, n, p) - quant_offset(W.dtype())) * scale_at(W, n, k / kBlock);
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
