// Generation settings of the text2text family of pipelines (see text2text_settings.h).
#include "pipelines/text2text_settings.h"

#include "core/log.h"
#include "hf/error.h"

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

  const json config = model_config.is_object() ? model_config : json::object();
  if (config.contains("prefix") && config["prefix"].is_string()) s.prefix = config["prefix"].get<std::string>();
  const json* params = config.contains("task_specific_params") ? &config["task_specific_params"] : nullptr;
  if (params && params->is_object() && params->contains(task)) {
    json p = (*params)[task];
    const std::string where = "config.json task_specific_params." + task;
    if (!p.is_object()) throw ConfigError(where + ": expected an object, got " + p.dump());
    if (p.contains("prefix")) {
      if (!p["prefix"].is_string()) throw ConfigError(where + ".prefix: expected a string, got " + p["prefix"].dump());
      s.prefix = p["prefix"].get<std::string>();
      p.erase("prefix");
    }
    // generation_config.update(**params): the values given replace, the others stay.
    s.generation = GenerationConfig::from_json_text(p.dump(), where).merged_over(s.generation);
  }
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
