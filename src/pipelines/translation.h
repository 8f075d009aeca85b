#pragma once
// TranslationPipeline (tasks "translation" and "translation_XX_to_YY"): transformers v4's
// Text2TextGenerationPipeline / TranslationPipeline pre- and postprocessing (hf-semantics §3)
// around AutoModelForSeq2SeqLM::generate.
//
//   pipeline("translation", {.model = "Helsinki-NLP/opus-mt-zh-en"})("今天天气真好")
//     → [{"translation_text": "..."}]
//   a list of strings → a flat list of records (a list of lists with num_return_sequences > 1).
//
// Each text is tokenised on its own (eos appended, no padding). A text longer than the model's
// limit (tokenizer model_max_length, capped by max_position_embeddings) is truncated to it with
// a warning, where transformers would fail. Generation: call kwargs → construction kwargs →
// the model's generation config → the pipeline's defaults (num_beams 4, max_new_tokens 256) for
// what the model leaves unset. PipelineCallOptions::extra["batch_size"] (default 1) translates
// that many texts per generate() call (right-padded; every row gives what it gives alone).
#include <string>
#include <vector>

#include "hf/pipeline.h"
#include "hf/seq2seq.h"

namespace hf::pipelines {

class TranslationPipeline : public PipelineImpl {
 public:
  TranslationPipeline(std::string task, std::string model_name, Tokenizer tokenizer, AutoModelForSeq2SeqLM model,
                      GenerationConfig construction_config);

  json run(const json& inputs, const PipelineCallOptions& options) override;

  // The generate() config of one call (see above).
  GenerationConfig call_config(const PipelineCallOptions& options) const;
  // The longest input in tokens (eos included) before truncation.
  int64_t max_input_tokens() const;

 private:
  std::vector<int32_t> tokenize(const std::string& text) const;
  // Records of `texts` translated together.
  std::vector<json> translate_batch(const std::vector<std::string>& texts, const PipelineCallOptions& options) const;

  AutoModelForSeq2SeqLM model_;
  GenerationConfig construction_;
};

// "translation_zh_to_en" → "Helsinki-NLP/opus-mt-zh-en"; bare "translation" → opus-mt-zh-en.
std::string default_translation_model(const std::string& task);

}  // namespace hf::pipelines
