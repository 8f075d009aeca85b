// NoBadWordsLogitsProcessor: a banned word is a token sequence; its last token is banned whenever
// the sequence so far ends with the word's other tokens.
#include <algorithm>

#include "generation/logits_processors.h"
#include "generation/probabilities.h"

namespace hf::generation {

NoBadWordsLogitsProcessor::NoBadWordsLogitsProcessor(std::vector<std::vector<int32_t>> words, std::vector<int32_t> eos) {
  // As transformers: a bad word that is just [eos] is dropped (banning eos is min_length's job).
  for (auto& w : words) {
    bool is_eos = w.size() == 1 && std::find(eos.begin(), eos.end(), w[0]) != eos.end();
    if (!w.empty() && !is_eos) words_.push_back(std::move(w));
  }
}

void NoBadWordsLogitsProcessor::operator()(std::span<const int32_t> ids, std::span<float> scores) const {
  for (const auto& w : words_) {
    const size_t prefix = w.size() - 1;
    if (prefix > ids.size()) continue;
    if (!std::equal(w.begin(), w.begin() + prefix, ids.end() - prefix)) continue;
    int32_t banned = w.back();
    if (banned >= 0 && static_cast<size_t>(banned) < scores.size()) scores[banned] = kFilterValue;
  }
}

}  // namespace hf::generation
