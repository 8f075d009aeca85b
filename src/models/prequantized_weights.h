#pragma once
// Checkpoints quantized before they reached the Hub (GPTQ, AWQ: config.json's
// "quantization_config"), loaded as shipped: a WeightSource that answers `<layer>.weight` for
// every packed `<layer>.qweight`, so the model binds them by the same names as bf16 weights.
#include <memory>
#include <string>

#include "hf/json.h"
#include "io/weight_source.h"

namespace hf {

// `weights` itself when `config` (config.json, named `where` in messages) has no
// quantization_config. Otherwise every packed layer
// comes out exactly as its integers and scales describe it, in the most compact format that holds
// it without rounding: Q4_0 when every q - zero fits -8..7 (symmetric 4-bit GPTQ), else Q8_0
// (AWQ's and asymmetric GPTQ's zero points, 8-bit GPTQ within -127..127), both only when each
// block of 32 inputs shares one group and the scales are f16 (group sizes of 32, 64, 128 ...);
// F32 otherwise (act-order groups that cut blocks, odd row lengths). hf::ConfigError for a
// quantization_config hfcpp cannot load; hf::ModelError for packed tensors that contradict it.
std::shared_ptr<const WeightSource> prequantized_weights(std::shared_ptr<const WeightSource> weights,
                                                         const json& config, const std::string& where);

}  // namespace hf
