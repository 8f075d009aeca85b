#pragma once
// Softmax over a row of scores, shared by the warpers and the sampler. -inf scores (removed by a
// processor) get probability exactly 0.
#include <cmath>
#include <limits>
#include <span>
#include <vector>

namespace hf::generation {

inline constexpr float kFilterValue = -std::numeric_limits<float>::infinity();

// probs[i] = exp(scores[i] - max) / sum; the sum is accumulated in double so that the result
// does not depend on the vocabulary order. Returns the log of the normaliser (logsumexp).
inline double softmax(std::span<const float> scores, std::vector<float>& probs) {
  float mx = kFilterValue;
  for (float s : scores) mx = s > mx ? s : mx;
  probs.resize(scores.size());
  if (mx == kFilterValue) {  // everything removed: keep a defined (uniform) distribution
    for (float& p : probs) p = 1.0f / static_cast<float>(probs.size());
    return 0.0;
  }
  double sum = 0.0;
  for (size_t i = 0; i < scores.size(); ++i) {
    float e = scores[i] == kFilterValue ? 0.0f : std::exp(scores[i] - mx);
    probs[i] = e;
    sum += e;
  }
  const float inv = static_cast<float>(1.0 / sum);
  for (float& p : probs) p *= inv;
  return static_cast<double>(mx) + std::log(sum);
}

}  // namespace hf::generation
