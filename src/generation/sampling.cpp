// Greedy and multinomial token choice.
#include "generation/sampling.h"

#include "generation/probabilities.h"
#include "kernels/kernels.h"

namespace hf::generation {

int32_t argmax(std::span<const float> scores) {
  return static_cast<int32_t>(kernels::argmax(scores.data(), static_cast<int64_t>(scores.size())));
}

Sampler::Sampler(std::optional<uint64_t> seed) : rng_(seed ? *seed : std::random_device{}()) {}

double Sampler::uniform() { return static_cast<double>(rng_() >> 11) * 0x1.0p-53; }

int32_t Sampler::sample(std::span<const float> scores) {
  softmax(scores, probs_);
  // Inverse CDF over the (unnormalised-by-rounding) cumulative sum; the last token with a
  // non-zero probability catches the rounding remainder.
  double total = 0.0;
  for (float p : probs_) total += p;
  const double target = uniform() * total;
  double cum = 0.0;
  int32_t last_nonzero = 0;
  for (size_t i = 0; i < probs_.size(); ++i) {
    if (probs_[i] <= 0.0f) continue;
    last_nonzero = static_cast<int32_t>(i);
    cum += probs_[i];
    if (target < cum) return last_nonzero;
  }
  return last_nonzero;
}

}  // namespace hf::generation
