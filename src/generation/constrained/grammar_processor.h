#pragma once
// GenerationConfig::response_format as one of generate()'s logits processors.
#include <memory>

#include "generation/logits_processors.h"

namespace hf::generation {

// hf::InputError when the config has no tokenizer or no eos id. `input_length`: where the
// generated tokens start in each row; `max_length`: the resolved total length (the budget).
std::unique_ptr<const LogitsProcessor> make_grammar_processor(const GenerationConfig& resolved, int input_length,
                                                              int max_length);

}  // namespace hf::generation
