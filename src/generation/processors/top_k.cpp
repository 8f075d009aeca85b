// TopKLogitsWarper: only the k best scores survive; ties with the k-th are kept (transformers
// compares `scores < kth_value`).
#include <algorithm>

#include "generation/logits_processors.h"
#include "generation/probabilities.h"

namespace hf::generation {

TopKLogitsWarper::TopKLogitsWarper(int top_k, int min_tokens_to_keep) : k_(std::max(top_k, min_tokens_to_keep)) {}

void TopKLogitsWarper::operator()(std::span<const int32_t>, std::span<float> scores) const {
  const size_t k = std::min(static_cast<size_t>(k_), scores.size());
  if (k == 0 || k == scores.size()) return;
  std::vector<float> copy(scores.begin(), scores.end());
  std::nth_element(copy.begin(), copy.begin() + (k - 1), copy.end(), std::greater<float>());
  const float kth = copy[k - 1];
  for (float& s : scores)
    if (s < kth) s = kFilterValue;
}

}  // namespace hf::generation
