// Block quantization of weights (at load) and of activations (per matmul call), and the way back.
// Scalar: weights are quantized once, activations are a few thousand floats per call.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/thread_pool.h"
#include "hf/error.h"
#include "kernels/kernels.h"
#include "kernels/quant_format.h"

namespace hf::kernels {

using namespace quant;

namespace {

// Round half away from zero (as lround) without a library call: this runs once per weight.
inline int round_to_int(float v) { return static_cast<int>(v + (v >= 0 ? 0.5f : -0.5f)); }

float element(const Tensor& W, int64_t i) {
  switch (W.dtype()) {
    case DType::F32: return W.data_as<float>()[i];
    case DType::BF16: return bf16_to_f32(W.data_as<uint16_t>()[i]);
    default: return f16_to_f32(W.data_as<uint16_t>()[i]);
  }
}

// One row of K floats into Q8_0 / Q4_0 quants (interleaved) and f16 scales. The quants are
// rounded against the f16 scale actually stored, so the error stays within half a step of it.
void quantize_row(DType t, const float* w, int64_t K, uint8_t* q, uint16_t* scales) {
  if (t == DType::Q4_0) std::memset(q, 0, K / 2);
  for (int64_t b = 0; b < K / kBlock; ++b) {
    const float* wb = w + b * kBlock;
    float d;
    if (t == DType::Q8_0) {
      float amax = 0;
      for (int64_t i = 0; i < kBlock; ++i) amax = std::max(amax, std::abs(wb[i]));
      d = amax / 127.0f;
    } else {
      float max = 0;  // the value of largest magnitude maps to -8 exactly (llama.cpp's q4_0)
      for (int64_t i = 0; i < kBlock; ++i)
        if (std::abs(wb[i]) > std::abs(max)) max = wb[i];
      d = max / -8.0f;
    }
    scales[b] = f32_to_f16(d);
    const float dh = f16_to_f32(scales[b]);
    const float id = dh != 0 ? 1.0f / dh : 0.0f;
    const int lo = t == DType::Q8_0 ? -127 : -8, hi = t == DType::Q8_0 ? 127 : 7;
    for (int64_t i = 0; i < kBlock; ++i) {
      const int64_t k = b * kBlock + i;
      const int64_t p = k / kChunk * kChunk + position(k % kChunk);
      const int v = std::clamp(round_to_int(wb[i] * id), lo, hi) + quant_offset(t);
      if (t == DType::Q8_0) q[p] = static_cast<uint8_t>(v);
      else q[p / kChunk * 32 + p % 32] |= static_cast<uint8_t>(p % kChunk < 32 ? v : v << 4);
    }
  }
}

}  // namespace

bool can_quantize(const Tensor& W) {
  return W.ndim() == 2 && W.dim(1) % kChunk == 0 &&
         (W.dtype() == DType::F32 || W.dtype() == DType::F16 || W.dtype() == DType::BF16);
}

Tensor quantize(const Tensor& W, DType type) {
  if (type != DType::Q8_0 && type != DType::Q4_0)
    throw Error(std::string("quantize: ") + dtype_name(type) + " is not a quantized dtype (Q8_0, Q4_0)");
  if (!can_quantize(W))
    throw Error("quantize: weight " + W.shape_string() + " " + dtype_name(W.dtype()) +
                " is not a 2-D F32/F16/BF16 matrix whose rows are a multiple of 64");
  const int64_t N = W.dim(0), K = W.dim(1);
  Tensor out = Tensor::zeros(type, {N, K});
  uint8_t* base = out.mutable_data_as<uint8_t>();
  ThreadPool::global().parallel_for(N, [&](int64_t n0, int64_t n1) {
    std::vector<float> row(K);
    for (int64_t n = n0; n < n1; ++n) {
      for (int64_t k = 0; k < K; ++k) row[k] = element(W, n * K + k);
      uint8_t* q = base + n * row_bytes(type, K);
      quantize_row(type, row.data(), K, q, reinterpret_cast<uint16_t*>(q + quant_bytes(type, K)));
    }
  }, 16);
  return out;
}

void dequantize_row(const Tensor& W, int64_t n, float* out) {
  const int64_t K = W.dim(1);
  if (W.dtype() != DType::Q8_0 && W.dtype() != DType::Q4_0) {
    for (int64_t k = 0; k < K; ++k) out[k] = element(W, n * K + k);
    return;
  }
  for (int64_t k = 0; k < K; ++k) out[k] = dequantized_at(W, n, k);
}

namespace quant {

void quantize_activations(const float* x, int64_t M, int64_t K, int64_t ldx, QuantizedActivations& out) {
  out.M = M;
  out.K = K;
  out.q.resize(M * K);
  out.scale.resize(M * K / kBlock);
  out.lane_sum.assign(M * K / 4, 0);
  for (int64_t m = 0; m < M; ++m) {
    const float* xm = x + m * ldx;
    int8_t* q = out.q.data() + m * K;
    for (int64_t b = 0; b < K / kBlock; ++b) {
      float amax = 0;
      for (int64_t i = 0; i < kBlock; ++i) amax = std::max(amax, std::abs(xm[b * kBlock + i]));
      const float d = amax / 127.0f, id = d != 0 ? 1.0f / d : 0.0f;
      out.scale[m * K / kBlock + b] = d;
      for (int64_t i = 0; i < kBlock; ++i) {
        const int64_t k = b * kBlock + i;
        const int64_t p = k / kChunk * kChunk + position(k % kChunk);
        q[p] = static_cast<int8_t>(round_to_int(xm[k] * id));
        out.lane_sum[m * K / 4 + p / 4] -= q[p];
      }
    }
  }
}

}  // namespace quant
}  // namespace hf::kernels
