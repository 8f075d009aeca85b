// AutoModelForCausalLM: a loaded decoder-only model plus its generation config.
#include <filesystem>

#include "hf/error.h"
#include "hf/generation.h"

namespace hf {

AutoModelForCausalLM::AutoModelForCausalLM(std::shared_ptr<const CausalLM> model, GenerationConfig generation_config)
    : model_(std::move(model)), generation_config_(std::move(generation_config)) {
  if (!model_) throw InputError("AutoModelForCausalLM: no model");
}

GenerateOutput AutoModelForCausalLM::generate(const BatchEncoding& inputs, const GenerationConfig& config) const {
  return hf::generate(*model_, inputs, config, generation_config_);
}

GenerateOutput AutoModelForCausalLM::generate(const std::vector<std::vector<int32_t>>& input_ids,
                                              const GenerationConfig& config) const {
  BatchEncoding in;
  in.input_ids = input_ids;
  return generate(in, config);
}

}  // namespace hf
