#pragma once
// Models often have more embedding rows than the tokenizer has tokens (Qwen2.5: 151936 vs
// 151665), and a model can generate one of those extra ids. The Hugging Face tokenizers library
// decodes an unknown id to nothing; our Tokenizer::decode rejects it, so text produced from
// generated ids goes through this filter first.
#include <cstdint>
#include <span>
#include <vector>

#include "hf/tokenizer.h"

namespace hf::generation {

inline std::vector<int32_t> ids_in_vocabulary(const Tokenizer& tok, std::span<const int32_t> ids) {
  const auto n = static_cast<int64_t>(tok.vocab_size());
  std::vector<int32_t> out;
  out.reserve(ids.size());
  for (int32_t id : ids)
    if (id >= 0 && id < n) out.push_back(id);
  return out;
}

}  // namespace hf::generation
