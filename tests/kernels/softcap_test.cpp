// kernels::softcap (Gemma 2's final-logit soft-capping, cap · tanh(x / cap)) against its scalar
// twin on every compiled SIMD target, odd lengths and values far past the cap.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "kernels/kernels.h"
#include "kernels/reference.h"
#include "random_data.h"

namespace hf::kernels {
namespace {

TEST(Softcap, EveryTargetMatchesTheScalarTwin) {
  int targets = 0;
  for_each_simd_target([&](const char* target) {
    ++targets;
    for (int64_t n : {1, 7, 16, 45, 1001}) {
      std::vector<float> x = testing::random_vector(n, uint32_t(n), 40.0f);  // |x| up to ~5 caps
      x[0] = 1e6f;                                                           // saturates to the cap
      auto got = x, want = x;
      softcap(got.data(), 30.0f, n);
      reference::softcap(want.data(), 30.0f, n);
      for (int64_t i = 0; i < n; ++i) {
        ASSERT_NEAR(got[i], want[i], 2e-6f * 30.0f) << target << " n=" << n << " i=" << i << " x=" << x[i];
        ASSERT_LE(std::fabs(got[i]), 30.0f);
      }
    }
  });
  EXPECT_GE(targets, 1);
}

TEST(Softcap, IsTheIdentityNearZeroAndOdd) {
  std::vector<float> x = {1e-3f, -1e-3f, 0.0f, 45.0f, -45.0f};
  softcap(x.data(), 50.0f, 5);
  EXPECT_NEAR(x[0], 1e-3f, 1e-9f);
  EXPECT_EQ(x[2], 0.0f);
  EXPECT_FLOAT_EQ(x[0], -x[1]);
  EXPECT_FLOAT_EQ(x[3], -x[4]);
  EXPECT_NEAR(x[3], 50.0f * std::tanh(0.9f), 1e-4f);
}

}  // namespace
}  // namespace hf::kernels
