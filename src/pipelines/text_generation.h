#pragma once
// TextGenerationPipeline (task "text-generation"): transformers' pre/postprocess (hf-semantics
// §2) around AutoModelForCausalLM::generate.
#include <optional>
#include <string>

#include "hf/generation.h"
#include "hf/json.h"
#include "hf/pipeline.h"
#include "pipelines/generation_settings.h"

namespace hf::pipelines {

class TextGenerationPipeline : public PipelineImpl {
 public:
  // `model_config`: config.json, for its prefix and task_specific_params (generation_settings.h).
  TextGenerationPipeline(std::string task, std::string model_name, Tokenizer tokenizer, AutoModelForCausalLM model,
                         const GenerationConfig& construction_config, const json& model_config = json::object());

  json run(const json& inputs, const PipelineCallOptions& options) override;

  // The generate() config of one call: the call's kwargs over the settings resolved at
  // construction (generation_settings.h, with the pipeline's defaults max_new_tokens 256,
  // do_sample, temperature 0.7).
  GenerationConfig call_config(const PipelineCallOptions& options) const;

 private:
  json run_one(const json& input, const PipelineCallOptions& options);

  AutoModelForCausalLM model_;
  GenerationSettings settings_;
};

}  // namespace hf::pipelines
