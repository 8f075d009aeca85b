#include "pipelines/text2text_generation.h"

#include <algorithm>
#include <filesystem>

#include "core/json.h"
#include "core/log.h"
#include "hf/error.h"
#include "pipelines/registry.h"
#include "tokenizers/marian/marian_tokenizer.h"

namespace hf::pipelines {

namespace {
// transformers' Text2TextGenerationPipeline._default_generation_config (summarization and
// translation inherit it).
const GenerationConfig kPipelineDefaults{.max_new_tokens = 256, .num_beams = 4};
}  // namespace

Text2TextPipeline::Text2TextPipeline(std::string task, std::string return_name, std::string model_name, Tokenizer tokenizer,
                                     AutoModelForSeq2SeqLM model, const json& model_config, GenerationConfig construction_config)
    : PipelineImpl(std::move(task), std::move(model_name), std::move(tokenizer)),
      return_name_(std::move(return_name)),
      model_(std::move(model)),
      settings_(resolve_generation_settings(task_, kPipelineDefaults, model_.generation_config(), construction_config,
                                            model_config)) {}

GenerationConfig Text2TextPipeline::call_config(const PipelineCallOptions& options) const {
  return options.generate.merged_over(settings_.generation);
}

std::vector<int32_t> Text2TextPipeline::tokenize(const std::string& text, bool truncation) const {
  const std::string input = settings_.prefix.value_or("") + text;
  std::vector<int32_t> ids = tok_.encode(input, EncodeOptions{.truncation = truncation});
  const int64_t limit = tok_.model_max_length();
  if (static_cast<int64_t>(ids.size()) > limit)  // the tokenizer's own warning (no truncation asked)
    warn("Token indices sequence length is longer than the specified maximum sequence length for this model (" +
         std::to_string(ids.size()) + " > " + std::to_string(limit) +
         "). Running this sequence through the model will result in indexing errors");
  // A learned position table cannot go further: transformers fails there, hfcpp cuts the input.
  const int64_t positions = model_.model().max_position_embeddings();
  if (positions > 0 && static_cast<int64_t>(ids.size()) > positions) {
    warn(task_ + ": the input has " + std::to_string(ids.size()) + " tokens, more than the model's limit of " +
         std::to_string(positions) + " positions; it was truncated to " + std::to_string(positions) + " tokens");
    ids = tok_.encode(input, EncodeOptions{.truncation = true, .max_length = static_cast<int>(positions)});
  }
  return ids;
}

std::vector<json> Text2TextPipeline::generate_batch(const std::vector<std::string>& texts, bool truncation,
                                                    const PipelineCallOptions& options) const {
  BatchEncoding in;
  for (const auto& t : texts) in.input_ids.push_back(tokenize(t, truncation));
  const GenerationConfig cfg = call_config(options);
  if (return_name_ == "translation" && cfg.max_length && !cfg.max_new_tokens) {
    // TranslationPipeline.check_inputs.
    for (const auto& ids : in.input_ids)
      if (ids.size() > 0.9 * *cfg.max_length)
        warn(task_ + ": your input_length: " + std::to_string(ids.size()) + " is bigger than 0.9 * max_length: " +
             std::to_string(*cfg.max_length) + ". You might consider increasing your max_length manually");
  }
  // The settings already hold the model's generation config: nothing more under them.
  Seq2SeqGenerateOutput out = hf::generate(model_.model(), in, cfg);
  const size_t n_return = out.sequences.size() / texts.size();
  DecodeOptions dec{.skip_special_tokens = true,
                    .clean_up_tokenization_spaces = options.clean_up_tokenization_spaces.value_or(false)};
  std::vector<json> results;
  for (size_t i = 0; i < texts.size(); ++i) {
    json records = json::array();
    for (size_t r = 0; r < n_return; ++r) {
      const auto& seq = out.sequences[i * n_return + r];
      if (options.return_tensors) records.push_back(json{{return_name_ + "_token_ids", seq}});
      else records.push_back(json{{return_name_ + "_text", tok_.decode(seq, dec)}});
    }
    results.push_back(std::move(records));
  }
  return results;
}

json Text2TextPipeline::run(const json& inputs, const PipelineCallOptions& options) {
  std::vector<std::string> texts;
  const bool single = inputs.is_string();
  if (single) {
    texts.push_back(inputs.get<std::string>());
  } else if (inputs.is_array() && !inputs.empty()) {
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (!inputs[i].is_string())
        throw InputError(task_ + ": input [" + std::to_string(i) + "] is not a string (" + task_ +
                         " takes a string or a list of strings)");
      texts.push_back(inputs[i].get<std::string>());
    }
  } else {
    throw InputError(task_ + ": expected a string or a non-empty list of strings, got " +
                     (inputs.is_array() ? std::string("an empty list") : std::string(inputs.type_name())));
  }
  const json& extra = options.extra;
  int batch_size = 1;
  if (extra.is_object() && extra.contains("batch_size")) {
    if (!extra["batch_size"].is_number_integer() || extra["batch_size"].get<int>() < 1)
      throw InputError(task_ + ": batch_size must be a positive integer");
    batch_size = extra["batch_size"].get<int>();
  }
  bool truncation = false;
  if (extra.is_object() && extra.contains("truncation")) {
    const json& t = extra["truncation"];
    if (t.is_boolean()) truncation = t.get<bool>();
    else if (t.is_string() && (t == "longest_first" || t == "only_first")) truncation = true;
    else if (!(t.is_string() && t == "do_not_truncate"))
      throw InputError(task_ + ": truncation must be true, false, \"longest_first\", \"only_first\" or \"do_not_truncate\", got " +
                       t.dump());
  }
  std::vector<json> per_input;
  for (size_t i = 0; i < texts.size(); i += batch_size) {
    std::vector<std::string> chunk(texts.begin() + i, texts.begin() + std::min(texts.size(), i + batch_size));
    for (auto& r : generate_batch(chunk, truncation, options)) per_input.push_back(std::move(r));
  }
  if (single) return per_input.at(0);
  // Text2TextGenerationPipeline.__call__: a flat list when every input gave one record.
  const bool flat = std::all_of(per_input.begin(), per_input.end(), [](const json& r) { return r.size() == 1; });
  json out = json::array();
  for (auto& r : per_input) out.push_back(flat ? r[0] : r);
  return out;
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

std::shared_ptr<PipelineImpl> make_text2text_pipeline(const std::string& task, const std::string& return_name,
                                                      const std::string& model_name, const PipelineOptions& o) {
  const std::filesystem::path dir = resolve_model(model_name, o.hub);
  const std::filesystem::path config_path = dir / "config.json";
  const json config = std::filesystem::exists(config_path) ? read_json_file(config_path) : json::object();
  Tokenizer tok = is_marian_tokenizer_dir(dir) ? load_marian_tokenizer(dir) : AutoTokenizer::from_pretrained(dir.string());
  AutoModelForSeq2SeqLM model = AutoModelForSeq2SeqLM::from_pretrained(dir.string());
  GenerationConfig construction = o.generation_config;
  if (o.max_new_tokens) construction.max_new_tokens = o.max_new_tokens;
  return std::make_shared<Text2TextPipeline>(effective_translation_task(task, config), return_name, model_name,
                                             std::move(tok), std::move(model), config, std::move(construction));
}

void register_text2text_tasks(TaskRegistry& r) {
  r.add({.task = "text2text-generation",
         .default_model = "google-t5/t5-base",
         .description = "Generate text from text with an encoder-decoder model (T5, BART): [{\"generated_text\"}]",
         .make = [](const std::string& task, const PipelineOptions& o) -> std::shared_ptr<PipelineImpl> {
           return make_text2text_pipeline(task, "generated", o.model, o);
         },
         .default_revision = "a9723ea"});
  r.add({.task = "summarization",
         .default_model = "sshleifer/distilbart-cnn-12-6",
         .description = "Summarize text with an encoder-decoder model (BART, T5): [{\"summary_text\"}]",
         .make = [](const std::string& task, const PipelineOptions& o) -> std::shared_ptr<PipelineImpl> {
           return make_text2text_pipeline(task, "summary", o.model, o);
         },
         .default_revision = "a4f8f3e"});
}

}  // namespace hf::pipelines
