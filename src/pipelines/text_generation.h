#pragma once
// TextGenerationPipeline (task "text-generation"): transformers' pre/postprocess (hf-semantics
// §2) around AutoModelForCausalLM::generate.
#include <string>

#include "hf/generation.h"
#include "hf/pipeline.h"

namespace hf::pipelines {

class TextGenerationPipeline : public PipelineImpl {
 public:
  TextGenerationPipeline(std::string task, std::string model_name, Tokenizer tokenizer, AutoModelForCausalLM model,
                         GenerationConfig construction_config);

  json run(const json& inputs, const PipelineCallOptions& options) override;

  // The generate() config of one call: call kwargs → construction kwargs → the pipeline's
  // defaults (max_new_tokens 256, do_sample, temperature 0.7) → (inside generate) the model's file.
  GenerationConfig call_config(const PipelineCallOptions& options) const;

 private:
  json run_one(const json& input, const PipelineCallOptions& options);

  AutoModelForCausalLM model_;
  GenerationConfig construction_;
};

}  // namespace hf::pipelines
