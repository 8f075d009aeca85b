#pragma once
// The one detail of tokenizers' trim_offsets (pre_tokenizers/byte_level.rs process_offsets) that
// TokenizerImpl::trims_offsets() does not carry: with the trimming processor's add_prefix_space
// on, the first token of a sequence (or window) keeps a single leading space, which the processor
// assumes it added. Implemented by the tokenizer.json engine; encode_plus asks through
// dynamic_cast, so the public TokenizerImpl interface stays as it is.
#include <string>

#include "hf/json.h"

namespace hf::tok {

class PrefixSpaceTrimming {
 public:
  virtual bool trim_keeps_prefix_space() const = 0;

 protected:
  ~PrefixSpaceTrimming() = default;
};

// add_prefix_space of the trimming part of a tokenizer.json post_processor (ByteLevel or
// RobertaProcessing, alone or in a Sequence; the Rust default is true), overridden as
// transformers' RobertaTokenizerFast (and Bart's, Longformer's) __init__ does: those classes write
// tokenizer_config.json's add_prefix_space (default false) into the post-processor.
bool trim_keeps_prefix_space(const json& post_processor, const json& tokenizer_config);

}  // namespace hf::tok
