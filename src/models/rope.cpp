#include "models/rope.h"

#include <cmath>

namespace hf {

std::vector<double> rope_inv_freq(const ModelConfig& c, int64_t max_position) {
  const int64_t dim = c.head_dim, half = dim / 2;
  const RopeScaling& rs = c.rope_scaling;
  double base = c.rope_theta;
  if (rs.rope_type == "dynamic") {
    // NTK-aware: once seq_len = max position + 1 exceeds the trained context, grow the base.
    const double seq_len = static_cast<double>(max_position + 1);
    const double trained = static_cast<double>(rs.original_max_position_embeddings);
    if (seq_len > trained)
      base *= std::pow(rs.factor * seq_len / trained - (rs.factor - 1), double(dim) / double(dim - 2));
  }
  std::vector<double> inv(half);
  for (int64_t i = 0; i < half; ++i) inv[i] = 1.0 / std::pow(base, double(2 * i) / double(dim));
  if (rs.rope_type == "linear") {
    for (double& f : inv) f /= rs.factor;
  } else if (rs.rope_type == "llama3") {
    // Long wavelengths are slowed by `factor`, short ones kept, the band between interpolated.
    const double old_ctx = static_cast<double>(rs.original_max_position_embeddings);
    const double low_wavelen = old_ctx / rs.low_freq_factor, high_wavelen = old_ctx / rs.high_freq_factor;
    for (double& f : inv) {
      const double wavelen = 2 * M_PI / f;
      if (wavelen > low_wavelen) {
        f /= rs.factor;
      } else if (wavelen >= high_wavelen) {
        const double smooth = (old_ctx / wavelen - rs.low_freq_factor) / (rs.high_freq_factor - rs.low_freq_factor);
        f = (1 - smooth) * f / rs.factor + smooth * f;
      }
    }
  }
  return inv;
}

void rope_tables(const std::vector<double>& inv_freq, const int32_t* positions, int64_t n, float* cos, float* sin) {
  const int64_t half = static_cast<int64_t>(inv_freq.size());
  for (int64_t t = 0; t < n; ++t)
    for (int64_t i = 0; i < half; ++i) {
      const double angle = double(positions[t]) * inv_freq[i];
      cos[t * half + i] = static_cast<float>(std::cos(angle));
      sin[t * half + i] = static_cast<float>(std::sin(angle));
    }
}

}  // namespace hf
