// Scaled dot-product attention over a KV cache. Work is split over (query, head) pairs: each
// computes its scores with SIMD dot products, a softmax, then a weighted sum of value rows.
// Only the keys a query can see (causal limit, sliding window) are touched.
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

// Queries/heads [item0, item1) of a.T * a.n_heads; `scores` has room for a.L floats.
void AttendRange(const AttentionArgs& a, int64_t item0, int64_t item1, float* scores) {
  const int group = a.n_heads / a.n_kv_heads;
  for (int64_t item = item0; item < item1; ++item) {
    const int64_t t = item / a.n_heads;
    const int h = static_cast<int>(item % a.n_heads);
    const int64_t qpos = a.L - a.T + t;
    const int64_t hi = a.causal ? std::min(qpos + 1, a.L) : a.L;  // keys [lo, hi)
    const int64_t lo = a.window > 0 ? std::max<int64_t>(0, qpos - a.window + 1) : 0;
    const float* q = a.q + t * a.q_stride + int64_t(h) * a.head_dim;
    const float* kbase = a.k + (h / group) * a.kv_head_stride;
    const float* vbase = a.v + (h / group) * a.kv_head_stride;
    float* out = a.out + t * a.out_stride + int64_t(h) * a.head_dim;
    const float* bias_row = a.bias ? a.bias + h * a.bias_head_stride + t * a.bias_row_stride : nullptr;
    float mx = -INFINITY;
    for (int64_t j = lo; j < hi; ++j) {
      if (a.key_mask && !a.key_mask[j]) {
        scores[j] = -INFINITY;
        continue;
      }
      scores[j] = Dot(q, kbase + j * a.kv_pos_stride, a.head_dim) * a.scale;
      if (a.bias) scores[j] += bias_row[j];
      if (a.softcap > 0) scores[j] = a.softcap * std::tanh(scores[j] / a.softcap);
      mx = std::max(mx, scores[j]);
    }
    std::fill(out, out + a.head_dim, 0.0f);
    if (mx == -INFINITY) continue;  // nothing visible: zeros, never NaN
    float sum = 0;
    for (int64_t j = lo; j < hi; ++j) sum += (scores[j] = scores[j] == -INFINITY ? 0.0f : std::exp(scores[j] - mx));
    const float inv = 1.0f / sum;
    for (int64_t j = lo; j < hi; ++j)
      if (scores[j] != 0.0f) Axpy(scores[j] * inv, vbase + j * a.kv_pos_stride, out, a.head_dim);
  }
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
  const int64_t items = a.T * a.n_heads;
  auto run = [&](int64_t i0, int64_t i1) {
    thread_local std::vector<float> scores;
    if (int64_t(scores.size()) < a.L) scores.resize(a.L);
    HWY_DYNAMIC_DISPATCH(AttendRange)(a, i0, i1, scores.data());
  };
  // Work of one item grows with the keys it sees; tiny problems stay on the calling thread.
  if (items * a.L * a.head_dim < 32 * 1024) run(0, items);
  else ThreadPool::global().parallel_for(items, run, 1);
}

}  // namespace hf::kernels
#endif
