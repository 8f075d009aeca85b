// matmul: y[M,N] = x[M,K] · W[N,K]ᵀ (+ bias), W in its stored dtype.
//
// Decode and small batches (M < kGemmRows) are bound by memory bandwidth: MicroKernel is an MR×1
// tile of dot products that widens each weight vector in registers once for MR rows of x, and
// the threads split N so that every weight row is streamed once, one row after the other: each
// thread then reads its share of W as one sequential stream, which the hardware prefetcher
// follows at the full bandwidth of a core (on Zen 5, 4 rows read side by side -- 4 streams -- and
// software prefetches reached 12-13 GB/s per core where one stream reaches 30).
// Prefill (M large) is bound by arithmetic and runs as a packed GEMM: a panel of weights (kKC
// values of 2 vectors' worth of columns) is widened once into float32, transposed, and stays in
// L1 while PanelKernel sweeps all rows of x over it, MR rows at a time, with MR × 2 vector
// accumulators (outer products: a broadcast x value times a panel row, no horizontal sums).
// The K dimension is cut in slices of kKC so that the slice of x stays in L2 across panels.
#include "kernels/kernels.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/matmul.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "kernels/simd-inl.h"

#if HWY_ONCE
#include <algorithm>
#include <type_traits>
#include <vector>

#include "core/thread_pool.h"
#include "kernels/kernels.h"
#include "kernels/quant_format.h"
#include "kernels/weight_check.h"
#endif

#ifndef HF_KERNELS_MATMUL_SHARED
#define HF_KERNELS_MATMUL_SHARED
namespace hf::kernels {
constexpr int64_t kGemmRows = 16;   // from this many rows of x on, the packed GEMM
constexpr int64_t kGemmGrain = 32;  // its threads split N at multiples of the widest panel
}  // namespace hf::kernels
#endif

HWY_BEFORE_NAMESPACE();
namespace hf::kernels::HWY_NAMESPACE {

// Rows of x per tile: kMR accumulators, a weight vector and an x vector fit the register file
// (32 vector registers with AVX-512, 16 below it).
#if HWY_TARGET <= HWY_AVX3
constexpr int kMR = 8;
#else
constexpr int kMR = 4;
#endif

// y[i] = x[i, :] · w + bias for i < MR: one weight row, each vector of it widened once for MR
// rows of x. A single row of x has one chain of dependent FMAs; two chains (even and odd vectors)
// hide the FMA latency.
template <typename WT, int MR>
HWY_INLINE void MicroKernel(const float* x, int64_t ldx, const WT* w, int64_t K, const float* bias, float* y,
                            int64_t ldy) {
  const DF d;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  constexpr int kChains = MR == 1 ? 2 : 1;
  VF acc[kChains][MR];
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 2
    for (int c = 0; c < kChains; ++c) acc[c][i] = hn::Zero(d);
  int64_t k = 0;
  for (; k + kChains * L <= K; k += kChains * L) {
#pragma GCC unroll 2
    for (int c = 0; c < kChains; ++c) {
      const VF wv = LoadWidened(d, w + k + c * L);
#pragma GCC unroll 8
      for (int i = 0; i < MR; ++i) acc[c][i] = hn::MulAdd(hn::LoadU(d, x + i * ldx + k + c * L), wv, acc[c][i]);
    }
  }
  for (int i = 0; i < MR; ++i) {
    float s = ReduceSum(d, kChains == 1 ? acc[0][i] : hn::Add(acc[0][i], acc[kChains - 1][i]));
    for (int64_t kk = k; kk < K; ++kk) s += x[i * ldx + kk] * ScalarWidened(w[kk]);
    y[i * ldy] = s + (bias ? *bias : 0.0f);
  }
}

// bf16 weights, widened without a shuffle: a 32-bit lane holds two bf16 values, element 2i in its
// low half and 2i+1 in its high half, so `lane << 16` is element 2i as a float and
// `lane & 0xffff0000` is element 2i+1. x is stored permuted to match (PairSplitX): per block of
// 2L values, the L even-indexed ones, then the L odd-indexed ones. One load, a shift, an and and
// two FMAs per 2L weights, where LoadWidened's zero-extension crosses 128-bit lanes: from memory
// on one core 28 vs 24.5 GB/s. The products are exact either way (a bf16 widened to f32 is exact).
template <int MR>
HWY_INLINE void PairSplitKernel(const float* xp, int64_t ldx, const BF16* w, int64_t K, const float* bias, float* y,
                                int64_t ldy) {
  const DF d;
  const hn::RebindToUnsigned<DF> du;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  const auto high = hn::Set(du, 0xffff0000u);
  VF even[MR], odd[MR];
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i) even[i] = odd[i] = hn::Zero(d);
  int64_t k = 0;
  for (; k + 2 * L <= K; k += 2 * L) {
    const auto pairs = hn::LoadU(du, reinterpret_cast<const uint32_t*>(w + k));
    const VF we = hn::BitCast(d, hn::ShiftLeft<16>(pairs)), wo = hn::BitCast(d, hn::And(pairs, high));
#pragma GCC unroll 8
    for (int i = 0; i < MR; ++i) {
      even[i] = hn::MulAdd(hn::LoadU(d, xp + i * ldx + k), we, even[i]);
      odd[i] = hn::MulAdd(hn::LoadU(d, xp + i * ldx + k + L), wo, odd[i]);
    }
  }
  for (int i = 0; i < MR; ++i) {
    float s = ReduceSum(d, hn::Add(even[i], odd[i]));
    for (int64_t kk = k; kk < K; ++kk) s += xp[i * ldx + kk] * ScalarWidened(w[kk]);  // the tail is not permuted
    y[i * ldy] = s + (bias ? *bias : 0.0f);
  }
}

// x[M, K] (row stride ldx) into xp[M, K] permuted for PairSplitKernel; the tail past the last
// whole block of 2L stays in order.
void PairSplitX(const float* x, int64_t M, int64_t K, int64_t ldx, float* xp) {
  const int64_t L = static_cast<int64_t>(hn::Lanes(DF()));
  for (int64_t m = 0; m < M; ++m) {
    const float* xr = x + m * ldx;
    float* out = xp + m * K;
    int64_t k = 0;
    for (; k + 2 * L <= K; k += 2 * L)
      for (int64_t j = 0; j < L; ++j) out[k + j] = xr[k + 2 * j], out[k + L + j] = xr[k + 2 * j + 1];
    for (; k < K; ++k) out[k] = xr[k];
  }
}

// The tile for MR rows of x and one weight row: bf16 weights pair-split (x permuted to match),
// the other dtypes widened.
template <typename WT, int MR>
HWY_INLINE void Tile(const float* x, int64_t ldx, const WT* w, int64_t K, const float* bias, float* y, int64_t ldy) {
  if constexpr (std::is_same_v<WT, BF16>) PairSplitKernel<MR>(x, ldx, w, K, bias, y, ldy);
  else MicroKernel<WT, MR>(x, ldx, w, K, bias, y, ldy);
}

// Rows [n0, n1) of the output for every row of x.
template <typename WT>
void MatmulRange(const float* x, int64_t M, int64_t K, const WT* w, const float* bias, float* y, int64_t ldx,
                 int64_t ldy, int64_t n0, int64_t n1) {
  // Rows of x per block: about 256 KiB, so the block stays in L2 while weights stream past.
  const int64_t mb = std::max<int64_t>(kMR, (256 * 1024 / (K * 4)) / kMR * kMR);
  thread_local std::vector<float> permuted;  // bf16: the block of x in PairSplitX's order
  for (int64_t m0 = 0; m0 < M; m0 += mb) {
    const int64_t m1 = std::min(M, m0 + mb);
    const float* xb = x + m0 * ldx;
    int64_t ldb = ldx;
    if constexpr (std::is_same_v<WT, BF16>) {  // K floats a row, nothing next to the weights streaming past
      permuted.resize(static_cast<size_t>((m1 - m0) * K));
      PairSplitX(xb, m1 - m0, K, ldx, permuted.data());
      xb = permuted.data(), ldb = K;
    }
    for (int64_t n = n0; n < n1; ++n) {
      const WT* wn = w + n * K;
      const float* bn = bias ? bias + n : nullptr;
      int64_t m = m0;
      for (; m + kMR <= m1; m += kMR) Tile<WT, kMR>(xb + (m - m0) * ldb, ldb, wn, K, bn, y + m * ldy + n, ldy);
      for (; m + 2 <= m1; m += 2) Tile<WT, 2>(xb + (m - m0) * ldb, ldb, wn, K, bn, y + m * ldy + n, ldy);
      for (; m < m1; ++m) Tile<WT, 1>(xb + (m - m0) * ldb, ldb, wn, K, bn, y + m * ldy + n, ldy);
    }
  }
}

// ---- Prefill: packed GEMM -----------------------------------------------------------------------

constexpr int64_t kKC = 256;  // panel depth: kKC × 32 floats = 32 KiB with AVX-512 (128: 8% slower)
#if HWY_TARGET <= HWY_AVX3
constexpr int kGemmMR = 8;  // 16 accumulators of the 32 vector registers
#else
constexpr int kGemmMR = 6;  // 12 accumulators of 16 registers
#endif

// panel[k * NR + j] = W[j, k0 + k] widened, for j < ncols (zero columns beyond: the kernel
// computes them and drops them). Written in order, read across the rows: stores a cache line
// apart cost far more than loads (the row-by-row order took 20% of a pp512 GEMM).
template <typename WT>
void PackPanel(const WT* w, int64_t K, int64_t ncols, int64_t k0, int64_t kc, int64_t NR, float* panel) {
  const WT* base = w + k0;
  for (int64_t k = 0; k < kc; ++k) {
    float* out = panel + k * NR;
    for (int64_t j = 0; j < ncols; ++j) out[j] = ScalarWidened(base[j * K + k]);
    for (int64_t j = ncols; j < NR; ++j) out[j] = 0.0f;
  }
}

// y[i, 0..ncols) for i < MR: the product of kc columns of x with the panel, added to y (or, for
// the first slice of K, written with the bias, which is padded to the panel's width, added).
template <int MR>
HWY_INLINE void PanelKernel(const float* x, int64_t ldx, const float* panel, int64_t kc, float* y, int64_t ldy,
                            int64_t ncols, bool first, const float* bias) {
  const DF d;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  VF c0[MR], c1[MR];
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i) c0[i] = c1[i] = hn::Zero(d);
  for (int64_t k = 0; k < kc; ++k) {
    const VF b0 = hn::LoadU(d, panel + k * 2 * L), b1 = hn::LoadU(d, panel + k * 2 * L + L);
#pragma GCC unroll 8
    for (int i = 0; i < MR; ++i) {
      const VF a = hn::Set(d, x[i * ldx + k]);
      c0[i] = hn::MulAdd(a, b0, c0[i]);
      c1[i] = hn::MulAdd(a, b1, c1[i]);
    }
  }
  HWY_ALIGN float tmp[2 * HWY_MAX_BYTES / sizeof(float)];
  // Unrolled like the loops above: an accumulator indexed by a variable would be kept in memory.
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i) {
    float* yi = y + i * ldy;
    if (ncols == 2 * L) {
      const VF base0 = first ? (bias ? hn::LoadU(d, bias) : hn::Zero(d)) : hn::LoadU(d, yi);
      const VF base1 = first ? (bias ? hn::LoadU(d, bias + L) : hn::Zero(d)) : hn::LoadU(d, yi + L);
      hn::StoreU(hn::Add(c0[i], base0), d, yi);
      hn::StoreU(hn::Add(c1[i], base1), d, yi + L);
    } else {
      hn::Store(c0[i], d, tmp);
      hn::Store(c1[i], d, tmp + L);
      for (int64_t j = 0; j < ncols; ++j) yi[j] = tmp[j] + (first ? (bias ? bias[j] : 0.0f) : yi[j]);
    }
  }
}

// The last M % kGemmMR rows: PanelKernel<rows>, chosen at compile time.
template <int R>
HWY_INLINE void PanelKernelRows(int rows, const float* x, int64_t ldx, const float* panel, int64_t kc, float* y,
                                int64_t ldy, int64_t ncols, bool first, const float* bias) {
  if constexpr (R > 0) {
    if (rows == R) return PanelKernel<R>(x, ldx, panel, kc, y, ldy, ncols, first, bias);
    PanelKernelRows<R - 1>(rows, x, ldx, panel, kc, y, ldy, ncols, first, bias);
  }
}

// Columns [n0, n1) of y for every row of x.
template <typename WT>
void GemmRange(const float* x, int64_t M, int64_t K, const WT* w, const float* bias, float* y, int64_t ldx,
               int64_t ldy, int64_t n0, int64_t n1) {
  const DF d;
  const int64_t NR = 2 * static_cast<int64_t>(hn::Lanes(d));
  std::vector<float> panel(kKC * NR), padded_bias(NR);
  for (int64_t k0 = 0; k0 < K; k0 += kKC) {
    const int64_t kc = std::min(kKC, K - k0);
    const bool first = k0 == 0;
    for (int64_t n = n0; n < n1; n += NR) {
      const int64_t ncols = std::min(NR, n1 - n);
      PackPanel(w + n * K, K, ncols, k0, kc, NR, panel.data());
      const float* b = nullptr;
      if (bias && first) {
        std::fill(padded_bias.begin(), padded_bias.end(), 0.0f);
        std::copy_n(bias + n, ncols, padded_bias.begin());
        b = padded_bias.data();
      }
      int64_t m = 0;
      for (; m + kGemmMR <= M; m += kGemmMR)
        PanelKernel<kGemmMR>(x + m * ldx + k0, ldx, panel.data(), kc, y + m * ldy + n, ldy, ncols, first, b);
      if (m < M)
        PanelKernelRows<kGemmMR - 1>(int(M - m), x + m * ldx + k0, ldx, panel.data(), kc, y + m * ldy + n, ldy, ncols,
                                     first, b);
    }
  }
}

// Rows [n0, n1) of the output: the packed GEMM for many rows of x, dot-product tiles for few.
template <typename WT>
void MatmulAny(const float* x, int64_t M, int64_t K, const WT* w, const float* bias, float* y, int64_t ldx,
               int64_t ldy, int64_t n0, int64_t n1) {
  if (M >= kGemmRows) GemmRange(x, M, K, w, bias, y, ldx, ldy, n0, n1);
  else MatmulRange(x, M, K, w, bias, y, ldx, ldy, n0, n1);
}

void MatmulF32(const float* x, int64_t M, int64_t K, const void* w, const float* bias, float* y, int64_t ldx,
               int64_t ldy, int64_t n0, int64_t n1) {
  MatmulAny(x, M, K, static_cast<const float*>(w), bias, y, ldx, ldy, n0, n1);
}
void MatmulBF16(const float* x, int64_t M, int64_t K, const void* w, const float* bias, float* y, int64_t ldx,
                int64_t ldy, int64_t n0, int64_t n1) {
  MatmulAny(x, M, K, static_cast<const BF16*>(w), bias, y, ldx, ldy, n0, n1);
}
void MatmulF16(const float* x, int64_t M, int64_t K, const void* w, const float* bias, float* y, int64_t ldx,
               int64_t ldy, int64_t n0, int64_t n1) {
  MatmulAny(x, M, K, static_cast<const F16*>(w), bias, y, ldx, ldy, n0, n1);
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
  if (M >= kGemmRows && matmul_bf16_activations(x, M, K, W, bias, y, ldx, ldy)) return;
  auto fn = W.dtype() == DType::F32 ? HWY_DYNAMIC_DISPATCH(MatmulF32)
            : W.dtype() == DType::BF16 ? HWY_DYNAMIC_DISPATCH(MatmulBF16)
                                       : HWY_DYNAMIC_DISPATCH(MatmulF16);
  // Split the output columns over the threads, in groups of 4 (or of the GEMM panel). Small
  // products run on the calling thread: waking workers costs more than the work.
  const int64_t flops = M * N * K;
  const void* w = W.data();
  if (flops < 64 * 1024) {
    fn(x, M, K, w, bias, y, ldx, ldy, 0, N);
    return;
  }
  ThreadPool::global().parallel_for(
      N, [&](int64_t n0, int64_t n1) { fn(x, M, K, w, bias, y, ldx, ldy, n0, n1); }, M >= kGemmRows ? kGemmGrain : 4);
}

void matmul_group(const float* x, int64_t M, int64_t K, std::span<const MatmulOutput> outputs, int64_t ldx,
                  int64_t ldy) {
  if (ldx == 0) ldx = K;
  if (M >= kGemmRows && matmul_precision() == MatmulPrecision::BF16Activations) {
    // Prefill is compute-bound: a synchronisation per bf16 output costs nothing next to it. The
    // others (quantized, f32) run grouped below; matmul() must not be called for them here, as
    // it hands a quantized weight back to matmul_group.
    std::vector<MatmulOutput> rest;
    for (const auto& o : outputs) {
      check_matmul_weight(*o.W, K);
      if (!o.x && !x) throw Error("matmul_group: an output without its own x needs the shared x");
      if (!matmul_bf16_activations(o.x ? o.x : x, M, K, *o.W, o.bias, o.y, ldx, ldy ? ldy : o.W->dim(0)))
        rest.push_back(o);
    }
    if (rest.empty()) return;
    if (rest.size() < outputs.size()) return matmul_group(x, M, K, rest, ldx, ldy);
    // None ran (no bf16 weight, or no AVX-512 BF16): all of them run grouped below.
  }
  using Fn = std::remove_reference_t<decltype(HWY_DYNAMIC_DISPATCH(MatmulF32))>*;
  std::vector<Fn> fns;
  std::vector<int64_t> starts = {0};  // output i covers concatenated rows [starts[i], starts[i+1])
  bool shared_quantized = false, any_quantized = false;  // a quantized output reads the shared x / any x
  for (const auto& o : outputs) {
    check_matmul_weight(*o.W, K);
    if (!o.x && !x) throw Error("matmul_group: an output without its own x needs the shared x");
    const DType t = o.W->dtype();
    shared_quantized |= is_quantized(t) && !o.x;
    any_quantized |= is_quantized(t);
    fns.push_back(t == DType::F32 ? &HWY_DYNAMIC_DISPATCH(MatmulF32)
                  : t == DType::BF16 ? &HWY_DYNAMIC_DISPATCH(MatmulBF16)
                                     : &HWY_DYNAMIC_DISPATCH(MatmulF16));
    starts.push_back(starts.back() + o.W->dim(0));
  }
  // Quantized weights read x as int8 blocks, made once here for every output and thread: once
  // for the shared x, once more for each quantized output with its own x.
  // (thread_local: each calling thread has its own; the workers reach them through `acts`.)
  thread_local quant::QuantizedActivations qx;
  thread_local std::vector<quant::QuantizedActivations> own_qx;
  if (shared_quantized) quant::quantize_activations(x, M, K, ldx, qx);
  std::vector<const quant::QuantizedActivations*> acts(outputs.size(), &qx);
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (!outputs[i].x || !is_quantized(outputs[i].W->dtype())) continue;
    if (own_qx.size() <= i) own_qx.resize(i + 1);
    quant::quantize_activations(outputs[i].x, M, K, ldx, own_qx[i]);
    acts[i] = &own_qx[i];
  }
  auto run = [&](int64_t r0, int64_t r1) {
    for (size_t i = 0; i < outputs.size(); ++i) {
      const int64_t b = std::max(r0, starts[i]) - starts[i], e = std::min(r1, starts[i + 1]) - starts[i];
      if (b >= e) continue;
      const Tensor& W = *outputs[i].W;
      const int64_t ld = ldy ? ldy : W.dim(0);
      const float* xi = outputs[i].x ? outputs[i].x : x;
      if (is_quantized(W.dtype())) quant::quantized_rows(*acts[i], W, outputs[i].bias, outputs[i].y, ld, b, e);
      else fns[i](xi, M, K, W.data(), outputs[i].bias, outputs[i].y, ldx, ld, b, e);
    }
  };
  // Threads split the rows at multiples of 4, of a quantized panel (16 rows: a panel split between
  // two chunks would be read and computed by both; with 16 threads, 64 chunks of a 1152-row q/k/v
  // group would split most of its panels), or of the GEMM's widest panel.
  const int64_t grain = M >= kGemmRows ? kGemmGrain : any_quantized ? quant::kPanelRows : 4;
  if (M * starts.back() * K < 64 * 1024) run(0, starts.back());
  else ThreadPool::global().parallel_for(starts.back(), run, grain);
}

}  // namespace hf::kernels
#endif
