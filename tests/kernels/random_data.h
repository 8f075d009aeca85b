#pragma once
// Random test data shared by the kernel tests.
#include <cstdint>
#include <random>
#include <vector>

namespace hf::kernels::testing {

// n normal values of standard deviation `scale`, the same for the same seed.
inline std::vector<float> random_vector(int64_t n, uint32_t seed, float scale = 1.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, scale);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(rng);
  return v;
}

}  // namespace hf::kernels::testing
