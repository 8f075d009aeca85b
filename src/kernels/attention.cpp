// Scaled dot-product attention over a KV cache. Work is split over (query, group of heads that
// share a KV head) items: each computes its scores with SIMD dot products, a softmax per head,
// then a weighted sum of value rows.
// Only the keys a query can see (causal limit, sliding window) are touched. Keys and values may be
// float32 or a half-size cache (f16 / bf16): those are widened to float32 lanes as they are loaded,
// so scores and sums are computed in float32 either way and only the stored K/V are rounded.
#include "kernels/kernels.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/attention.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "kernels/simd-inl.h"

#if HWY_ONCE
#include <algorithm>
#include <cmath>
#include <vector>

#include "core/thread_pool.h"
#include "hf/error.h"
#include "kernels/kernels.h"
#endif

HWY_BEFORE_NAMESPACE();
namespace hf::kernels::HWY_NAMESPACE {

// y[0, n) += Σ_{j0 ≤ j < j1} p[j] · v[j * stride + (0..n)], four vectors of y in registers at a time.
template <class T>
HWY_INLINE void WeightedSum(const float* p, const T* v, int64_t stride, int64_t j0, int64_t j1, int64_t n, float* y) {
  const DF d;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  int64_t i = 0;
  for (; i + 4 * N <= n; i += 4 * N) {
    VF y0 = hn::LoadU(d, y + i), y1 = hn::LoadU(d, y + i + N), y2 = hn::LoadU(d, y + i + 2 * N),
       y3 = hn::LoadU(d, y + i + 3 * N);
    for (int64_t j = j0; j < j1; ++j) {
      const VF pj = hn::Set(d, p[j]);
      const T* vj = v + j * stride + i;
      y0 = hn::MulAdd(pj, LoadWidened(d, vj), y0);
      y1 = hn::MulAdd(pj, LoadWidened(d, vj + N), y1);
      y2 = hn::MulAdd(pj, LoadWidened(d, vj + 2 * N), y2);
      y3 = hn::MulAdd(pj, LoadWidened(d, vj + 3 * N), y3);
    }
    hn::StoreU(y0, d, y + i), hn::StoreU(y1, d, y + i + N), hn::StoreU(y2, d, y + i + 2 * N), hn::StoreU(y3, d, y + i + 3 * N);
  }
  if (i < n)  // the remaining dims (head_dim not a multiple of four vectors)
    for (int64_t j = j0; j < j1; ++j) Axpy(p[j], v + j * stride + i, y + i, n - i);
}

// Items [item0, item1) of a.T * a.n_heads / hp: item i is query t = i / (n_heads / hp) for the
// hp consecutive query heads starting at h0 = (i % (n_heads / hp)) * hp, which share one KV head
// (hp divides the GQA group). Each key and value row is read once for all hp heads: at depth the
// cache does not fit in L2, and reading it once per query head made decode stream it 7 times
// (Qwen2.5: 14 heads over 2 KV heads). `scores` has room for hp * a.L floats.
template <class T>
void AttendRangeOf(const AttentionArgs& a, int hp, int64_t item0, int64_t item1, float* scores) {
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
    for (int64_t j = lo; j < hi; ++j) {
      if (a.key_mask && !a.key_mask[j]) {
        for (int h = 0; h < hp; ++h) scores[h * a.L + j] = -INFINITY;
        continue;
      }
      const T* kj = kbase + j * a.kv_pos_stride;
      for (int h = 0; h < hp; ++h) {
        float sc = Dot(q + h * a.head_dim, kj, a.head_dim) * a.scale;
        if (a.bias) sc += a.bias[(h0 + h) * a.bias_head_stride + t * a.bias_row_stride + j];
        scores[h * a.L + j] = sc;
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
      for (int h = 0; h < hp; ++h)
        WeightedSum(scores + h * a.L, vbase, a.kv_pos_stride, j0, j1, a.head_dim, out + h * a.head_dim);
    }
  }
}

void AttendRange(const AttentionArgs& a, int hp, int64_t item0, int64_t item1, float* scores) {
  if (a.kv_dtype == DType::BF16) AttendRangeOf<BF16>(a, hp, item0, item1, scores);
  else if (a.kv_dtype == DType::F16) AttendRangeOf<F16>(a, hp, item0, item1, scores);
  else AttendRangeOf<float>(a, hp, item0, item1, scores);
}

}  // namespace hf::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace hf::kernels {

HWY_EXPORT(AttendRange);

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
  auto run = [&](int64_t i0, int64_t i1) {
    thread_local std::vector<float> scores;
    if (int64_t(scores.size()) < hp * a.L) scores.resize(hp * a.L);
    HWY_DYNAMIC_DISPATCH(AttendRange)(a, hp, i0, i1, scores.data());
  };
  // Work of one item grows with the keys it sees; tiny problems stay on the calling thread.
  if (a.T * a.n_heads * a.L * a.head_dim < 32 * 1024) run(0, items);
  else ThreadPool::global().parallel_for(items, run, 1);
}

}  // namespace hf::kernels
#endif
