// AutoModelForCausalLM::from_pretrained: resolve the name, load weights and generation config.
#include <filesystem>

#include "hf/generation.h"

namespace hf {

AutoModelForCausalLM AutoModelForCausalLM::from_pretrained(const std::string& name, const HubOptions& hub,
                                                           const LoadOptions& load) {
  const std::filesystem::path dir = resolve_model(name, hub);
  auto model = load_causal_lm(dir, load);
  GenerationConfig gc;
  const auto gc_path = dir / "generation_config.json";
  if (std::filesystem::exists(gc_path)) {
    gc = GenerationConfig::from_file(gc_path);
  } else {
    // transformers derives a generation config from config.json's special-token ids.
    const ModelConfig& mc = model->config();
    if (mc.bos_token_id >= 0) gc.bos_token_id = static_cast<int32_t>(mc.bos_token_id);
    if (mc.pad_token_id >= 0) gc.pad_token_id = static_cast<int32_t>(mc.pad_token_id);
    if (!mc.eos_token_id.empty()) gc.eos_token_id = std::vector<int32_t>(mc.eos_token_id.begin(), mc.eos_token_id.end());
  }
  return AutoModelForCausalLM(std::move(model), std::move(gc));
}

}  // namespace hf
