#include "models/rope.h"

#include <cmath>

namespace hf {

std::vector<double> rope_inv_freq(const ModelConfig& c, int64_t max_position, bool local) {
  const int64_t dim = c.rotary_dim(), half = dim / 2;
  if (local && c.rope_local_base_freq > 0) {
    std::vector<double> inv(half);
    for (int64_t i = 0; i < half; ++i) inv[i] = 1.0 / std::pow(c.rope_local_base_freq, double(2 * i) / double(dim));
    return inv;
  }
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
  if (rs.rope_type == "longrope") {
    // The long factors once the forward's sequence (largest position + 1) outgrows the original context.
    const auto& ext = max_position + 1 > rs.original_max_position_embeddings ? rs.long_factor : rs.short_factor;
    for (int64_t i = 0; i < half; ++i) inv[i] /= ext[i];
  } else if (rs.rope_type == "linear") {
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

double rope_attention_factor(const ModelConfig& c, bool local) {
  const bool own_local = local && c.rope_local_base_freq > 0;
  return !own_local && c.rope_scaling.rope_type == "longrope" ? c.rope_scaling.attention_factor : 1.0;
}

void rope_tables(const std::vector<double>& inv_freq, const int32_t* positions, int64_t n, float* cos, float* sin,
                 double factor) {
  const int64_t half = static_cast<int64_t>(inv_freq.size());
  for (int64_t t = 0; t < n; ++t)
    for (int64_t i = 0; i < half; ++i) {
      const double angle = double(positions[t]) * inv_freq[i];
      cos[t * half + i] = static_cast<float>(std::cos(angle) * factor);
      sin[t * half + i] = static_cast<float>(std::sin(angle) * factor);
    }
}

}  // namespace hf
