// Scalar reference kernels: the definition of what every SIMD kernel must compute.
#include "kernels/reference.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "hf/error.h"
#include "kernels/quant_format.h"
#include "kernels/weight_check.h"

namespace hf::kernels::reference {

float weight_at(const Tensor& W, int64_t n, int64_t k) {
  int64_t i = n * W.dim(1) + k;
  switch (W.dtype()) {
    case DType::F32: return W.data_as<float>()[i];
    case DType::F16: return f16_to_f32(W.data_as<uint16_t>()[i]);
    case DType::BF16: return bf16_to_f32(W.data_as<uint16_t>()[i]);
    case DType::Q8_0: case DType::Q4_0: return quant::dequantized_at(W, n, k);
    default: throw Error(std::string("weight dtype ") + dtype_name(W.dtype()) + " is not F32/F16/BF16");
  }
}

void matmul(const float* x, int64_t M, int64_t K, const Tensor& W, const float* bias, float* y,
            int64_t ldx, int64_t ldy) {
  check_matmul_weight(W, K);
  if (is_quantized(W.dtype())) return quantized_matmul(x, M, K, W, bias, y, ldx, ldy);
  const int64_t N = W.dim(0);
  if (ldx == 0) ldx = K;
  if (ldy == 0) ldy = N;
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n) {
      double acc = bias ? bias[n] : 0.0;
      for (int64_t k = 0; k < K; ++k) acc += double(x[m * ldx + k]) * weight_at(W, n, k);
      y[m * ldy + n] = static_cast<float>(acc);
    }
}

void matmul_bf16_activations(const float* x, int64_t M, int64_t K, const Tensor& W, const float* bias, float* y,
                             int64_t ldx, int64_t ldy) {
  if (ldx == 0) ldx = K;
  std::vector<float> rounded(M * K);
  for (int64_t m = 0; m < M; ++m)
    for (int64_t k = 0; k < K; ++k) rounded[m * K + k] = bf16_to_f32(f32_to_bf16(x[m * ldx + k]));
  matmul(rounded.data(), M, K, W, bias, y, K, ldy);
}

void embedding(const Tensor& table, const int32_t* ids, int64_t n, float* out) {
  check_embedding_ids(table, ids, n);
  const int64_t D = table.dim(1);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t d = 0; d < D; ++d) out[i * D + d] = weight_at(table, ids[i], d);
}

void rms_norm(const float* x, const float* weight, float eps, int64_t rows, int64_t dim, float* y) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * dim;
    double ss = 0;
    for (int64_t i = 0; i < dim; ++i) ss += double(xr[i]) * xr[i];
    float inv = static_cast<float>(1.0 / std::sqrt(ss / dim + eps));
    for (int64_t i = 0; i < dim; ++i) y[r * dim + i] = xr[i] * inv * (weight ? weight[i] : 1.0f);
  }
}

void layer_norm(const float* x, const float* weight, const float* bias, float eps, int64_t rows,
                int64_t dim, float* y) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * dim;
    double mean = 0, var = 0;
    for (int64_t i = 0; i < dim; ++i) mean += xr[i];
    mean /= dim;
    for (int64_t i = 0; i < dim; ++i) var += (xr[i] - mean) * (xr[i] - mean);
    var /= dim;
    double inv = 1.0 / std::sqrt(var + eps);
    for (int64_t i = 0; i < dim; ++i)
      y[r * dim + i] = static_cast<float>((xr[i] - mean) * inv * (weight ? weight[i] : 1.0f) + (bias ? bias[i] : 0.0f));
  }
}

void softmax(float* x, int64_t n) {
  float mx = -std::numeric_limits<float>::infinity();
  for (int64_t i = 0; i < n; ++i) mx = std::max(mx, x[i]);
  if (mx == -std::numeric_limits<float>::infinity()) {
    std::fill(x, x + n, 0.0f);
    return;
  }
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += (x[i] = std::exp(x[i] - mx));
  for (int64_t i = 0; i < n; ++i) x[i] = static_cast<float>(x[i] / sum);
}

void silu(float* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) x[i] = x[i] / (1.0f + std::exp(-x[i]));
}
void gelu(float* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) x[i] = 0.5f * x[i] * (1.0f + std::erf(x[i] * 0.70710678118654752f));
}
void gelu_tanh(float* x, int64_t n) {
  const float c = 0.7978845608028654f;  // sqrt(2 / pi)
  for (int64_t i = 0; i < n; ++i) x[i] = 0.5f * x[i] * (1.0f + std::tanh(c * (x[i] + 0.044715f * x[i] * x[i] * x[i])));
}
int64_t argmax(const float* x, int64_t n) {
  int64_t best = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (std::isnan(x[i])) return i;
    if (x[i] > x[best]) best = i;
  }
  return best;
}
void relu(float* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) x[i] = std::max(0.0f, x[i]);
}
void silu_mul(const float* gate, const float* up, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = gate[i] / (1.0f + std::exp(-gate[i])) * up[i];
}
void add(const float* a, const float* b, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = a[i] + b[i];
}
void mul(const float* a, const float* b, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = a[i] * b[i];
}
void scale(float* x, float s, int64_t n) {
  for (int64_t i = 0; i < n; ++i) x[i] *= s;
}
void softcap(float* x, float cap, int64_t n) {
  for (int64_t i = 0; i < n; ++i) x[i] = cap * std::tanh(x[i] / cap);
}

void rope(float* x, int64_t tokens, int64_t heads, int64_t head_dim, int64_t row_stride,
          const float* cos, const float* sin) {
  const int64_t h = head_dim / 2;
  for (int64_t t = 0; t < tokens; ++t)
    for (int64_t hd = 0; hd < heads; ++hd) {
      float* v = x + t * row_stride + hd * head_dim;
      for (int64_t i = 0; i < h; ++i) {
        float c = cos[t * h + i], s = sin[t * h + i];
        float a = v[i], b = v[i + h];
        v[i] = a * c - b * s;
        v[i + h] = b * c + a * s;
      }
    }
}

namespace {
// Element i of a K or V buffer stored as F32, F16 or BF16.
double kv_element(const void* base, DType t, int64_t i) {
  if (t == DType::BF16) return bf16_to_f32(static_cast<const uint16_t*>(base)[i]);
  if (t == DType::F16) return f16_to_f32(static_cast<const uint16_t*>(base)[i]);
  return static_cast<const float*>(base)[i];
}
}  // namespace

void attention(const AttentionArgs& a) {
  const int group = a.n_heads / a.n_kv_heads;
  std::vector<double> scores(a.L);
  for (int64_t t = 0; t < a.T; ++t) {
    const int64_t qpos = a.L - a.T + t;
    for (int h = 0; h < a.n_heads; ++h) {
      const float* q = a.q + t * a.q_stride + int64_t(h) * a.head_dim;
      const int64_t g = h / group;
      double mx = -std::numeric_limits<double>::infinity();
      for (int64_t j = 0; j < a.L; ++j) {
        bool visible = (!a.causal || j <= qpos) && (a.window <= 0 || j > qpos - a.window) &&
                       (!a.key_mask || a.key_mask[j]);
        if (!visible) {
          scores[j] = -std::numeric_limits<double>::infinity();
          continue;
        }
        const int64_t k = g * a.kv_head_stride + j * a.kv_pos_stride;
        double s = 0;
        for (int d = 0; d < a.head_dim; ++d) s += double(q[d]) * kv_element(a.k, a.kv_dtype, k + d);
        scores[j] = s * a.scale;
        if (a.bias) scores[j] += a.bias[h * a.bias_head_stride + t * a.bias_row_stride + j];
        if (a.softcap > 0) scores[j] = a.softcap * std::tanh(scores[j] / a.softcap);
        mx = std::max(mx, scores[j]);
      }
      float* out = a.out + t * a.out_stride + int64_t(h) * a.head_dim;
      std::fill(out, out + a.head_dim, 0.0f);
      if (mx == -std::numeric_limits<double>::infinity()) continue;
      double sum = 0;
      for (int64_t j = 0; j < a.L; ++j) sum += (scores[j] = std::exp(scores[j] - mx));
      std::vector<double> acc(a.head_dim, 0.0);
      for (int64_t j = 0; j < a.L; ++j) {
        if (scores[j] == 0) continue;
        const int64_t v = g * a.kv_head_stride + j * a.kv_pos_stride;
        for (int d = 0; d < a.head_dim; ++d) acc[d] += scores[j] / sum * kv_element(a.v, a.kv_dtype, v + d);
      }
      for (int d = 0; d < a.head_dim; ++d) out[d] = static_cast<float>(acc[d]);
    }
  }
}

}  // namespace hf::kernels::reference
