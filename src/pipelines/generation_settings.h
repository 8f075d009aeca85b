#pragma once
// The generation settings of every pipeline that calls generate() (text-generation,
// text2text-generation, summarization, translation), resolved by transformers' one rule
// (pipelines/base.py `Pipeline.__init__`, the same in 4.5x and 5.x), in this order:
//
//   1. the pipeline's defaults (its `_default_generation_config`); the model's generation config
//      fills only the fields they leave unset (`_prepare_generation_config(generation_config=
//      pipeline defaults)`: 5.x `update(**model, defaults_only=True)`; 4.5x replaced a pipeline
//      value only where it equalled GenerationConfig()'s, and every pipeline default differs);
//   2. the construction kwargs over that (the same call consumes them);
//   3. max_new_tokens dropped when it is still the pipeline's default and max_length is set and
//      ≠ 20 (the model or the construction chose a total length: distilbart-cnn's 142);
//   4. config.task_specific_params[task] updates the result — AFTER the construction kwargs and
//      step 3 (GPT-2's max_length 50 leaves the 256 new tokens, which win in generate(); a
//      construction num_beams 2 loses to t5-base summarization's 4); its "prefix" replaces
//      config.prefix;
//   5. the call's kwargs over everything (call_config of each pipeline).
#include <optional>
#include <string>

#include "hf/generation_config.h"
#include "hf/json.h"

namespace hf::pipelines {

// What the model's config.json asks of the pipeline of `task`: its "prefix", replaced by
// task_specific_params[task]["prefix"], and the generation values of task_specific_params[task].
// hf::ConfigError when task_specific_params[task] is not an object or holds a bad value.
struct TaskParams {
  GenerationConfig generation;
  std::optional<std::string> prefix;  // prepended to every text input; nullopt = none
};
TaskParams task_params(const std::string& task, const json& model_config);

struct GenerationSettings {
  GenerationConfig generation;        // steps 1-4
  std::optional<std::string> prefix;  // prepended to every text input; nullopt = none
};

// `task`: as transformers keys task_specific_params ("text-generation", "summarization",
// "translation_en_to_de", ...). `model_config`: config.json (an object; others are treated as {}).
GenerationSettings resolve_generation_settings(const std::string& task, const GenerationConfig& pipeline_defaults,
                                               const GenerationConfig& model_generation,
                                               const GenerationConfig& construction, const json& model_config);

}  // namespace hf::pipelines
