// TypicalLogitsWarper (locally typical sampling, Meister et al.): rank tokens by how far their
// surprisal -log p is from the distribution's entropy, keep the closest until their mass
// reaches `mass`.
#include <algorithm>
#include <cmath>

#include "generation/logits_processors.h"
#include "generation/probabilities.h"

namespace hf::generation {

TypicalLogitsWarper::TypicalLogitsWarper(float mass, int min_tokens_to_keep) : mass_(mass), min_keep_(min_tokens_to_keep) {}

void TypicalLogitsWarper::operator()(std::span<const int32_t>, std::span<float> scores) const {
  std::vector<float> probs;
  const double lse = softmax(scores, probs);
  double entropy = 0.0;  // nansum: removed tokens (p = 0) contribute nothing
  for (size_t i = 0; i < scores.size(); ++i)
    if (probs[i] > 0.0f) entropy -= (scores[i] - lse) * probs[i];
  const size_t n = scores.size();
  std::vector<double> shifted(n);
  for (size_t i = 0; i < n; ++i)
    shifted[i] = scores[i] == kFilterValue ? INFINITY : std::abs(-(scores[i] - lse) - entropy);
  std::vector<int32_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = static_cast<int32_t>(i);
  std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return shifted[a] < shifted[b]; });
  // last_ind = number of sorted tokens whose cumulative probability is < mass (clamped); every
  // token strictly less typical than the one at last_ind is removed.
  double cum = 0.0;
  size_t last = 0;
  for (size_t r = 0; r < n; ++r) {
    cum += probs[order[r]];
    if (cum < mass_) last = r + 1;
    else break;
  }
  last = std::min(last, n - 1);
  const double limit = shifted[order[last]];
  for (size_t r = static_cast<size_t>(std::max(min_keep_, 0)); r < n; ++r)
    if (shifted[order[r]] > limit) scores[order[r]] = kFilterValue;
}

}  // namespace hf::generation
