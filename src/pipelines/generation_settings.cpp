// Generation settings of the generating pipelines (see generation_settings.h).
#include "pipelines/generation_settings.h"

#include "hf/error.h"

namespace hf::pipelines {

TaskParams task_params(const std::string& task, const json& config) {
  TaskParams t;
  if (!config.is_object()) return t;
  if (config.contains("prefix") && config["prefix"].is_string()) t.prefix = config["prefix"].get<std::string>();
  if (!config.contains("task_specific_params") || !config["task_specific_params"].is_object() ||
      !config["task_specific_params"].contains(task))
    return t;
  json p = config["task_specific_params"][task];
  const std::string where = "config.json task_specific_params." + task;
  if (!p.is_object()) throw ConfigError(where + ": expected an object, got " + p.dump());
  if (p.contains("prefix")) {  // pipeline-only: not a generation parameter
    if (!p["prefix"].is_string()) throw ConfigError(where + ".prefix: expected a string, got " + p["prefix"].dump());
    t.prefix = p["prefix"].get<std::string>();
    p.erase("prefix");
  }
  t.generation = GenerationConfig::from_json_text(p.dump(), where);
  return t;
}

GenerationSettings resolve_generation_settings(const std::string& task, const GenerationConfig& pipeline_defaults,
                                               const GenerationConfig& model_generation,
                                               const GenerationConfig& construction, const json& model_config) {
  // (1, 2) the construction kwargs over the pipeline's defaults over the model's file.
  GenerationConfig g = construction.merged_over(pipeline_defaults.merged_over(model_generation));
  // (3) a total length chosen by the model or the construction beats the default new tokens.
  if (pipeline_defaults.max_new_tokens && g.max_new_tokens == pipeline_defaults.max_new_tokens && g.max_length &&
      *g.max_length != 20)
    g.max_new_tokens.reset();
  // (4) task_specific_params[task]: generation_config.update(**params), and the prefix.
  TaskParams t = task_params(task, model_config);
  return {t.generation.merged_over(g), std::move(t.prefix)};
}

}  // namespace hf::pipelines
