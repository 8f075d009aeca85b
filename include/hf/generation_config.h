#pragma once
// GenerationConfig: every knob of generate(), named and defaulted as in transformers.
//
// Every field is optional: "unset" means "not said here", so that configs stack exactly as in
// transformers (v5 semantics): the call's values win over the model's generation_config.json,
// which wins over transformers' global defaults:
//
//   GenerationConfig effective = call.merged_over(model.generation_config()).with_defaults();
//
// `with_defaults()` fills every still-unset field with transformers' default (max_length 20,
// top_k 50, temperature 1.0, ...), so code that consumes a resolved config may use `*field`.
// The last block (streamer, stop_token, tokenizer, past_key_values, output_logits) is not
// configuration but the per-call companions transformers passes to generate() as keyword
// arguments; it is never serialized.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "hf/export.h"

namespace hf {

class BaseStreamer;
class DynamicCache;
class Grammar;
class Tokenizer;

struct HF_API GenerationConfig {
  // --- length (§5.3 of hf-semantics: max_new_tokens beats max_length; both count tokens) ---
  std::optional<int> max_new_tokens{};           // default unset
  std::optional<int> max_length{};               // default 20 (total: prompt + new)
  std::optional<int> min_new_tokens{};           // default unset
  std::optional<int> min_length{};               // default 0 (total)
  std::optional<bool> early_stopping{};          // beam search; default false
  // transformers' early_stopping = "never" (its third value): beam search stops a sentence only
  // when no running beam could still beat its worst hypothesis even at max_length. Set with
  // early_stopping = false; configs stack the pair together (merged_over).
  bool early_stopping_never = false;
  std::optional<double> max_time{};              // seconds; default unset
  std::optional<std::vector<std::string>> stop_strings{};  // needs `tokenizer` below

  // --- strategy ---
  std::optional<bool> do_sample{};               // default false
  std::optional<int> num_beams{};                // default 1
  std::optional<int> num_return_sequences{};     // default 1
  std::optional<uint64_t> seed{};                // hfcpp: sampling RNG seed; unset = random

  // --- logits processors and warpers ---
  std::optional<float> temperature{};            // default 1.0 (> 0 when sampling)
  std::optional<int> top_k{};                    // default 50 (0 = off)
  std::optional<float> top_p{};                  // default 1.0
  std::optional<float> min_p{};                  // default unset
  std::optional<float> typical_p{};              // default 1.0
  std::optional<float> repetition_penalty{};     // default 1.0
  std::optional<int> no_repeat_ngram_size{};     // default 0
  std::optional<std::vector<std::vector<int32_t>>> bad_words_ids{};
  std::optional<float> length_penalty{};         // beam scoring; default 1.0
  std::optional<int32_t> forced_bos_token_id{};
  std::optional<int32_t> forced_eos_token_id{};
  std::optional<bool> renormalize_logits{};      // default false
  std::optional<bool> use_cache{};               // default true (accepted; hfcpp always caches)

  // --- special tokens ---
  std::optional<int32_t> pad_token_id{};
  std::optional<int32_t> bos_token_id{};
  std::optional<std::vector<int32_t>> eos_token_id{};  // one or several; a JSON int becomes [int]
  std::optional<int32_t> decoder_start_token_id{};

  // --- per-call companions (not configuration; ignored by merge/JSON) ---
  BaseStreamer* streamer = nullptr;            // put()/end() as in transformers' generate()
  std::stop_token stop_token{};                  // request_stop() from any thread ends generation
  const Tokenizer* tokenizer = nullptr;         // needed by stop_strings (transformers: tokenizer=)
  DynamicCache* past_key_values = nullptr;       // a conversation's cache kept across calls (hf/generation.h)
  bool output_logits = false;                    // keep each step's raw logits (GenerateOutput::logits)
  // Constrained decoding (hf/constrained.h): every row's output matches this grammar, complete
  // even when max_new_tokens runs out. Needs `tokenizer` (its vocabulary) and an eos id.
  std::shared_ptr<const Grammar> response_format{};

  // transformers' defaults for every field (GenerationConfig() in v4, _get_default_generation_params in v5).
  static GenerationConfig defaults();
  // Reads generation_config.json. Unknown keys: a warning each, then ignored (as transformers
  // keeps them as attributes nobody reads). Wrong types: hf::ConfigError naming file and key.
  static GenerationConfig from_file(const std::filesystem::path& path);
  // Same from parsed JSON; `where` names the source in messages.
  static GenerationConfig from_json_text(const std::string& text, const std::string& where);

  // Fields set in *this win; unset ones come from `base`. Companions come from *this, else base.
  GenerationConfig merged_over(const GenerationConfig& base) const;
  // merged_over(defaults()).
  GenerationConfig with_defaults() const;

  // Checks a resolved config as transformers' validate() does for the errors that matter:
  // temperature <= 0, top_p outside [0,1], top_k < 0, max_new_tokens <= 0, repetition_penalty
  // <= 0, num_return_sequences > 1 with greedy search, ... → hf::InputError.
  void validate() const;

  // The set fields as JSON (generation_config.json spelling), for `hfcpp info` and debugging.
  std::string to_json_string() const;
};

}  // namespace hf
