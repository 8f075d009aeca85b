// matmul: y[M,N] = x[M,K] · W[N,K]ᵀ (+ bias), W in its stored dtype, widened in registers.
//
// The hot loop is MicroKernel: an MR×NR tile of dot products that loads each widened weight
// vector once for MR rows of x and each x vector once for NR weight rows. Decode (M = 1) is
// bound by memory bandwidth: it streams every weight row once, split over the threads by N.
// Prefill (M large) is bound by arithmetic: x is cut in blocks that stay in L2 while each group
// of NR weight rows stays in L1 across the whole block.
#include "kernels/kernels.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/matmul.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "kernels/simd-inl.h"

#if HWY_ONCE
#include <algorithm>
#include <vector>

#include "core/thread_pool.h"
#include "kernels/kernels.h"
#include "kernels/quant_format.h"
#include "kernels/weight_check.h"
#endif

HWY_BEFORE_NAMESPACE();
namespace hf::kernels::HWY_NAMESPACE {

constexpr int64_t kPrefetchRows = 8;  // decode prefetches the weight rows this far ahead
// Rows of x per tile: kMR × 4 accumulators plus 4 weight vectors and one x vector must fit the
// register file (32 vector registers with AVX-512, 16 below it).
#if HWY_TARGET <= HWY_AVX3
constexpr int kMR = 6;
#else
constexpr int kMR = 2;
#endif

template <typename WT, int MR, int NR>
HWY_INLINE void MicroKernel(const float* x, int64_t ldx, const WT* w, int64_t K, const float* bias, float* y,
                            int64_t ldy) {
  const DF d;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  VF acc[MR][NR];
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
    for (int j = 0; j < NR; ++j) acc[i][j] = hn::Zero(d);
  int64_t k = 0;
  for (; k + L <= K; k += L) {
    VF wv[NR];
#pragma GCC unroll 4
    for (int j = 0; j < NR; ++j) {
      // Decode streams weights from DRAM in rows too short (K elements) for the hardware
      // prefetcher to lock on; fetch the rows of a later group while this one is computed.
      if (MR == 1) __builtin_prefetch(w + (j + kPrefetchRows) * K + k);
      wv[j] = LoadWidened(d, w + j * K + k);
    }
#pragma GCC unroll 8
    for (int i = 0; i < MR; ++i) {
      const VF xv = hn::LoadU(d, x + i * ldx + k);
#pragma GCC unroll 4
      for (int j = 0; j < NR; ++j) acc[i][j] = hn::MulAdd(xv, wv[j], acc[i][j]);
    }
  }
  for (int i = 0; i < MR; ++i)
    for (int j = 0; j < NR; ++j) {
      float s = ReduceSum(d, acc[i][j]);
      for (int64_t kk = k; kk < K; ++kk) s += x[i * ldx + kk] * ScalarWidened(w[j * K + kk]);
      y[i * ldy + j] = s + (bias ? bias[j] : 0.0f);
    }
}

// Rows [n0, n1) of the output for every row of x.
template <typename WT>
void MatmulRange(const float* x, int64_t M, int64_t K, const WT* w, const float* bias, float* y, int64_t ldx,
                 int64_t ldy, int64_t n0, int64_t n1) {
  // Rows of x per block: about 256 KiB, so the block stays in L2 while weights stream past.
  const int64_t mb = std::max<int64_t>(kMR, (256 * 1024 / (K * 4)) / kMR * kMR);
  for (int64_t m0 = 0; m0 < M; m0 += mb) {
    const int64_t m1 = std::min(M, m0 + mb);
    int64_t n = n0;
    for (; n + 4 <= n1; n += 4) {
      const WT* wn = w + n * K;
      const float* bn = bias ? bias + n : nullptr;
      int64_t m = m0;
      for (; m + kMR <= m1; m += kMR) MicroKernel<WT, kMR, 4>(x + m * ldx, ldx, wn, K, bn, y + m * ldy + n, ldy);
      for (; m < m1; ++m) MicroKernel<WT, 1, 4>(x + m * ldx, ldx, wn, K, bn, y + m * ldy + n, ldy);
    }
    for (; n < n1; ++n) {
      const float* bn = bias ? bias + n : nullptr;
      int64_t m = m0;
      for (; m + 4 <= m1; m += 4) MicroKernel<WT, 4, 1>(x + m * ldx, ldx, w + n * K, K, bn, y + m * ldy + n, ldy);
      for (; m < m1; ++m) MicroKernel<WT, 1, 1>(x + m * ldx, ldx, w + n * K, K, bn, y + m * ldy + n, ldy);
    }
  }
}

void MatmulF32(const float* x, int64_t M, int64_t K, const void* w, const float* bias, float* y, int64_t ldx,
               int64_t ldy, int64_t n0, int64_t n1) {
  MatmulRange(x, M, K, static_cast<const float*>(w), bias, y, ldx, ldy, n0, n1);
}
void MatmulBF16(const float* x, int64_t M, int64_t K, const void* w, const float* bias, float* y, int64_t ldx,
                int64_t ldy, int64_t n0, int64_t n1) {
  MatmulRange(x, M, K, static_cast<const BF16*>(w), bias, y, ldx, ldy, n0, n1);
}
void MatmulF16(const float* x, int64_t M, int64_t K, const void* w, const float* bias, float* y, int64_t ldx,
               int64_t ldy, int64_t n0, int64_t n1) {
  MatmulRange(x, M, K, static_cast<const F16*>(w), bias, y, ldx, ldy, n0, n1);
}

}  // namespace hf::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace hf::kernels {

HWY_EXPORT(MatmulF32);
HWY_EXPORT(MatmulBF16);
HWY_EXPORT(MatmulF16);

void matmul(const float* x, int64_t M, int64_t K, const Tensor& W, const float* bias, float* y, int64_t ldx,
            int64_t ldy) {
  check_matmul_weight(W, K);
  const int64_t N = W.dim(0);
  if (ldx == 0) ldx = K;
  if (ldy == 0) ldy = N;
  if (M <= 0 || N <= 0) return;
  if (is_quantized(W.dtype())) {
    const MatmulOutput out{&W, bias, y};
    return matmul_group(x, M, K, {&out, 1}, ldx, ldy);
  }
  auto fn = W.dtype() == DType::F32 ? HWY_DYNAMIC_DISPATCH(MatmulF32)
            : W.dtype() == DType::BF16 ? HWY_DYNAMIC_DISPATCH(MatmulBF16)
                                       : HWY_DYNAMIC_DISPATCH(MatmulF16);
  // Split the output columns over the threads, in groups of 4 (the micro-kernel's width). Small
  // products run on the calling thread: waking workers costs more than the work.
  const int64_t flops = M * N * K;
  const void* w = W.data();
  if (flops < 64 * 1024) {
    fn(x, M, K, w, bias, y, ldx, ldy, 0, N);
    return;
  }
  ThreadPool::global().parallel_for(
      N, [&](int64_t n0, int64_t n1) { fn(x, M, K, w, bias, y, ldx, ldy, n0, n1); }, 4);
}

void matmul_group(const float* x, int64_t M, int64_t K, std::span<const MatmulOutput> outputs, int64_t ldx,
                  int64_t ldy) {
  using Fn = std::remove_reference_t<decltype(HWY_DYNAMIC_DISPATCH(MatmulF32))>*;
  std::vector<Fn> fns;
  std::vector<int64_t> starts = {0};  // output i covers concatenated rows [starts[i], starts[i+1])
  bool any_quantized = false;
  for (const auto& o : outputs) {
    check_matmul_weight(*o.W, K);
    const DType t = o.W->dtype();
    any_quantized |= is_quantized(t);
    fns.push_back(t == DType::F32 ? &HWY_DYNAMIC_DISPATCH(MatmulF32)
                  : t == DType::BF16 ? &HWY_DYNAMIC_DISPATCH(MatmulBF16)
                                     : &HWY_DYNAMIC_DISPATCH(MatmulF16));
    starts.push_back(starts.back() + o.W->dim(0));
  }
  if (ldx == 0) ldx = K;
  // Quantized weights read x as int8 blocks, made once here for every output and thread.
  // (thread_local: each calling thread has its own; the workers reach it through `act`.)
  thread_local quant::QuantizedActivations qx;
  if (any_quantized) quant::quantize_activations(x, M, K, ldx, qx);
  const quant::QuantizedActivations& act = qx;
  auto run = [&](int64_t r0, int64_t r1) {
    for (size_t i = 0; i < outputs.size(); ++i) {
      const int64_t b = std::max(r0, starts[i]) - starts[i], e = std::min(r1, starts[i + 1]) - starts[i];
      if (b >= e) continue;
      const Tensor& W = *outputs[i].W;
      const int64_t ld = ldy ? ldy : W.dim(0);
      if (is_quantized(W.dtype())) quant::quantized_rows(act, W, outputs[i].bias, outputs[i].y, ld, b, e);
      else fns[i](x, M, K, W.data(), outputs[i].bias, outputs[i].y, ldx, ld, b, e);
    }
  };
  if (M * starts.back() * K < 64 * 1024) run(0, starts.back());
  else ThreadPool::global().parallel_for(starts.back(), run, 4);
}

}  // namespace hf::kernels
#endif
