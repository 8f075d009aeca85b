#pragma once
// tiny-qwen2 fixture access shared by the generation tests.
#include <fstream>
#include <memory>
#include <vector>

#include "core/json.h"
#include "hf/causal_lm.h"
#include "hf/generation_config.h"

namespace fixture {

inline const char* kDir = HF_FIXTURES "/tiny-qwen2";

inline const hf::json& expected() {
  static const hf::json j = hf::read_json_file(std::string(kDir) + "/expected.json");
  return j;
}

inline const hf::json& find_case(const std::string& name) {
  for (const auto& c : expected()["cases"])
    if (c["name"] == name) return c;
  throw std::runtime_error("no case " + name);
}

inline std::shared_ptr<const hf::CausalLM> model() {
  static auto m = hf::load_causal_lm(kDir);
  return m;
}

inline hf::GenerationConfig model_generation_config() {
  return hf::GenerationConfig::from_file(std::string(kDir) + "/generation_config.json");
}

inline std::vector<int32_t> ids_of(const hf::json& a) { return a.get<std::vector<int32_t>>(); }

}  // namespace fixture
