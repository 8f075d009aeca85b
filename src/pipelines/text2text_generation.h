#pragma once
// Text2TextGenerationPipeline and its two subclasses in transformers
// (pipelines/text2text_generation.py): "text2text-generation" → [{"generated_text"}],
// "summarization" → [{"summary_text"}], "translation" / "translation_XX_to_YY" →
// [{"translation_text"}], around AutoModelForSeq2SeqLM::generate (Marian, BART, T5).
//
//   pipeline("summarization", {.model = "sshleifer/distilbart-cnn-12-6"})(article)
//   pipeline("translation_en_to_de", {.model = "google-t5/t5-base"})("The house is wonderful.")
//
// Per text: prefix (task_specific_params[task].prefix, else config.prefix) + text, tokenised
// alone (eos appended, no padding); `truncation` (PipelineCallOptions::extra, as transformers'
// kwarg) cuts it to the tokenizer's model_max_length, otherwise a longer input only gets the
// tokenizer's warning, as in transformers. An input longer than the model's position table
// (BART, Marian: max_position_embeddings) is cut to it with a warning, where transformers would
// fail with an index error. Generation settings: generation_settings.h (pipeline defaults
// max_new_tokens 256, num_beams 4), then the call's kwargs. A list of strings gives a flat list of records (a list of lists with
// num_return_sequences > 1); extra["batch_size"] (default 1) generates that many texts per call,
// right-padded, each row as it would be alone.
#include <string>
#include <vector>

#include "hf/pipeline.h"
#include "hf/seq2seq.h"
#include "pipelines/generation_settings.h"

namespace hf::pipelines {

class Text2TextPipeline : public PipelineImpl {
 public:
  // `task`: also the key of task_specific_params ("summarization", "translation_en_to_de"...);
  // `return_name`: "generated", "summary" or "translation" (records "<name>_text" / "<name>_token_ids").
  Text2TextPipeline(std::string task, std::string return_name, std::string model_name, Tokenizer tokenizer,
                    AutoModelForSeq2SeqLM model, const json& model_config, GenerationConfig construction_config);

  json run(const json& inputs, const PipelineCallOptions& options) override;

  // The generate() config of one call: the call's kwargs over the settings.
  GenerationConfig call_config(const PipelineCallOptions& options) const;
  const GenerationSettings& settings() const { return settings_; }

 private:
  std::vector<int32_t> tokenize(const std::string& text, bool truncation) const;
  std::vector<json> generate_batch(const std::vector<std::string>& texts, bool truncation,
                                   const PipelineCallOptions& options) const;

  std::string return_name_;
  AutoModelForSeq2SeqLM model_;
  GenerationSettings settings_;
};

// transformers' pipeline("translation", model=...) with a model whose task_specific_params hold
// translation_XX_to_YY keys: the first of them (with its UserWarning); else "translation".
std::string effective_translation_task(const std::string& task, const json& model_config);

// Loads the tokenizer and model of a text2text-family pipeline (the registry's `make`). A bare
// "translation" becomes the model's first translation_XX_to_YY task (effective_translation_task).
std::shared_ptr<PipelineImpl> make_text2text_pipeline(const std::string& task, const std::string& return_name,
                                                      const std::string& model_name, const PipelineOptions& options);

}  // namespace hf::pipelines
