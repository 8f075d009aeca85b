#pragma once
// The generation settings of the text2text-generation, summarization and translation pipelines,
// resolved as transformers 5.x does (pipelines/base.py `Pipeline.__init__` and
// pipelines/text2text_generation.py), in this order:
//
//   1. the model's generation config (generation_config.json, else config.json's generation keys);
//   2. the pipeline's defaults (max_new_tokens 256, num_beams 4) only for fields it leaves unset;
//   3. max_new_tokens dropped when it is still the pipeline's 256 and max_length is set and ≠ 20
//      (the model chose a total length: a distilbart-cnn's max_length 142 must not become 256 new);
//   4. config.task_specific_params[task] over that (AFTER step 3: t5-base's max_length 200 leaves
//      max_new_tokens 256 in place, and generate() lets max_new_tokens win); its "prefix" replaces
//      config.prefix;
//   5. the pipeline's construction kwargs, then the call's kwargs (done by the pipeline).
//
// transformers 4.5x differed in step 2 (a model value replaced a pipeline default only where
// that default equalled GenerationConfig()'s: a model's num_beams 6 gave 4 beams); hfcpp follows
// the current line.
#include <optional>
#include <string>

#include "hf/generation_config.h"
#include "hf/json.h"

namespace hf::pipelines {

struct Text2TextSettings {
  GenerationConfig generation;         // steps 1-4
  std::optional<std::string> prefix;   // prepended to every input text; nullopt = none
};

// `task`: the pipeline's task as transformers keys task_specific_params ("summarization",
// "translation_en_to_de", ...). `model_config`: config.json (an object; others are treated as {}).
// hf::ConfigError when task_specific_params[task] is not an object or holds a bad value.
Text2TextSettings resolve_text2text_settings(const std::string& task, const GenerationConfig& model_generation,
                                             const json& model_config);

// transformers' pipeline("translation", model=...) with a model whose task_specific_params hold
// translation_XX_to_YY keys: the first of them (with its UserWarning); else "translation".
std::string effective_translation_task(const std::string& task, const json& model_config);

}  // namespace hf::pipelines
