// Scaled dot-product attention over a KV cache. Work is split over (query, group of heads that
// share a KV head) items: each computes its scores with SIMD dot products, a softmax per head,
// then a weighted sum of value rows.
// Prefill (many queries) first lays each KV head's keys out transposed, in tiles of 16 keys by
// head_dim (once per call, shared by all threads): a query head's scores for 16 keys are then
// head_dim FMAs of a broadcast query value with a tile row, where per-key dot products each ended
// in a horizontal sum (the 64-value dots and their sums were 8.5% of a pp512 run).
// Only the keys a query can see (causal limit, sliding window) are touched. Keys and values may be
// float32 or a half-size cache (f16 / bf16): those are widened to float32 lanes as they are loaded,
// so scores and sums are computed in float32 either way and only the stored K/V are rounded.
#include "kernels/kernels.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/attention.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "kernels/simd-inl.h"

#include <type_traits>

#if HWY_ONCE
#include <algorithm>
#include <cmath>
#include <vector>

#include "core/thread_pool.h"
#include "hf/error.h"
#include "kernels/kernels.h"
#endif

#ifndef HF_KERNELS_ATTENTION_SHARED
#define HF_KERNELS_ATTENTION_SHARED
namespace hf::kernels {
constexpr int64_t kKeyTile = 16;  // keys per transposed tile
}  // namespace hf::kernels
#endif

HWY_BEFORE_NAMESPACE();
namespace hf::kernels::HWY_NAMESPACE {

// y[h][0, n) += Σ_{j0 ≤ j < j1} p[h][j] · v[j * stride + (0..n)] for the H heads of a GQA group
// that read the same value rows: four vectors of each head's y in registers at a time, each value
// vector loaded once for all H. One head's four accumulators are four chains of dependent FMAs;
// two heads give eight, twice the FMAs in flight.
template <int H, class T>
HWY_INLINE void WeightedSum(const float* const* p, const T* v, int64_t stride, int64_t j0, int64_t j1, int64_t n,
                            float* const* y) {
  const DF d;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  int64_t i = 0;
  for (; i + 4 * N <= n; i += 4 * N) {
    VF acc[H][4];
#pragma GCC unroll 4
    for (int h = 0; h < H; ++h)
#pragma GCC unroll 4
      for (int c = 0; c < 4; ++c) acc[h][c] = hn::LoadU(d, y[h] + i + c * N);
    for (int64_t j = j0; j < j1; ++j) {
      const T* vj = v + j * stride + i;
      VF vc[4];
#pragma GCC unroll 4
      for (int c = 0; c < 4; ++c) vc[c] = LoadWidened(d, vj + c * N);
#pragma GCC unroll 4
      for (int h = 0; h < H; ++h) {
        const VF pj = hn::Set(d, p[h][j]);
#pragma GCC unroll 4
        for (int c = 0; c < 4; ++c) acc[h][c] = hn::MulAdd(pj, vc[c], acc[h][c]);
      }
    }
#pragma GCC unroll 4
    for (int h = 0; h < H; ++h)
#pragma GCC unroll 4
      for (int c = 0; c < 4; ++c) hn::StoreU(acc[h][c], d, y[h] + i + c * N);
  }
  if (i < n)  // the remaining dims (head_dim not a multiple of four vectors)
    for (int h = 0; h < H; ++h)
      for (int64_t j = j0; j < j1; ++j) Axpy(p[h][j], v + j * stride + i, y[h] + i, n - i);
}

// Items [item0, item1) of a.T * a.n_heads / hp: item i is query t = i / (n_heads / hp) for the
// hp consecutive query heads starting at h0 = (i % (n_heads / hp)) * hp, which share one KV head
// (hp divides the GQA group). Each key and value row is read once for all hp heads: at depth the
// cache does not fit in L2, and reading it once per query head made decode stream it 7 times
// (Qwen2.5: 14 heads over 2 KV heads). `scores` has room for hp * a.L floats.
// kt[(tile * head_dim + d) * 16 + i] = key 16 * tile + i, dimension d, of KV head g (zero past L),
// for the tiles [tile0, tile1) of every KV head: kt holds n_kv_heads × tiles(L) tiles.
template <class T>
void TransposeKeysOf(const AttentionArgs& a, int64_t tile0, int64_t tile1, float* kt) {
  const int64_t tiles = (a.L + kKeyTile - 1) / kKeyTile, hd = a.head_dim;
  for (int g = 0; g < a.n_kv_heads; ++g)
    for (int64_t tile = tile0; tile < tile1; ++tile) {
      float* out = kt + (g * tiles + tile) * hd * kKeyTile;
      for (int64_t i = 0; i < kKeyTile; ++i) {
        const int64_t j = tile * kKeyTile + i;
        const T* kj = static_cast<const T*>(a.k) + g * a.kv_head_stride + j * a.kv_pos_stride;
        for (int64_t d = 0; d < hd; ++d) out[d * kKeyTile + i] = j < a.L ? ScalarWidened(kj[d]) : 0.0f;
      }
    }
}

void TransposeKeys(const AttentionArgs& a, int64_t tile0, int64_t tile1, float* kt) {
  if (a.kv_dtype == DType::BF16) TransposeKeysOf<BF16>(a, tile0, tile1, kt);
  else if (a.kv_dtype == DType::F16) TransposeKeysOf<F16>(a, tile0, tile1, kt);
  else TransposeKeysOf<float>(a, tile0, tile1, kt);
}

// rows[h][j] = scale · (q_h · key j) for j in [lo, hi) and the H heads q_h = q + h * hd of a GQA
// group, from the transposed tiles of their KV head: each tile row is loaded once for the H heads,
// and two chains per head (even and odd k) hide the FMA latency.
template <int H>
HWY_INLINE void ScoresFromTiles(const float* q, const float* kt, int64_t hd, float scale, int64_t lo, int64_t hi,
                                float* const* rows) {
  const DF d;
  constexpr int64_t N = static_cast<int64_t>(hn::MaxLanes(DF())), kVecs = kKeyTile / N;  // 1 (AVX-512) .. 16 (scalar)
  static_assert(kKeyTile % N == 0, "a key tile is a whole number of vectors");
  constexpr int kChains = 2;
  HWY_ALIGN float tile_scores[kKeyTile];
  for (int64_t tile = lo / kKeyTile; tile * kKeyTile < hi; ++tile) {
    const float* t = kt + tile * hd * kKeyTile;
    VF acc[kChains][H][kVecs];
#pragma GCC unroll 2
    for (int c = 0; c < kChains; ++c)
#pragma GCC unroll 4
      for (int h = 0; h < H; ++h)
#pragma GCC unroll 16
        for (int64_t v = 0; v < kVecs; ++v) acc[c][h][v] = hn::Zero(d);
    int64_t k = 0;
    for (; k + kChains <= hd; k += kChains)
#pragma GCC unroll 2
      for (int c = 0; c < kChains; ++c)
#pragma GCC unroll 16
        for (int64_t v = 0; v < kVecs; ++v) {
          const VF kv = hn::LoadU(d, t + (k + c) * kKeyTile + v * N);
#pragma GCC unroll 4
          for (int h = 0; h < H; ++h) acc[c][h][v] = hn::MulAdd(hn::Set(d, q[h * hd + k + c]), kv, acc[c][h][v]);
        }
    for (; k < hd; ++k)
#pragma GCC unroll 16
      for (int64_t v = 0; v < kVecs; ++v) {
        const VF kv = hn::LoadU(d, t + k * kKeyTile + v * N);
#pragma GCC unroll 4
        for (int h = 0; h < H; ++h) acc[0][h][v] = hn::MulAdd(hn::Set(d, q[h * hd + k]), kv, acc[0][h][v]);
      }
    const int64_t j0 = std::max(lo, tile * kKeyTile), j1 = std::min(hi, (tile + 1) * kKeyTile);
    for (int h = 0; h < H; ++h) {
#pragma GCC unroll 16
      for (int64_t v = 0; v < kVecs; ++v)
        hn::Store(hn::Mul(hn::Set(d, scale), hn::Add(acc[0][h][v], acc[1][h][v])), d, tile_scores + v * N);
      for (int64_t j = j0; j < j1; ++j) rows[h][j] = tile_scores[j - tile * kKeyTile];
    }
  }
}

// The heads [0, hp) of an item, up to MaxH at a time (then 2, then 1): f(integral_constant<int, H>,
// h) takes heads h .. h + H - 1.
template <int MaxH, class F>
HWY_INLINE void ForHeadsInPasses(int hp, const F& f) {
  int h = 0;
  for (; h + MaxH <= hp; h += MaxH) f(std::integral_constant<int, MaxH>(), h);
  if constexpr (MaxH > 2)
    for (; h + 2 <= hp; h += 2) f(std::integral_constant<int, 2>(), h);
  for (; h < hp; ++h) f(std::integral_constant<int, 1>(), h);
}
// Heads whose scores one pass computes: 4 heads × 2 chains are 8 of AVX-512's 32 registers.
constexpr int kScoreHeads = HWY_MAX_BYTES >= 64 ? 4 : 2;

template <class T>
void AttendRangeOf(const AttentionArgs& a, int hp, int64_t item0, int64_t item1, float* scores, const float* kt) {
  const int group = a.n_heads / a.n_kv_heads, per_t = a.n_heads / hp;
  for (int64_t item = item0; item < item1; ++item) {
    const int64_t t = item / per_t;
    const int h0 = static_cast<int>(item % per_t) * hp;
    const int64_t qpos = a.L - a.T + t;
    const int64_t hi = a.causal ? std::min(qpos + 1, a.L) : a.L;  // keys [lo, hi)
    const int64_t lo = a.window > 0 ? std::max<int64_t>(0, qpos - a.window + 1) : 0;
    const float* q = a.q + t * a.q_stride + int64_t(h0) * a.head_dim;  // head h0 + h at q + h * head_dim
    const T* kbase = static_cast<const T*>(a.k) + (h0 / group) * a.kv_head_stride;
    const T* vbase = static_cast<const T*>(a.v) + (h0 / group) * a.kv_head_stride;
    float* out = a.out + t * a.out_stride + int64_t(h0) * a.head_dim;
    if (kt) {  // prefill: from the transposed key tiles
      const int64_t tiles = (a.L + kKeyTile - 1) / kKeyTile;
      const float* tiles_of_head = kt + (h0 / group) * tiles * a.head_dim * kKeyTile;
      ForHeadsInPasses<kScoreHeads>(hp, [&](auto heads, int h) {
        constexpr int H = decltype(heads)::value;
        float* rows[H];
        for (int i = 0; i < H; ++i) rows[i] = scores + (h + i) * a.L;
        ScoresFromTiles<H>(q + h * a.head_dim, tiles_of_head, a.head_dim, a.scale, lo, hi, rows);
      });
    } else {
      for (int64_t j = lo; j < hi; ++j) {
        const T* kj = kbase + j * a.kv_pos_stride;
        for (int h = 0; h < hp; ++h) scores[h * a.L + j] = Dot(q + h * a.head_dim, kj, a.head_dim) * a.scale;
      }
    }
    if (a.bias || a.key_mask)
      for (int h = 0; h < hp; ++h) {
        float* row = scores + h * a.L;
        const float* bias = a.bias ? a.bias + (h0 + h) * a.bias_head_stride + t * a.bias_row_stride : nullptr;
        for (int64_t j = lo; j < hi; ++j) {
          if (a.key_mask && !a.key_mask[j]) row[j] = -INFINITY;
          else if (bias) row[j] += bias[j];
        }
      }
    if (a.softcap > 0)  // Gemma 2's attention soft-cap, on each head's row with the shared SIMD kernel
      for (int h = 0; h < hp; ++h) {
        float* row = scores + h * a.L;
        softcap(row + lo, a.softcap, hi - lo);
        if (a.key_mask)  // masked keys stay -inf (the cap would map them to -softcap)
          for (int64_t j = lo; j < hi; ++j)
            if (!a.key_mask[j]) row[j] = -INFINITY;
      }
    std::fill(out, out + hp * a.head_dim, 0.0f);
    // The SIMD softmax (vector exp); a head that sees no key gets all zeros, never NaN.
    for (int h = 0; h < hp; ++h) softmax(scores + h * a.L + lo, hi - lo);
    // Value rows in blocks of keys small enough to stay in L1 while every head of the item sums
    // them, each head's output held in registers across the block (not loaded and stored per key).
    constexpr int64_t kKeyBlock = 32;
    for (int64_t j0 = lo; j0 < hi; j0 += kKeyBlock) {
      const int64_t j1 = std::min(hi, j0 + kKeyBlock);
      ForHeadsInPasses<2>(hp, [&](auto heads, int h) {
        constexpr int H = decltype(heads)::value;
        const float* p[H];
        float* y[H];
        for (int i = 0; i < H; ++i) p[i] = scores + (h + i) * a.L, y[i] = out + (h + i) * a.head_dim;
        WeightedSum<H>(p, vbase, a.kv_pos_stride, j0, j1, a.head_dim, y);
      });
    }
  }
}

void AttendRange(const AttentionArgs& a, int hp, int64_t item0, int64_t item1, float* scores, const float* kt) {
  if (a.kv_dtype == DType::BF16) AttendRangeOf<BF16>(a, hp, item0, item1, scores, kt);
  else if (a.kv_dtype == DType::F16) AttendRangeOf<F16>(a, hp, item0, item1, scores, kt);
  else AttendRangeOf<float>(a, hp, item0, item1, scores, kt);
}

}  // namespace hf::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace hf::kernels {

HWY_EXPORT(AttendRange);
HWY_EXPORT(TransposeKeys);

// Queries from which the keys are transposed first (each tile then serves this many queries ×
// heads), and the most bytes that takes (beyond, e.g. a 32k-token cache of a large model, the
// per-key dot products need no extra memory).
constexpr int64_t kTransposeMinQueries = 16;
constexpr int64_t kTransposeMaxBytes = int64_t(64) << 20;

void attention(const AttentionArgs& a) {
  if (a.n_kv_heads <= 0 || a.n_heads % a.n_kv_heads != 0)
    throw Error("attention: " + std::to_string(a.n_heads) + " query heads is not a multiple of " +
                std::to_string(a.n_kv_heads) + " KV heads");
  if (a.causal && a.L < a.T) throw Error("attention: causal with fewer keys than queries");
  if (a.kv_dtype != DType::F32 && a.kv_dtype != DType::F16 && a.kv_dtype != DType::BF16)
    throw Error(std::string("attention: keys and values must be F32, F16 or BF16, not ") + dtype_name(a.kv_dtype));
  // Heads per item: the whole GQA group (each KV row read once for all of them) unless that
  // leaves fewer items than threads (decode with few KV heads on many cores); then the largest
  // divisor of the group that gives every thread an item.
  const int group = a.n_heads / a.n_kv_heads, threads = ThreadPool::global().size();
  int hp = group;
  while (hp > 1 && (group % hp != 0 || a.T * (a.n_heads / hp) < threads)) --hp;
  const int64_t items = a.T * (a.n_heads / hp);
  // Work of one item grows with the keys it sees; tiny problems stay on the calling thread.
  const bool threaded = a.T * a.n_heads * a.L * a.head_dim >= 32 * 1024;
  const int64_t tiles = (a.L + kKeyTile - 1) / kKeyTile;
  const int64_t kt_floats = a.n_kv_heads * tiles * kKeyTile * a.head_dim;
  // The calling thread's buffer, reached by the workers through this pointer (a lambda naming a
  // thread_local would find each worker's own).
  thread_local std::vector<float> kt_buffer;
  float* kt = nullptr;
  if (a.T >= kTransposeMinQueries && kt_floats * int64_t(sizeof(float)) <= kTransposeMaxBytes) {
    if (int64_t(kt_buffer.size()) < kt_floats) kt_buffer.resize(kt_floats);
    kt = kt_buffer.data();
    auto fill = [&](int64_t t0, int64_t t1) { HWY_DYNAMIC_DISPATCH(TransposeKeys)(a, t0, t1, kt); };
    if (threaded) ThreadPool::global().parallel_for(tiles, fill, 1);
    else fill(0, tiles);
  }
  const float* tiles_of_keys = kt;
  auto run = [&](int64_t i0, int64_t i1) {
    thread_local std::vector<float> scores;
    if (int64_t(scores.size()) < hp * a.L) scores.resize(hp * a.L);
    HWY_DYNAMIC_DISPATCH(AttendRange)(a, hp, i0, i1, scores.data(), tiles_of_keys);
  };
  if (threaded) ThreadPool::global().parallel_for(items, run, 1);
  else run(0, items);
}

}  // namespace hf::kernels
#endif
