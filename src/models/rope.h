#pragma once
// Rotary position embedding frequencies and tables, with the scalings of transformers'
// ROPE_INIT_FUNCTIONS (default, linear, dynamic, llama3). The rotation itself is a kernel
// (kernels::rope); which angle each position gets is a model concern and lives here.
#include <cstdint>
#include <vector>

#include "hf/model_config.h"

namespace hf {

// inv_freq[i] for i < head_dim / 2, for a forward whose largest position is `max_position`
// ("dynamic" rescales the base once the sequence outgrows max_position_embeddings).
std::vector<double> rope_inv_freq(const ModelConfig& config, int64_t max_position);

// cos/sin tables [n, head_dim / 2] for positions[0..n): angle = position * inv_freq[i].
void rope_tables(const std::vector<double>& inv_freq, const int32_t* positions, int64_t n, float* cos, float* sin);

}  // namespace hf
