// Attention with soft-capped scores (Gemma 2's attn_logit_softcapping): the dispatched kernel
// against its scalar twin, and the twin against the definition on a case small enough to write out.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "kernels/kernels.h"
#include "kernels/reference.h"

namespace hf::kernels {
namespace {

TEST(AttentionSoftcap, ScoresAreCappedBeforeTheSoftmax) {
  // One query, two keys: scores 0.5 · (q·k) = 0.5 · 20 = 10 and 0.5 · 4 = 2, capped at 4.
  float q[2] = {2, 2}, k[4] = {5, 5, 1, 1}, v[4] = {1, 0, 0, 1}, out[2], ref[2];
  AttentionArgs a;
  a.q = q, a.q_stride = 2, a.k = k, a.v = v, a.kv_head_stride = 4, a.kv_pos_stride = 2, a.out_stride = 2;
  a.T = 1, a.L = 2, a.n_heads = 1, a.n_kv_heads = 1, a.head_dim = 2, a.scale = 0.5f, a.softcap = 4;
  a.out = ref;
  reference::attention(a);
  const double s0 = 4 * std::tanh(10.0 / 4), s1 = 4 * std::tanh(2.0 / 4);
  const double w0 = 1 / (1 + std::exp(s1 - s0));
  EXPECT_NEAR(ref[0], w0, 1e-6);
  EXPECT_NEAR(ref[1], 1 - w0, 1e-6);
  a.out = out;
  attention(a);
  EXPECT_NEAR(out[0], ref[0], 1e-6);
  EXPECT_NEAR(out[1], ref[1], 1e-6);
}

TEST(AttentionSoftcap, MatchesReferenceWithWindowMaskAndGqa) {
  const int64_t T = 17, L = 30, cap = 32;  // 16+ queries: the transposed-key path
  const int heads = 4, kv_heads = 2, hd = 16;
  std::mt19937 rng(3);
  std::normal_distribution<float> d(0, 1.5f);
  std::vector<float> q(T * heads * hd), k(kv_heads * cap * hd), v(kv_heads * cap * hd);
  for (auto* vec : {&q, &k, &v})
    for (float& x : *vec) x = d(rng);
  std::vector<uint8_t> mask(L, 1);
  mask[3] = mask[25] = 0;
  AttentionArgs a;
  a.q = q.data(), a.q_stride = heads * hd, a.k = k.data(), a.v = v.data(), a.kv_head_stride = cap * hd, a.kv_pos_stride = hd;
  a.out_stride = heads * hd, a.T = T, a.L = L, a.n_heads = heads, a.n_kv_heads = kv_heads, a.head_dim = hd;
  a.scale = 0.25f, a.window = 7, a.key_mask = mask.data(), a.softcap = 2.5f;
  std::vector<float> out(T * heads * hd), ref(out.size()), uncapped(out.size());
  a.out = out.data();
  attention(a);
  a.out = ref.data();
  reference::attention(a);
  for (size_t i = 0; i < out.size(); ++i) EXPECT_NEAR(out[i], ref[i], 1e-5) << i;
  a.softcap = 0;
  a.out = uncapped.data();
  reference::attention(a);
  double moved = 0;
  for (size_t i = 0; i < out.size(); ++i) moved = std::max(moved, double(std::abs(uncapped[i] - ref[i])));
  EXPECT_GT(moved, 0.05);  // the cap changes the result on these scores
}

}  // namespace
}  // namespace hf::kernels
