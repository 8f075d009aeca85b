// load_causal_lm: config.json picks the architecture; the weights are safetensors or pytorch_model.bin.
#include <memory>

#include "hf/causal_lm.h"
#include "hf/error.h"
#include "io/model_weights.h"
#include "models/decoder_lm.h"
#include "models/quantize.h"

namespace hf {

std::shared_ptr<const CausalLM> load_causal_lm(const std::filesystem::path& dir, const LoadOptions& options) {
  if (!std::filesystem::is_directory(dir)) throw FileError(dir.string() + ": not a model folder");
  ModelConfig config = ModelConfig::from_file(dir / "config.json");
  std::shared_ptr<const WeightSource> weights = quantized_weights(open_model_weights(dir), config, options);
  return std::make_shared<DecoderLM>(std::move(config), std::move(weights));
}

}  // namespace hf
