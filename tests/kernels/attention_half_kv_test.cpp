// Attention over an f16 / bf16 KV cache: the SIMD kernel (keys and values widened in registers)
// against its scalar twin on the same rounded values, on every SIMD target this CPU runs; and the
// rounding is real (the result moves off the float32 one, by about the halves' precision).
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "hf/error.h"
#include "kernels/kernels.h"
#include "kernels/reference.h"
#include "random_data.h"

namespace hf::kernels {
namespace {
using testing::random_vector;

std::vector<uint16_t> rounded(const std::vector<float>& x, DType t) {
  std::vector<uint16_t> h(x.size());
  for (size_t i = 0; i < x.size(); ++i) h[i] = t == DType::BF16 ? f32_to_bf16(x[i]) : f32_to_f16(x[i]);
  return h;
}

double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  double m = 0;
  for (size_t i = 0; i < a.size(); ++i) m = std::max(m, double(std::fabs(a[i] - b[i])));
  return m;
}

struct Case {
  int64_t T, L;
  int heads, kv_heads, head_dim;
  int64_t window;
};

// q, k, v for one case; K/V in the cache layout [kv_head][position][dim] with spare capacity.
struct Data {
  Data(const Case& c, uint32_t seed)
      : cap(c.L + 5),
        q(random_vector(c.T * c.heads * c.head_dim, seed)),
        k(random_vector(c.kv_heads * cap * c.head_dim, seed + 1, 2.0f)),
        v(random_vector(c.kv_heads * cap * c.head_dim, seed + 2)) {}
  AttentionArgs args(const Case& c) const {
    AttentionArgs a;
    a.q = q.data();
    a.q_stride = c.heads * c.head_dim;
    a.kv_head_stride = cap * c.head_dim;
    a.kv_pos_stride = c.head_dim;
    a.out_stride = c.heads * c.head_dim;
    a.T = c.T, a.L = c.L, a.n_heads = c.heads, a.n_kv_heads = c.kv_heads, a.head_dim = c.head_dim;
    a.scale = 1.0f / std::sqrt(float(c.head_dim));
    a.window = c.window;
    return a;
  }
  int64_t cap;
  std::vector<float> q, k, v;
};

// Decode with whole GQA groups (7 heads a KV head: value rows summed two heads at a time, then
// one), fewer queries than the key tiles need, tiles with a window, and tiles for a group of 7
// (scores 4 + 2 + 1 heads at a time with AVX-512, 2 + 2 + 2 + 1 below it) past a partial tile.
const Case kCases[] = {{1, 1, 2, 1, 16},        {1, 700, 14, 2, 64}, {7, 40, 8, 2, 37},
                       {30, 30, 4, 4, 128, 9}, {1, 300, 4, 1, 64},  {20, 45, 14, 2, 64}};

void expect_matches_reference(DType t, const std::string& where) {
  for (const Case& c : kCases) {
    SCOPED_TRACE(where + " " + dtype_name(t) + " T" + std::to_string(c.T) + " L" + std::to_string(c.L) + " hd" +
                 std::to_string(c.head_dim));
    const Data d(c, 40);
    const std::vector<uint16_t> k = rounded(d.k, t), v = rounded(d.v, t);
    AttentionArgs a = d.args(c);
    a.k = k.data(), a.v = v.data(), a.kv_dtype = t;
    std::vector<float> out(c.T * c.heads * c.head_dim, 9.0f), ref(out.size());
    a.out = out.data();
    attention(a);
    a.out = ref.data();
    reference::attention(a);
    EXPECT_LT(max_abs_diff(out, ref), 2e-5) << "the SIMD kernel reads the halves as its scalar twin does";
  }
}

TEST(AttentionHalfKV, MatchesItsScalarTwinOnEveryTarget) {
  int targets = 0;
  for_each_simd_target([&](const char* target) {
    ++targets;
    for (DType t : {DType::F16, DType::BF16}) expect_matches_reference(t, target);
  });
  EXPECT_GE(targets, 1);
}

// The same inputs through a float32 cache and a rounded one: different (the kernel really reads
// the rounded halves, not some float copy), by no more than the rounding can explain (bf16 keeps
// 8 significant bits, f16 11; values here are O(1), outputs a convex mix of value rows).
TEST(AttentionHalfKV, DiffersFromFloat32ByTheRoundingOnly) {
  const Case c{4, 200, 14, 2, 64};
  const Data d(c, 7);
  AttentionArgs a = d.args(c);
  std::vector<float> exact(c.T * c.heads * c.head_dim), half(exact.size());
  a.k = d.k.data(), a.v = d.v.data(), a.out = exact.data();
  attention(a);
  for (auto [t, bound] : {std::pair{DType::BF16, 3e-2}, std::pair{DType::F16, 4e-3}}) {
    const std::vector<uint16_t> k = rounded(d.k, t), v = rounded(d.v, t);
    a.k = k.data(), a.v = v.data(), a.kv_dtype = t, a.out = half.data();
    attention(a);
    const double diff = max_abs_diff(exact, half);
    EXPECT_GT(diff, 0.0) << dtype_name(t);
    EXPECT_LT(diff, bound) << dtype_name(t);
  }
}

TEST(AttentionHalfKV, OtherDtypesAreAnError) {
  float q[4] = {1, 2, 3, 4}, kv[8] = {}, out[4];
  AttentionArgs a;
  a.q = q, a.q_stride = 4, a.k = kv, a.v = kv, a.kv_head_stride = 8, a.kv_pos_stride = 4, a.out = out, a.out_stride = 4;
  a.T = 1, a.L = 2, a.n_heads = 1, a.n_kv_heads = 1, a.head_dim = 4, a.scale = 0.5f, a.kv_dtype = DType::I8;
  EXPECT_THROW(attention(a), Error);
}

}  // namespace
}  // namespace hf::kernels
