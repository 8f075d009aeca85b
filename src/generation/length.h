#pragma once
// transformers' `_prepare_generated_length` (hf-semantics §5.3), shared by decoder-only and
// seq2seq generation.
#include <algorithm>
#include <cstdint>

#include "hf/generation_config.h"

namespace hf::generation {

// `asked`: the call's config stacked over the model's file, BEFORE transformers' defaults (an
// unset max_length is what makes the default mean "20 new tokens"). `input_length`: prompt
// (decoder-only) or decoder start ids (seq2seq). `context`: max_position_embeddings (0 = none).
inline int resolve_max_length(const GenerationConfig& asked, int input_length, int64_t context) {
  if (asked.max_new_tokens) return *asked.max_new_tokens + input_length;
  if (asked.max_length) return *asked.max_length;
  int64_t n = 20 + static_cast<int64_t>(input_length);
  if (context > 0) n = std::min(n, std::max<int64_t>(context, input_length + 1));
  return static_cast<int>(n);
}

}  // namespace hf::generation
