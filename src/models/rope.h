#pragma once
// Rotary position embedding frequencies and tables, with the scalings of transformers'
// ROPE_INIT_FUNCTIONS (default, linear, dynamic, llama3, longrope). The rotation itself is a kernel
// (kernels::rope); which angle each position gets is a model concern and lives here.
#include <cstdint>
#include <vector>

#include "hf/model_config.h"

namespace hf {

// inv_freq[i] for i < rotary_dim / 2, for a forward whose largest position is `max_position`
// ("dynamic" rescales the base once the sequence outgrows max_position_embeddings; "longrope"
// switches to its long factors). `local`: a sliding layer of a model with rope_local_base_freq
// (Gemma 3), whose RoPE has that base and no scaling.
std::vector<double> rope_inv_freq(const ModelConfig& config, int64_t max_position, bool local = false);

// The factor on cos and sin (longrope's attention factor; 1 otherwise).
double rope_attention_factor(const ModelConfig& config, bool local = false);

// cos/sin tables [n, inv_freq.size()] for positions[0..n): angle = position * inv_freq[i], both
// multiplied by `factor`.
void rope_tables(const std::vector<double>& inv_freq, const int32_t* positions, int64_t n, float* cos, float* sin,
                 double factor = 1.0);

}  // namespace hf
