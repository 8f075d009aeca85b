#pragma once
// TextGenerationPipeline (task "text-generation"): transformers' pre/postprocess (hf-semantics
// §2) around AutoModelForCausalLM::generate.
#include <optional>
#include <string>

#include "hf/generation.h"
#include "hf/json.h"
#include "hf/pipeline.h"

namespace hf::pipelines {

// What the model's config.json asks of the pipeline of `task` (transformers' Pipeline.__init__):
// its "prefix", replaced by task_specific_params[task]["prefix"], and the generation values of
// task_specific_params[task] (GPT-2: {"do_sample": true, "max_length": 50}), which transformers
// applies with generation_config.update(**params) over the construction kwargs.
// hf::ConfigError when task_specific_params[task] is not an object or holds a bad value.
struct TaskParams {
  GenerationConfig generation;
  std::optional<std::string> prefix;  // prepended to every text prompt (not to chats)
};
TaskParams task_params(const std::string& task, const json& model_config);

class TextGenerationPipeline : public PipelineImpl {
 public:
  TextGenerationPipeline(std::string task, std::string model_name, Tokenizer tokenizer, AutoModelForCausalLM model,
                         GenerationConfig construction_config, TaskParams task_params = {});

  json run(const json& inputs, const PipelineCallOptions& options) override;

  // The generate() config of one call: call kwargs → task_specific_params[task] → construction
  // kwargs → the pipeline's defaults (max_new_tokens 256, do_sample, temperature 0.7) → (inside
  // generate) the model's file.
  GenerationConfig call_config(const PipelineCallOptions& options) const;

 private:
  json run_one(const json& input, const PipelineCallOptions& options);

  AutoModelForCausalLM model_;
  GenerationConfig construction_;
  TaskParams task_;
};

}  // namespace hf::pipelines
