// MinPLogitsWarper: the cut scales with the best token's probability (min_p × p_max), so a
// confident distribution keeps few tokens and a flat one many.
#include <algorithm>

#include "generation/logits_processors.h"
#include "generation/probabilities.h"

namespace hf::generation {

MinPLogitsWarper::MinPLogitsWarper(float min_p, int min_tokens_to_keep) : min_p_(min_p), min_keep_(min_tokens_to_keep) {}

void MinPLogitsWarper::operator()(std::span<const int32_t>, std::span<float> scores) const {
  std::vector<float> probs;
  softmax(scores, probs);
  const float cut = min_p_ * *std::max_element(probs.begin(), probs.end());
  // The min_tokens_to_keep best (stable order by score) survive whatever the cut.
  std::vector<int32_t> best;
  if (min_keep_ > 1) {
    std::vector<int32_t> idx(scores.size());
    for (size_t i = 0; i < idx.size(); ++i) idx[i] = static_cast<int32_t>(i);
    size_t m = std::min(idx.size(), static_cast<size_t>(min_keep_));
    std::partial_sort(idx.begin(), idx.begin() + m, idx.end(),
                      [&](int32_t a, int32_t b) { return scores[a] > scores[b] || (scores[a] == scores[b] && a < b); });
    best.assign(idx.begin(), idx.begin() + m);
  }
  std::vector<float> saved;
  for (int32_t i : best) saved.push_back(scores[i]);
  for (size_t i = 0; i < scores.size(); ++i)
    if (probs[i] < cut) scores[i] = kFilterValue;
  for (size_t j = 0; j < best.size(); ++j) scores[best[j]] = saved[j];
}

}  // namespace hf::generation
