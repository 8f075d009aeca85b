// The opt-in bf16 prefill GEMM (MatmulPrecision::BF16Activations): x rounded to bfloat16 once,
// then AVX-512 BF16 `vdpbf16ps`, which multiplies 32 bf16 pairs and adds them into 16 float32
// lanes per instruction: twice the products per instruction of a float32 FMA. This is the
// arithmetic of llama.cpp's bf16 matmul and of a torch bfloat16 model; hfcpp's default keeps x in
// float32 (matmul.cpp), because rounding x moves logits by more than the fixtures' tolerance.
//
// Same blocking as matmul.cpp's GEMM: a panel of 32 weight columns × kPairs pairs of k (16 KiB)
// stays in L1 while all rows of x sweep over it, MR = 8 rows × 2 vectors of accumulators.
// Highway 1.0.3 has no bf16 dot product, hence intrinsics in functions compiled for that target,
// called only after the CPU has been checked.
#include <algorithm>
#include <cstring>
#include <vector>

#include "core/thread_pool.h"
#include "kernels/kernels.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HF_BF16_GEMM 1
#define HF_TARGET_BF16 __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx512bf16")))
#endif

namespace hf::kernels {
namespace {

MatmulPrecision g_precision = MatmulPrecision::Float32;

#ifdef HF_BF16_GEMM
// x[M, K] as bf16 pairs: xb[m * Kp + p] holds x[m, 2p] (low half) and x[m, 2p + 1] (zero past K),
// that is each row as a bf16 array padded to even length. vcvtne2ps2bf16 rounds to nearest even,
// as f32_to_bf16 (it also flushes subnormals, far below what a logit can show).
HF_TARGET_BF16 void round_to_bf16_pairs(const float* x, int64_t M, int64_t K, int64_t ldx, std::vector<uint32_t>& xb) {
  const int64_t Kp = (K + 1) / 2;
  xb.resize(M * Kp);
  for (int64_t m = 0; m < M; ++m) {
    const float* xm = x + m * ldx;
    uint16_t* out = reinterpret_cast<uint16_t*>(xb.data() + m * Kp);
    int64_t k = 0;
    for (; k + 32 <= K; k += 32)
      _mm512_storeu_si512(out + k, (__m512i)_mm512_cvtne2ps_pbh(_mm512_loadu_ps(xm + k + 16), _mm512_loadu_ps(xm + k)));
    for (; k < K; ++k) out[k] = f32_to_bf16(xm[k]);
    if (K % 2) out[K] = 0;
  }
}

constexpr int64_t kPairs = 128;  // panel depth in pairs of k: 128 × 32 × 4 bytes = 16 KiB
constexpr int64_t kNR = 32;      // panel width: two vectors of 16 float32 lanes
constexpr int kMR = 8;

// panel[p * 32 + j] = the pair (W[n + j, 2(p0 + p)], W[n + j, 2(p0 + p) + 1]), zero past the
// matrix: the bf16 weights are copied, never converted.
void pack_panel(const uint16_t* w, int64_t K, int64_t ncols, int64_t p0, int64_t np, uint32_t* panel) {
  for (int64_t j = 0; j < kNR; ++j) {
    const uint16_t* row = w + j * K;
    for (int64_t p = 0; p < np; ++p) {
      const int64_t k = 2 * (p0 + p);
      uint32_t v = 0;
      if (j < ncols) v = uint32_t(row[k]) | (k + 1 < K ? uint32_t(row[k + 1]) << 16 : 0u);
      panel[p * kNR + j] = v;
    }
  }
}

template <int MR>
HF_TARGET_BF16 void panel_kernel(const uint32_t* xb, int64_t Kp, const uint32_t* panel, int64_t np, float* y,
                                 int64_t ldy, int64_t ncols, bool first, const float* bias) {
  __m512 c0[MR], c1[MR];
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i) c0[i] = c1[i] = _mm512_setzero_ps();
  for (int64_t p = 0; p < np; ++p) {
    const __m512bh b0 = (__m512bh)_mm512_loadu_si512(panel + p * kNR);
    const __m512bh b1 = (__m512bh)_mm512_loadu_si512(panel + p * kNR + 16);
#pragma GCC unroll 8
    for (int i = 0; i < MR; ++i) {
      const __m512bh a = (__m512bh)_mm512_set1_epi32(int(xb[i * Kp + p]));
      c0[i] = _mm512_dpbf16_ps(c0[i], b0, a);
      c1[i] = _mm512_dpbf16_ps(c1[i], b1, a);
    }
  }
  alignas(64) float tmp[kNR];
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i) {
    _mm512_store_ps(tmp, c0[i]);
    _mm512_store_ps(tmp + 16, c1[i]);
    float* yi = y + i * ldy;
    for (int64_t j = 0; j < ncols; ++j) yi[j] = tmp[j] + (first ? (bias ? bias[j] : 0.0f) : yi[j]);
  }
}

template <int R>
HF_TARGET_BF16 void panel_kernel_rows(int rows, const uint32_t* xb, int64_t Kp, const uint32_t* panel, int64_t np,
                                      float* y, int64_t ldy, int64_t ncols, bool first, const float* bias) {
  if constexpr (R > 0) {
    if (rows == R) return panel_kernel<R>(xb, Kp, panel, np, y, ldy, ncols, first, bias);
    panel_kernel_rows<R - 1>(rows, xb, Kp, panel, np, y, ldy, ncols, first, bias);
  }
}

// Columns [n0, n1) of y for every row.
void gemm_range(const std::vector<uint32_t>& xb, int64_t M, int64_t K, const uint16_t* w, const float* bias, float* y,
                int64_t ldy, int64_t n0, int64_t n1) {
  const int64_t Kp = (K + 1) / 2;
  std::vector<uint32_t> panel(kPairs * kNR);
  for (int64_t p0 = 0; p0 < Kp; p0 += kPairs) {
    const int64_t np = std::min(kPairs, Kp - p0);
    for (int64_t n = n0; n < n1; n += kNR) {
      const int64_t ncols = std::min(kNR, n1 - n);
      pack_panel(w + n * K, K, ncols, p0, np, panel.data());
      const float* b = bias && p0 == 0 ? bias + n : nullptr;
      int64_t m = 0;
      for (; m + kMR <= M; m += kMR)
        panel_kernel<kMR>(xb.data() + m * Kp + p0, Kp, panel.data(), np, y + m * ldy + n, ldy, ncols, p0 == 0, b);
      if (m < M)
        panel_kernel_rows<kMR - 1>(int(M - m), xb.data() + m * Kp + p0, Kp, panel.data(), np, y + m * ldy + n, ldy,
                                   ncols, p0 == 0, b);
    }
  }
}
#endif

}  // namespace

void set_matmul_precision(MatmulPrecision p) { g_precision = p; }
MatmulPrecision matmul_precision() { return g_precision; }

bool has_bf16_dot_products() {
#ifdef HF_BF16_GEMM
  static const bool yes = __builtin_cpu_supports("avx512bf16");
  return yes;
#else
  return false;
#endif
}

bool matmul_bf16_activations(const float* x, int64_t M, int64_t K, const Tensor& W, const float* bias, float* y,
                             int64_t ldx, int64_t ldy) {
#ifdef HF_BF16_GEMM
  if (g_precision != MatmulPrecision::BF16Activations || W.dtype() != DType::BF16 || !has_bf16_dot_products())
    return false;
  thread_local std::vector<uint32_t> xb;  // the caller's; workers reach it by reference
  round_to_bf16_pairs(x, M, K, ldx, xb);
  const std::vector<uint32_t>& pairs = xb;
  const uint16_t* w = W.data_as<uint16_t>();
  ThreadPool::global().parallel_for(
      W.dim(0), [&](int64_t n0, int64_t n1) { gemm_range(pairs, M, K, w, bias, y, ldy, n0, n1); }, kNR);
  return true;
#else
  return false;
#endif
}

}  // namespace hf::kernels
