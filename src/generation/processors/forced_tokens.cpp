// ForcedBOSTokenLogitsProcessor / ForcedEOSTokenLogitsProcessor: at one position, only the forced
// token(s) remain possible (score 0, everything else -inf) — used by multilingual seq2seq models
// (forced_bos = target language) and to end a sequence exactly at max_length.
#include <algorithm>

#include "generation/logits_processors.h"
#include "generation/probabilities.h"

namespace hf::generation {

ForcedBOSTokenLogitsProcessor::ForcedBOSTokenLogitsProcessor(int32_t bos) : bos_(bos) {}

void ForcedBOSTokenLogitsProcessor::operator()(std::span<const int32_t> ids, std::span<float> scores) const {
  if (ids.size() != 1) return;
  std::fill(scores.begin(), scores.end(), kFilterValue);
  if (bos_ >= 0 && static_cast<size_t>(bos_) < scores.size()) scores[bos_] = 0.0f;
}

ForcedEOSTokenLogitsProcessor::ForcedEOSTokenLogitsProcessor(int max_length, std::vector<int32_t> eos)
    : max_length_(max_length), eos_(std::move(eos)) {}

void ForcedEOSTokenLogitsProcessor::operator()(std::span<const int32_t> ids, std::span<float> scores) const {
  if (static_cast<int>(ids.size()) != max_length_ - 1) return;
  std::fill(scores.begin(), scores.end(), kFilterValue);
  for (int32_t id : eos_)
    if (id >= 0 && static_cast<size_t>(id) < scores.size()) scores[id] = 0.0f;
}

}  // namespace hf::generation
