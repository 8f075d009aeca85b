// The opt-in bf16 prefill GEMM (MatmulPrecision::BF16Activations): x rounded to bfloat16 once,
// then AVX-512 BF16 `vdpbf16ps`, which multiplies 32 bf16 pairs and adds them into 16 float32
// lanes per instruction: twice the products per instruction of a float32 FMA. This is the
// arithmetic of llama.cpp's bf16 matmul and of a torch bfloat16 model; hfcpp's default keeps x in
// float32 (matmul.cpp), because rounding x moves logits by more than the fixtures' tolerance.
//
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

thread_local MatmulPrecision g_precision = MatmulPrecision::Float32;  // the calling thread's

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

// Blocking. A panel of kNR = 32 weight columns × kPairs pairs of k (32 KiB) is packed once and
// stays in L1/L2 while every row of x sweeps over it, kMR rows at a time: kMR × 2 accumulators
// (16 of the 32 vector registers; 6 or 12 rows measured no faster) take one whole slice of K
// before y is touched, so y is read and written once per 512 values of k. The slice of x
// (M × kPairs pairs) stays in L2 across the panels of a thread.
constexpr int64_t kPairs = 256;
constexpr int64_t kNR = 32;  // two vectors of 16 float32 lanes
constexpr int kMR = 8;

// panel[p * 32 + j] = the pair (W[n + j, 2(p0 + p)], W[n + j, 2(p0 + p) + 1]): the bf16 weights are
// copied, never converted. With an even K a pair is one aligned uint32 of the row, so the panel is
// a transpose of 32-bit words: 16 × 16 blocks in registers (unpack 32, unpack 64, two lane
// shuffles) where the block is whole, single words at the edges (zero past the matrix).
// GCC 12's headers warn of an uninitialized __Y inside the unpack and lane-shuffle intrinsics
// (their masked forms' "undefined" source); nothing here is read uninitialized.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
HF_TARGET_BF16 void transpose16(const uint32_t* const rows[16], int64_t p, uint32_t* out) {
  __m512i r[16], t[16];
  for (int j = 0; j < 16; ++j) r[j] = _mm512_loadu_si512(rows[j] + p);
  for (int j = 0; j < 16; j += 2) {
    t[j] = _mm512_unpacklo_epi32(r[j], r[j + 1]);
    t[j + 1] = _mm512_unpackhi_epi32(r[j], r[j + 1]);
  }
  // r[4g + e], 128-bit lane L: rows 4g..4g+3 of word 4L + e.
  for (int g = 0; g < 4; ++g) {
    r[4 * g + 0] = _mm512_unpacklo_epi64(t[4 * g], t[4 * g + 2]);
    r[4 * g + 1] = _mm512_unpackhi_epi64(t[4 * g], t[4 * g + 2]);
    r[4 * g + 2] = _mm512_unpacklo_epi64(t[4 * g + 1], t[4 * g + 3]);
    r[4 * g + 3] = _mm512_unpackhi_epi64(t[4 * g + 1], t[4 * g + 3]);
  }
  for (int e = 0; e < 4; ++e) {  // a 4 × 4 transpose of 128-bit lanes
    const __m512i v0 = _mm512_shuffle_i32x4(r[e], r[4 + e], 0x88), v1 = _mm512_shuffle_i32x4(r[e], r[4 + e], 0xDD);
    const __m512i v2 = _mm512_shuffle_i32x4(r[8 + e], r[12 + e], 0x88), v3 = _mm512_shuffle_i32x4(r[8 + e], r[12 + e], 0xDD);
    _mm512_storeu_si512(out + (0 + e) * kNR, _mm512_shuffle_i32x4(v0, v2, 0x88));
    _mm512_storeu_si512(out + (4 + e) * kNR, _mm512_shuffle_i32x4(v1, v3, 0x88));
    _mm512_storeu_si512(out + (8 + e) * kNR, _mm512_shuffle_i32x4(v0, v2, 0xDD));
    _mm512_storeu_si512(out + (12 + e) * kNR, _mm512_shuffle_i32x4(v1, v3, 0xDD));
  }
}
#pragma GCC diagnostic pop

HF_TARGET_BF16 void pack_panel(const uint16_t* w, int64_t K, int64_t ncols, int64_t p0, int64_t np, uint32_t* panel) {
  int64_t p = 0;
  if (K % 2 == 0 && ncols == kNR) {
    for (int64_t half = 0; half < kNR; half += 16) {
      const uint32_t* rows[16];
      for (int j = 0; j < 16; ++j) rows[j] = reinterpret_cast<const uint32_t*>(w + (half + j) * K) + p0;
      for (int64_t q = 0; q + 16 <= np; q += 16) transpose16(rows, q, panel + q * kNR + half);
    }
    p = np / 16 * 16;
  }
  for (int64_t j = 0; j < kNR; ++j) {
    const uint16_t* row = w + j * K;
    for (int64_t q = p; q < np; ++q) {
      const int64_t k = 2 * (p0 + q);
      uint32_t v = 0;
      if (j < ncols) v = uint32_t(row[k]) | (k + 1 < K ? uint32_t(row[k + 1]) << 16 : 0u);
      panel[q * kNR + j] = v;
    }
  }
}

// y[i, 0..ncols) for i < MR: the product of np pairs of x's rows with the panel, added to y (or,
// for the first slice of K, written with the bias added).
template <int MR>
HF_TARGET_BF16 void panel_kernel(const uint32_t* xb, int64_t Kp, const uint32_t* panel, int64_t np, float* y,
                                 int64_t ldy, int64_t ncols, bool first, const float* bias) {
  __m512 c0[MR], c1[MR];
#pragma GCC unroll 12
  for (int i = 0; i < MR; ++i) c0[i] = c1[i] = _mm512_setzero_ps();
  for (int64_t p = 0; p < np; ++p) {
    const __m512bh b0 = (__m512bh)_mm512_loadu_si512(panel + p * kNR);
    const __m512bh b1 = (__m512bh)_mm512_loadu_si512(panel + p * kNR + 16);
#pragma GCC unroll 12
    for (int i = 0; i < MR; ++i) {
      const __m512bh a = (__m512bh)_mm512_set1_epi32(int(xb[i * Kp + p]));
      c0[i] = _mm512_dpbf16_ps(c0[i], b0, a);
      c1[i] = _mm512_dpbf16_ps(c1[i], b1, a);
    }
  }
  // Lanes past ncols are computed (zero weights) but neither read nor written.
  const __mmask16 m0 = ncols >= 16 ? __mmask16(0xffff) : __mmask16((1u << ncols) - 1);
  const __mmask16 m1 = ncols >= 32 ? __mmask16(0xffff) : ncols > 16 ? __mmask16((1u << (ncols - 16)) - 1) : 0;
  const __m512 bias0 = bias ? _mm512_maskz_loadu_ps(m0, bias) : _mm512_setzero_ps();
  const __m512 bias1 = bias ? _mm512_maskz_loadu_ps(m1, bias + 16) : _mm512_setzero_ps();
#pragma GCC unroll 12
  for (int i = 0; i < MR; ++i) {
    float* yi = y + i * ldy;
    const __m512 base0 = first ? bias0 : _mm512_maskz_loadu_ps(m0, yi);
    const __m512 base1 = first ? bias1 : _mm512_maskz_loadu_ps(m1, yi + 16);
    _mm512_mask_storeu_ps(yi, m0, _mm512_add_ps(c0[i], base0));
    _mm512_mask_storeu_ps(yi + 16, m1, _mm512_add_ps(c1[i], base1));
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
  thread_local std::vector<uint32_t> panel;  // 32 KiB per thread, kept between calls
  panel.resize(kPairs * kNR);
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
