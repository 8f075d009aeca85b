#include <gtest/gtest.h>

#include <cmath>

#include "core/thread_pool.h"
#include "hf/error.h"
#include "hf/tensor.h"

namespace hf {
namespace {

TEST(Tensor, Bf16RoundTripIsExactForRepresentableValues) {
  for (float v : {0.0f, 1.0f, -2.5f, 0.15625f, 1e30f, -1e-30f}) {
    uint16_t b = f32_to_bf16(v);
    EXPECT_EQ(bf16_to_f32(b), bf16_to_f32(f32_to_bf16(bf16_to_f32(b))));
  }
  EXPECT_EQ(bf16_to_f32(f32_to_bf16(1.0f)), 1.0f);
  // Round to nearest even: 1 + 2^-8 lies halfway between 1 and 1 + 2^-7.
  EXPECT_EQ(bf16_to_f32(f32_to_bf16(1.0f + std::ldexp(1.0f, -8))), 1.0f);
}

TEST(Tensor, F16ConversionsMatchKnownBitPatterns) {
  EXPECT_EQ(f16_to_f32(0x3c00), 1.0f);
  EXPECT_EQ(f16_to_f32(0xc000), -2.0f);
  EXPECT_EQ(f16_to_f32(0x0001), std::ldexp(1.0f, -24));  // smallest subnormal
  EXPECT_EQ(f32_to_f16(65504.0f), 0x7bff);
  EXPECT_EQ(f32_to_f16(1.0f), 0x3c00);
  EXPECT_TRUE(std::isinf(f16_to_f32(0x7c00)));
  for (uint32_t h = 0; h < 0x7c00; h += 7) EXPECT_EQ(f32_to_f16(f16_to_f32(h)), h);
}

TEST(Tensor, ViewsShareBytesAndCheckShapes) {
  Tensor t = Tensor::zeros(DType::F32, {4, 3});
  t.mutable_data_as<float>()[7] = 5.0f;
  Tensor r = t.rows(2, 4);
  EXPECT_EQ(r.shape(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(r.data_as<float>()[1], 5.0f);
  EXPECT_THROW(t.reshaped({5, 3}), Error);
  EXPECT_THROW(t.rows(3, 5), Error);
  EXPECT_EQ(t.reshaped({12}).to_f32()[7], 5.0f);
}

TEST(ThreadPool, CoversEveryIndexExactlyOnce) {
  ThreadPool pool(3);
  for (int64_t n : {1, 2, 3, 7, 64, 1001}) {
    std::vector<std::atomic<int>> hits(n);
    for (int rep = 0; rep < 50; ++rep)
      pool.parallel_for(n, [&](int64_t b, int64_t e) { for (int64_t i = b; i < e; ++i) hits[i]++; }, 4);
    for (int64_t i = 0; i < n; ++i) EXPECT_EQ(hits[i].load(), 50) << "n=" << n << " i=" << i;
  }
}

}  // namespace
}  // namespace hf
