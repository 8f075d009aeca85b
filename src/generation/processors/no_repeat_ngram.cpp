// NoRepeatNGramLogitsProcessor: no n-gram may occur twice in the sequence.
#include <algorithm>

#include "generation/logits_processors.h"
#include "generation/probabilities.h"

namespace hf::generation {

NoRepeatNGramLogitsProcessor::NoRepeatNGramLogitsProcessor(int ngram_size) : n_(ngram_size) {}

void NoRepeatNGramLogitsProcessor::operator()(std::span<const int32_t> ids, std::span<float> scores) const {
  const int len = static_cast<int>(ids.size());
  if (n_ <= 0 || len + 1 < n_) return;  // transformers: cur_len + 1 < n → nothing to ban yet
  // The last n-1 tokens are the prefix of the n-gram the next token would complete; ban every
  // token that followed the same prefix earlier.
  const int prefix = n_ - 1;
  const auto tail = ids.subspan(len - prefix);
  for (int start = 0; start + n_ <= len; ++start) {
    if (std::equal(tail.begin(), tail.end(), ids.begin() + start)) {
      int32_t banned = ids[start + prefix];
      if (banned >= 0 && static_cast<size_t>(banned) < scores.size()) scores[banned] = kFilterValue;
    }
  }
}

}  // namespace hf::generation
