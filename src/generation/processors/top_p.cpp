// TopPLogitsWarper (nucleus sampling). transformers sorts ascending, takes cumsum(softmax) and
// removes where cum <= 1 - top_p, keeping the min_tokens_to_keep best. Equivalently, walking the
// tokens from the most likely down, a token is kept while the mass strictly above it is < top_p;
// that walk touches only the head of the distribution, so we sort only as far as needed.
#include <algorithm>
#include <numeric>

#include "generation/logits_processors.h"
#include "generation/probabilities.h"

namespace hf::generation {

TopPLogitsWarper::TopPLogitsWarper(float top_p, int min_tokens_to_keep) : top_p_(top_p), min_keep_(min_tokens_to_keep) {}

void TopPLogitsWarper::operator()(std::span<const int32_t>, std::span<float> scores) const {
  if (top_p_ >= 1.0f) return;
  std::vector<float> probs;
  softmax(scores, probs);
  std::vector<int32_t> order;
  order.reserve(scores.size());
  for (size_t i = 0; i < scores.size(); ++i)
    if (scores[i] != kFilterValue) order.push_back(static_cast<int32_t>(i));
  auto better = [&](int32_t a, int32_t b) { return scores[a] > scores[b] || (scores[a] == scores[b] && a < b); };
  // Sort a head of the order; grow it until the kept set ends inside it.
  size_t sorted = 0, keep = 0;
  double above = 0.0;
  // transformers compares float32 cumsums against 1 - top_p; the complement form keeps that cut.
  const double threshold = 1.0 - static_cast<double>(1.0f - top_p_);
  for (size_t chunk = 256;; chunk *= 4) {
    size_t upto = std::min(order.size(), chunk);
    if (upto > sorted) {
      std::partial_sort(order.begin() + sorted, order.begin() + upto, order.end(), better);
      sorted = upto;
    }
    while (keep < sorted && (above < threshold || static_cast<int>(keep) < min_keep_)) above += probs[order[keep++]];
    if (keep < sorted || sorted == order.size()) break;
  }
  std::vector<char> kept(scores.size(), 0);
  for (size_t i = 0; i < keep; ++i) kept[order[i]] = 1;
  for (size_t i = 0; i < scores.size(); ++i)
    if (!kept[i]) scores[i] = kFilterValue;
}

}  // namespace hf::generation
