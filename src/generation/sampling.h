#pragma once
// Choosing the next token from processed scores: greedy argmax, or a draw from softmax(scores)
// with a seedable std::mt19937_64 (the same seed gives the same tokens on every platform: the
// uniform draw is built from the raw 64-bit output, not from a library distribution).
#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <vector>

namespace hf::generation {

// Index of the largest score; the first one on ties, a NaN before any number (torch.argmax).
int32_t argmax(std::span<const float> scores);

class Sampler {
 public:
  // No seed: seeded from std::random_device.
  explicit Sampler(std::optional<uint64_t> seed = std::nullopt);
  // multinomial(softmax(scores), 1); -inf scores are never drawn.
  int32_t sample(std::span<const float> scores);
  // A uniform double in [0, 1) (53 random bits).
  double uniform();

 private:
  std::mt19937_64 rng_;
  std::vector<float> probs_;  // reused between steps
};

}  // namespace hf::generation
