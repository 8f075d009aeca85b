// LogitNormalization: log_softmax, so that scores are log-probabilities again after the warpers.
#include "generation/logits_processors.h"
#include "generation/probabilities.h"

namespace hf::generation {

void LogitNormalization::operator()(std::span<const int32_t>, std::span<float> scores) const {
  std::vector<float> probs;
  const double lse = softmax(scores, probs);
  for (float& s : scores)
    if (s != kFilterValue) s = static_cast<float>(s - lse);
}

}  // namespace hf::generation
