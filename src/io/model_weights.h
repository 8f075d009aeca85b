#pragma once
// Which weight file of a model folder to load, for every architecture: safetensors when the
// folder has them (single or sharded), else pytorch_model.bin through the restricted reader —
// the order transformers' from_pretrained prefers.
#include <filesystem>
#include <memory>

#include "io/weight_source.h"

namespace hf {

// hf::ModelError naming the folder when it holds neither format.
std::unique_ptr<WeightSource> open_model_weights(const std::filesystem::path& dir);

}  // namespace hf
