// MinLengthLogitsProcessor and MinNewTokensLengthLogitsProcessor: eos is impossible until the
// sequence (total, or new tokens only) is long enough.
#include "generation/logits_processors.h"
#include "generation/probabilities.h"

namespace hf::generation {

namespace {
void ban(std::span<float> scores, const std::vector<int32_t>& ids) {
  for (int32_t id : ids)
    if (id >= 0 && static_cast<size_t>(id) < scores.size()) scores[id] = kFilterValue;
}
}  // namespace

MinLengthLogitsProcessor::MinLengthLogitsProcessor(int min_length, std::vector<int32_t> eos)
    : min_length_(min_length), eos_(std::move(eos)) {}

void MinLengthLogitsProcessor::operator()(std::span<const int32_t> ids, std::span<float> scores) const {
  if (static_cast<int>(ids.size()) < min_length_) ban(scores, eos_);
}

MinNewTokensLengthLogitsProcessor::MinNewTokensLengthLogitsProcessor(int prompt_length, int min_new_tokens,
                                                                     std::vector<int32_t> eos)
    : prompt_length_(prompt_length), min_new_tokens_(min_new_tokens), eos_(std::move(eos)) {}

void MinNewTokensLengthLogitsProcessor::operator()(std::span<const int32_t> ids, std::span<float> scores) const {
  if (static_cast<int>(ids.size()) - prompt_length_ < min_new_tokens_) ban(scores, eos_);
}

}  // namespace hf::generation
