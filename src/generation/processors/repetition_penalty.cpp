// RepetitionPenaltyLogitsProcessor (CTRL paper): every id already in the sequence, prompt included,
// is made less likely once, whatever how often it occurs.
#include <algorithm>

#include "generation/logits_processors.h"

namespace hf::generation {

RepetitionPenaltyLogitsProcessor::RepetitionPenaltyLogitsProcessor(float penalty) : penalty_(penalty) {}

void RepetitionPenaltyLogitsProcessor::operator()(std::span<const int32_t> input_ids, std::span<float> scores) const {
  // transformers gathers the scores of input_ids, penalises them and scatters them back, so an id
  // seen twice is still penalised once: dedupe first.
  std::vector<int32_t> ids(input_ids.begin(), input_ids.end());
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  for (int32_t id : ids) {
    if (id < 0 || static_cast<size_t>(id) >= scores.size()) continue;
    float& s = scores[id];
    s = s < 0 ? s * penalty_ : s / penalty_;
  }
}

}  // namespace hf::generation
