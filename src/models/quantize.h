#pragma once
// Load-time quantization (LoadOptions::quantization): a WeightSource that hands out the model's
// matrices already quantized, so the model binds Q8_0 / Q4_0 tensors by their Hugging Face names
// exactly as it binds bf16 ones.
#include <memory>

#include "hf/causal_lm.h"
#include "io/weight_source.h"

namespace hf {

// The dtype the options ask for: F32 means "as stored". hf::ConfigError for an unknown value or
// contradictory spellings (load_in_8bit with load_in_4bit, or with another quantization).
DType quantization_dtype(const LoadOptions& options);

// What `quantized_weights` makes of the tensor `t` named `name` for the requested `type`: Q8_0
// for the embedding and lm_head, `type` for a projection matrix (`*_proj.weight`), and t's own
// dtype for everything else and for matrices the kernels cannot quantize (rows not a multiple of 64).
DType quantized_type_of(const std::string& name, const Tensor& t, DType type);

// `weights` itself when the options ask for no quantization; otherwise a source whose projection
// matrices (`*_proj.weight`), embedding and lm_head come out quantized (the embedding and lm_head
// in Q8_0 even for int4, as llama.cpp keeps its output layer at 6 to 8 bits: logits are the most
// sensitive product). Everything else passes through unchanged.
std::shared_ptr<const WeightSource> quantized_weights(std::shared_ptr<const WeightSource> weights,
                                                      const ModelConfig& config, const LoadOptions& options);

}  // namespace hf
