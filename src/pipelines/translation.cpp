#include "pipelines/translation.h"

#include <algorithm>

#include "core/log.h"
#include "hf/error.h"
#include "pipelines/registry.h"
#include "tokenizers/marian/marian_tokenizer.h"

namespace hf::pipelines {
namespace {

// The registry fills an empty PipelineOptions::model with the entry's default_model before
// make() runs; this placeholder tells make() that no model was given, so that the language
// pair of "translation_XX_to_YY" picks it.
const char* kDefaultPlaceholder = "Helsinki-NLP/opus-mt-XX-YY";

}  // namespace

std::string default_translation_model(const std::string& task) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t p; (p = task.find('_', start)) != std::string::npos; start = p + 1) parts.push_back(task.substr(start, p - start));
  parts.push_back(task.substr(start));
  if (parts.size() == 4 && parts[0] == "translation" && parts[2] == "to" && !parts[1].empty() && !parts[3].empty())
    return "Helsinki-NLP/opus-mt-" + parts[1] + "-" + parts[3];
  return "Helsinki-NLP/opus-mt-zh-en";
}

TranslationPipeline::TranslationPipeline(std::string task, std::string model_name, Tokenizer tokenizer,
                                         AutoModelForSeq2SeqLM model, GenerationConfig construction_config)
    : PipelineImpl(std::move(task), std::move(model_name), std::move(tokenizer)),
      model_(std::move(model)),
      construction_(std::move(construction_config)) {}

GenerationConfig TranslationPipeline::call_config(const PipelineCallOptions& options) const {
  GenerationConfig cfg = options.generate.merged_over(construction_);
  const GenerationConfig& file = model_.generation_config();
  // The pipeline's own defaults apply only where the model's file says nothing.
  if (!cfg.num_beams && !file.num_beams) cfg.num_beams = 4;
  if (!cfg.max_new_tokens && !cfg.max_length && !file.max_new_tokens && !file.max_length) cfg.max_new_tokens = 256;
  return cfg;
}

int64_t TranslationPipeline::max_input_tokens() const {
  return std::min<int64_t>(tok_.model_max_length(), model_.model().max_position_embeddings());
}

std::vector<int32_t> TranslationPipeline::tokenize(const std::string& text) const {
  std::vector<int32_t> ids = tok_.encode(text, true);
  const int64_t limit = max_input_tokens();
  if (static_cast<int64_t>(ids.size()) > limit) {
    warn("translation: the input has " + std::to_string(ids.size()) + " tokens, more than the model's limit of " +
         std::to_string(limit) + "; it was truncated to " + std::to_string(limit) + " tokens");
    std::vector<int32_t> body = tok_.encode(text, false);
    body.resize(limit - (ids.size() - body.size()));  // room for the special tokens
    ids = tok_.impl().add_special_tokens(std::move(body));
  }
  return ids;
}

std::vector<json> TranslationPipeline::translate_batch(const std::vector<std::string>& texts,
                                                       const PipelineCallOptions& options) const {
  BatchEncoding in;
  for (const auto& t : texts) in.input_ids.push_back(tokenize(t));
  const GenerationConfig cfg = call_config(options);
  const GenerationConfig resolved = cfg.merged_over(model_.generation_config()).with_defaults();
  if (resolved.max_length) {
    // transformers' TranslationPipeline.check_inputs warning.
    for (const auto& ids : in.input_ids)
      if (ids.size() > 0.9 * *resolved.max_length && !resolved.max_new_tokens)
        warn("translation: your input_length: " + std::to_string(ids.size()) + " is bigger than 0.9 * max_length: " +
             std::to_string(*resolved.max_length) + ". You might consider increasing your max_length manually");
  }
  Seq2SeqGenerateOutput out = model_.generate(in, cfg);
  const size_t n_return = out.sequences.size() / texts.size();
  DecodeOptions dec{.skip_special_tokens = true,
                    .clean_up_tokenization_spaces = options.clean_up_tokenization_spaces.value_or(false)};
  std::vector<json> results;
  for (size_t i = 0; i < texts.size(); ++i) {
    json records = json::array();
    for (size_t r = 0; r < n_return; ++r) {
      const auto& seq = out.sequences[i * n_return + r];
      if (options.return_tensors) records.push_back(json{{"translation_token_ids", seq}});
      else records.push_back(json{{"translation_text", tok_.decode(seq, dec)}});
    }
    results.push_back(std::move(records));
  }
  return results;
}

json TranslationPipeline::run(const json& inputs, const PipelineCallOptions& options) {
  std::vector<std::string> texts;
  const bool single = inputs.is_string();
  if (single) {
    texts.push_back(inputs.get<std::string>());
  } else if (inputs.is_array()) {
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (!inputs[i].is_string())
        throw InputError("translation: input [" + std::to_string(i) + "] is not a string (translation takes a string or a list of strings)");
      texts.push_back(inputs[i].get<std::string>());
    }
  } else {
    throw InputError("translation: expected a string or a list of strings, got " + std::string(inputs.type_name()));
  }
  int batch_size = 1;
  if (options.extra.is_object() && options.extra.contains("batch_size")) {
    if (!options.extra["batch_size"].is_number_integer() || options.extra["batch_size"].get<int>() < 1)
      throw InputError("translation: batch_size must be a positive integer");
    batch_size = options.extra["batch_size"].get<int>();
  }
  std::vector<json> per_input;
  for (size_t i = 0; i < texts.size(); i += batch_size) {
    std::vector<std::string> chunk(texts.begin() + i, texts.begin() + std::min(texts.size(), i + batch_size));
    for (auto& r : translate_batch(chunk, options)) per_input.push_back(std::move(r));
  }
  if (single) return per_input.at(0);
  // Text2TextGenerationPipeline.__call__: a flat list when every input gave one record.
  const bool flat = std::all_of(per_input.begin(), per_input.end(), [](const json& r) { return r.size() == 1; });
  json out = json::array();
  for (auto& r : per_input) out.push_back(flat ? r[0] : r);
  return out;
}

void register_translation_tasks(TaskRegistry& r) {
  r.add({.task = "translation",
         .default_model = kDefaultPlaceholder,
         .description = "Translate text with an encoder-decoder model (translation_XX_to_YY: Helsinki-NLP/opus-mt-XX-YY)",
         .make = [](const std::string& task, const PipelineOptions& o) -> std::shared_ptr<PipelineImpl> {
           const std::string name = o.model.empty() || o.model == kDefaultPlaceholder ? default_translation_model(task) : o.model;
           const auto dir = resolve_model(name, o.hub);
           Tokenizer tok = is_marian_tokenizer_dir(dir) ? load_marian_tokenizer(dir) : AutoTokenizer::from_pretrained(dir.string());
           AutoModelForSeq2SeqLM model = AutoModelForSeq2SeqLM::from_pretrained(dir.string());
           GenerationConfig construction = o.generation_config;
           if (o.max_new_tokens) construction.max_new_tokens = o.max_new_tokens;
           return std::make_shared<TranslationPipeline>(task, name, std::move(tok), std::move(model), std::move(construction));
         }});
}

}  // namespace hf::pipelines
