#include "io/model_weights.h"

#include "hf/error.h"
#include "io/safetensors.h"
#include "io/torch_bin.h"

namespace hf {

std::unique_ptr<WeightSource> open_model_weights(const std::filesystem::path& dir) {
  if (SafetensorsModel::present(dir)) return SafetensorsModel::open(dir);
  if (TorchBinModel::present(dir)) return TorchBinModel::open(dir);
  throw ModelError(dir.string() + ": no model.safetensors or pytorch_model.bin (download the model's weights)");
}

}  // namespace hf
