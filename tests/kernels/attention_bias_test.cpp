// Attention with an additive score bias (T5's relative position bias): the dispatched kernel
// against its scalar twin, and the twin against the definition on a case small enough to write out.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "kernels/kernels.h"
#include "kernels/reference.h"

namespace hf::kernels {
namespace {

TEST(AttentionBias, BiasIsAddedToTheScaledScores) {
  // One query, two keys: scores 0.5 · (q·k) = 2 and 2, biases +1 and -1 → softmax of [3, 1].
  float q[2] = {1, 1}, k[4] = {2, 2, 2, 2}, v[4] = {1, 0, 0, 1}, bias[2] = {1, -1}, out[2], ref[2];
  AttentionArgs a;
  a.q = q, a.q_stride = 2, a.k = k, a.v = v, a.kv_head_stride = 4, a.kv_pos_stride = 2, a.out_stride = 2;
  a.T = 1, a.L = 2, a.n_heads = 1, a.n_kv_heads = 1, a.head_dim = 2, a.scale = 0.5f, a.causal = false;
  a.bias = bias, a.bias_head_stride = 2, a.bias_row_stride = 2;
  a.out = ref;
  reference::attention(a);
  const double w0 = 1 / (1 + std::exp(-2.0));
  EXPECT_NEAR(ref[0], w0, 1e-6);
  EXPECT_NEAR(ref[1], 1 - w0, 1e-6);
  a.out = out;
  attention(a);
  EXPECT_NEAR(out[0], ref[0], 1e-6);
  EXPECT_NEAR(out[1], ref[1], 1e-6);
}

TEST(AttentionBias, MatchesReferenceOnEveryTargetWithCausalMaskAndHeads) {
  const int64_t T = 17, L = 24;  // 16+ queries: the transposed-key path
  const int heads = 3, hd = 8;
  std::mt19937 rng(5);
  std::normal_distribution<float> d(0, 1.0f);
  std::vector<float> q(T * heads * hd), k(L * heads * hd), v(L * heads * hd), bias(heads * T * L);
  for (auto* vec : {&q, &k, &v, &bias})
    for (float& x : *vec) x = d(rng);
  std::vector<uint8_t> mask(L, 1);
  mask[2] = 0;
  AttentionArgs a;
  a.q = q.data(), a.q_stride = heads * hd, a.k = k.data(), a.v = v.data(), a.kv_head_stride = hd;
  a.kv_pos_stride = heads * hd, a.out_stride = heads * hd, a.T = T, a.L = L, a.n_heads = heads, a.n_kv_heads = heads;
  a.head_dim = hd, a.scale = 1.0f, a.causal = true, a.key_mask = mask.data();
  a.bias = bias.data(), a.bias_head_stride = T * L, a.bias_row_stride = L;
  std::vector<float> ref(T * heads * hd), unbiased(ref.size());
  a.out = ref.data();
  reference::attention(a);
  for_each_simd_target([&](const char* target) {
    std::vector<float> out(ref.size());
    a.out = out.data();
    attention(a);
    for (size_t i = 0; i < out.size(); ++i) EXPECT_NEAR(out[i], ref[i], 1e-5) << target << " " << i;
  });
  a.bias = nullptr;
  a.out = unbiased.data();
  reference::attention(a);
  double moved = 0;
  for (size_t i = 0; i < ref.size(); ++i) moved = std::max(moved, double(std::abs(unbiased[i] - ref[i])));
  EXPECT_GT(moved, 0.05);  // the bias changes the result
}

}  // namespace
}  // namespace hf::kernels
