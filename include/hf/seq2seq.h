#pragma once
// Encoder–decoder generation (MarianMT...) and AutoModelForSeq2SeqLM, transformers' spelling:
//
//   auto tok   = hf::AutoTokenizer::from_pretrained("Helsinki-NLP/opus-mt-zh-en");
//   auto model = hf::AutoModelForSeq2SeqLM::from_pretrained("Helsinki-NLP/opus-mt-zh-en");
//   auto out   = model.generate(tok({"今天天气真好，我想出去玩。"}), {.num_beams = 4});
//   auto text  = tok.batch_decode(out.sequences, {.skip_special_tokens = true});
//
// Semantics are transformers' generate() for encoder-decoder models: configs stack call → the
// model's generation_config.json (or config.json's generation keys) → defaults; the decoder
// starts from decoder_start_token_id and max_length counts it; greedy (and sampling) follow
// `_sample`, num_beams > 1 the vectorised beam search (src/generation/beam_search.h). Rows of the
// input may differ in length: they are right-padded and the encoder masks the padding.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hf/export.h"
#include "hf/generation_config.h"
#include "hf/hub.h"
#include "hf/seq2seq_lm.h"
#include "hf/tokenizer.h"

namespace hf {

struct HF_API Seq2SeqGenerateOutput {
  // batch × num_return_sequences rows: decoder start token, generated tokens, then pad_token_id
  // up to the longest row.
  std::vector<std::vector<int32_t>> sequences;
  // Beam search: each returned row's score (sum of log-probs / length^length_penalty).
  std::vector<float> sequences_scores;
  struct Hypothesis {
    std::vector<int32_t> sequence;
    float score = 0;
  };
  // Beam search: every finished hypothesis kept for each input row, best first.
  std::vector<std::vector<Hypothesis>> hypotheses;
};

// transformers' early_stopping = "never" (also GenerationConfig::early_stopping_never).
enum class BeamEarlyStopping { False, True, Never };

// `config`: what the caller asked; unset fields come from `model_defaults`, then transformers'
// defaults. `early_stopping` overrides config.early_stopping (needed for "never").
// hf::InputError for an empty batch or row, inconsistent masks, invalid config values, or no
// decoder_start_token_id / bos_token_id to start the decoder.
HF_API Seq2SeqGenerateOutput generate(const Seq2SeqLM& model, const BatchEncoding& inputs, const GenerationConfig& config,
                               const GenerationConfig& model_defaults = {},
                               std::optional<BeamEarlyStopping> early_stopping = std::nullopt);

// The generation config a seq2seq model folder implies: generation_config.json when present,
// else the generation keys of config.json (as transformers' GenerationConfig.from_model_config);
// decoder_start_token_id falls back to config.json's.
HF_API GenerationConfig seq2seq_generation_config(const std::filesystem::path& dir);

// A loaded encoder–decoder model with its generation config. Cheap to copy (shared weights).
class HF_API AutoModelForSeq2SeqLM {
 public:
  AutoModelForSeq2SeqLM(std::shared_ptr<const Seq2SeqLM> model, GenerationConfig generation_config);
  // A local folder or a Hub id (through hf::resolve_model): config.json, model.safetensors or
  // pytorch_model.bin (read safely), generation_config.json.
  static AutoModelForSeq2SeqLM from_pretrained(const std::string& name_or_path, const HubOptions& options = {});

  Seq2SeqGenerateOutput generate(const BatchEncoding& inputs, const GenerationConfig& config = {}) const;

  const GenerationConfig& generation_config() const { return generation_config_; }
  GenerationConfig& generation_config() { return generation_config_; }
  const Seq2SeqLM& model() const { return *model_; }
  std::shared_ptr<const Seq2SeqLM> shared_model() const { return model_; }

 private:
  std::shared_ptr<const Seq2SeqLM> model_;
  GenerationConfig generation_config_;
};

}  // namespace hf
