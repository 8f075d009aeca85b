#pragma once
// The generation flags of the seq2seq pipelines (`hfcpp pipeline summarization|text2text-generation|
// translation...`, `hfcpp translate`), named after transformers' generate() keyword arguments:
// --max-length, --min-length, --min-new-tokens, --no-repeat-ngram-size, --length-penalty,
// --early-stopping true|false|never, --num-return-sequences. As with GenerationFlags, only flags
// given are set: the model's generation config and task_specific_params supply the rest.
#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "hf/generation_config.h"

namespace hf::cli {

struct Seq2SeqFlags {
  std::optional<int> max_length, min_length, min_new_tokens, no_repeat_ngram_size, num_return_sequences;
  std::optional<float> length_penalty;
  std::optional<std::string> early_stopping;

  void add_to(CLI::App& cmd);
  // Sets the given flags in `config`. hf::InputError for values generate() cannot use
  // (--max-length 0, a negative --min-length, --early-stopping maybe, a NaN --length-penalty...).
  void apply(GenerationConfig& config) const;
};

}  // namespace hf::cli
