// libFuzzer target: config.json of a decoder model (ModelConfig) and generation_config.json.
// Every input must either parse or fail with hf::Error.
#include <cstddef>
#include <cstdint>
#include <string>

#include "hf/error.h"
#include "hf/generation_config.h"
#include "hf/model_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    hf::ModelConfig::from_json_text(text, "config.json");
  } catch (const hf::Error&) {
  }
  try {
    hf::GenerationConfig::from_json_text(text, "generation_config.json");
  } catch (const hf::Error&) {
  }
  return 0;
}
