// TemperatureLogitsWarper: scores / T (T < 1 sharpens, T > 1 flattens).
#include "generation/logits_processors.h"

namespace hf::generation {

TemperatureLogitsWarper::TemperatureLogitsWarper(float temperature) : temperature_(temperature) {}

void TemperatureLogitsWarper::operator()(std::span<const int32_t>, std::span<float> scores) const {
  for (float& s : scores) s = s / temperature_;  // a division, as torch does, not a multiply by 1/T
}

}  // namespace hf::generation
