// Generation settings of the text2text family of pipelines (see text2text_settings.h).
#include "pipelines/text2text_settings.h"

#include "core/log.h"
#include "pipelines/text_generation.h"

namespace hf::pipelines {

Text2TextSettings resolve_text2text_settings(const std::string& task, const GenerationConfig& model_generation,
                                             const json& model_config) {
  // Text2TextGenerationPipeline._default_generation_config (shared by summarization, translation).
  const GenerationConfig pipeline_defaults{.max_new_tokens = 256, .num_beams = 4};
  Text2TextSettings s;
  s.generation = model_generation.merged_over(pipeline_defaults);
  const GenerationConfig& g = s.generation;
  if (g.max_new_tokens == pipeline_defaults.max_new_tokens && g.max_length && *g.max_length != 20)
    s.generation.max_new_tokens.reset();

  // (4) task_specific_params[task] over that: generation_config.update(**params), and the prefix.
  const TaskParams t = task_params(task, model_config);
  s.generation = t.generation.merged_over(s.generation);
  s.prefix = t.prefix;
  return s;
}

std::string effective_translation_task(const std::string& task, const json& model_config) {
  if (task != "translation" || !model_config.is_object() || !model_config.contains("task_specific_params")) return task;
  const json& params = model_config["task_specific_params"];
  if (!params.is_object()) return task;
  for (const auto& [key, value] : params.items())
    if (key.rfind("translation", 0) == 0) {
      warn("\"translation\" task was used, instead of \"translation_XX_to_YY\", defaulting to \"" + key + "\"");
      return key;
    }
  return task;
}

}  // namespace hf::pipelines
