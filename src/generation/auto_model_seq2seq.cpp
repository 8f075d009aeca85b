// AutoModelForSeq2SeqLM: resolve the name, load the encoder–decoder and its generation config.
#include <filesystem>

#include "core/json.h"
#include "hf/seq2seq.h"

namespace hf {

GenerationConfig seq2seq_generation_config(const std::filesystem::path& dir) {
  const auto gc_path = dir / "generation_config.json";
  const auto config_path = dir / "config.json";
  json config = std::filesystem::exists(config_path) ? read_json_file(config_path) : json::object();
  GenerationConfig gc;
  if (std::filesystem::exists(gc_path)) {
    gc = GenerationConfig::from_file(gc_path);
  } else if (config.is_object()) {
    // transformers' GenerationConfig.from_model_config: the generation keys of config.json
    // (2020-era opus-mt configs carry num_beams, max_length, bad_words_ids there).
    static const char* kKeys[] = {"max_length", "min_length", "num_beams", "bad_words_ids", "forced_eos_token_id",
                                  "forced_bos_token_id", "eos_token_id", "pad_token_id", "bos_token_id",
                                  "decoder_start_token_id", "early_stopping", "length_penalty",
                                  "no_repeat_ngram_size", "repetition_penalty", "num_return_sequences",
                                  "do_sample", "temperature", "top_k", "top_p"};
    json picked = json::object();
    for (const char* k : kKeys)
      if (config.contains(k) && !config[k].is_null()) picked[k] = config[k];
    gc = GenerationConfig::from_json_text(picked.dump(), config_path.string());
  }
  if (!gc.decoder_start_token_id && config.is_object() && config.contains("decoder_start_token_id") &&
      config["decoder_start_token_id"].is_number_integer())
    gc.decoder_start_token_id = config["decoder_start_token_id"].get<int32_t>();
  return gc;
}

AutoModelForSeq2SeqLM::AutoModelForSeq2SeqLM(std::shared_ptr<const Seq2SeqLM> model, GenerationConfig generation_config)
    : model_(std::move(model)), generation_config_(std::move(generation_config)) {}

AutoModelForSeq2SeqLM AutoModelForSeq2SeqLM::from_pretrained(const std::string& name, const HubOptions& hub) {
  const std::filesystem::path dir = resolve_model(name, hub);
  auto model = load_seq2seq_lm(dir);
  return AutoModelForSeq2SeqLM(std::move(model), seq2seq_generation_config(dir));
}

Seq2SeqGenerateOutput AutoModelForSeq2SeqLM::generate(const BatchEncoding& inputs, const GenerationConfig& config) const {
  return hf::generate(*model_, inputs, config, generation_config_);
}

}  // namespace hf
