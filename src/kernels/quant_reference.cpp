// The scalar twins of the quantizers (quantize.cpp) and of the quantized matmul (qmatmul.cpp):
// plain loops in element order; the SIMD versions must give the same bytes (quantizers) and the
// same values up to float summation order (matmul: double accumulation of the scaled sums here).
#include <algorithm>
#include <cmath>
#include <cstring>

#include "hf/error.h"
#include "kernels/quant_format.h"
#include "kernels/reference.h"
#include "kernels/weight_check.h"

namespace hf::kernels::reference {

namespace {

// Interleaved position (quant_format.h) of element k of a row.
int64_t interleaved(int64_t k) { return k / quant::kChunk * quant::kChunk + quant::position(k % quant::kChunk); }

void quantize_row(DType t, const float* w, int64_t K, uint8_t* q, uint16_t* scales) {
  if (t == DType::Q4_0) std::memset(q, 0, K / 2);
  for (int64_t b = 0; b < K / quant::kBlock; ++b) {
    const float* wb = w + b * quant::kBlock;
    float amax = 0, extreme = 0;  // the first element of largest magnitude
    for (int64_t i = 0; i < quant::kBlock; ++i)
      if (std::abs(wb[i]) > amax) amax = std::abs(wb[i]), extreme = wb[i];
    const quant::BlockScale s = quant::block_scale(t, amax, extreme);
    scales[b] = s.f16;
    for (int64_t i = 0; i < quant::kBlock; ++i) {
      const int64_t p = interleaved(b * quant::kBlock + i);
      const int v = std::clamp(quant::round_to_int(wb[i] * s.inverse), quant::quant_min(t), quant::quant_max(t)) +
                    quant::quant_offset(t);
      if (t == DType::Q8_0) q[p] = static_cast<uint8_t>(v);
      else q[p / quant::kChunk * 32 + p % 32] |= static_cast<uint8_t>(p % quant::kChunk < 32 ? v : v << 4);
    }
  }
}

}  // namespace

Tensor quantize(const Tensor& W, DType type) {
  if (type != DType::Q8_0 && type != DType::Q4_0)
    throw Error(std::string("quantize: ") + dtype_name(type) + " is not a quantized dtype (Q8_0, Q4_0)");
  if (!can_quantize(W)) throw Error("quantize: weight " + W.shape_string() + " cannot be quantized");
  const int64_t N = W.dim(0), K = W.dim(1);
  Tensor out = Tensor::zeros(type, {N, K});
  std::vector<float> row(K);
  std::vector<uint8_t> q(quant::row_bytes(type, K));
  for (int64_t n = 0; n < N; ++n) {
    for (int64_t k = 0; k < K; ++k) row[k] = weight_at(W, n, k);
    quantize_row(type, row.data(), K, q.data(), reinterpret_cast<uint16_t*>(q.data() + quant::quant_bytes(type, K)));
    quant::store_row(type, N, K, n, q.data(), out.mutable_data_as<uint8_t>());
  }
  return out;
}

void quantize_activations(const float* x, int64_t M, int64_t K, int64_t ldx, quant::QuantizedActivations& out) {
  out.M = M;
  out.K = K;
  out.q.resize(M * K);
  out.scale.resize(M * K / quant::kBlock);
  out.lane_sum.assign(M * K / 4, 0);
  out.block_sum.assign(M * K / quant::kBlock, 0);
  for (int64_t m = 0; m < M; ++m) {
    const float* xm = x + m * ldx;
    int8_t* q = out.q.data() + m * K;
    for (int64_t b = 0; b < K / quant::kBlock; ++b) {
      float amax = 0;
      for (int64_t i = 0; i < quant::kBlock; ++i) amax = std::max(amax, std::abs(xm[b * quant::kBlock + i]));
      const float d = amax / 127.0f, id = d != 0 ? 1.0f / d : 0.0f;
      out.scale[m * K / quant::kBlock + b] = d;
      for (int64_t i = 0; i < quant::kBlock; ++i) {
        const int64_t k = b * quant::kBlock + i, p = interleaved(k);
        q[p] = static_cast<int8_t>(quant::round_to_int(xm[k] * id));
        out.lane_sum[m * K / 4 + p / 4] -= q[p];
        out.block_sum[m * K / quant::kBlock + b] -= q[p];
      }
    }
  }
}

void quantized_matmul(const float* x, int64_t M, int64_t K, const Tensor& W, const float* bias, float* y,
                      int64_t ldx, int64_t ldy) {
  check_matmul_weight(W, K);
  const int64_t N = W.dim(0);
  if (ldx == 0) ldx = K;
  if (ldy == 0) ldy = N;
  quant::QuantizedActivations a;
  reference::quantize_activations(x, M, K, ldx, a);
  const int off = quant::quant_offset(W.dtype());
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n) {
      double acc = bias ? bias[n] : 0.0;
      for (int64_t b = 0; b < K / quant::kBlock; ++b) {
        // Block b is every other 4-byte group of its chunk (quant_format.h).
        const int64_t c = b / 2, h = b % 2;
        int64_t s = 0;
        for (int64_t g = h; g < 16; g += 2)
          for (int64_t i = 0; i < 4; ++i) {
            const int64_t p = c * quant::kChunk + 4 * g + i;
            s += int64_t(quant::quant_at(W, n, p) - off) * a.q[m * K + p];
          }
        acc += double(s) * quant::scale_at(W, n, b) * a.scale[m * K / quant::kBlock + b];
      }
      y[m * ldy + n] = static_cast<float>(acc);
    }
}

}  // namespace hf::kernels::reference
