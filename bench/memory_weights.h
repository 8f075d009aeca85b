#pragma once
// Named float32 tensors held in memory, filled with reproducible random values: the benches'
// stand-in for a checkpoint, so that no multi-hundred-MiB file is downloaded, written or committed.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "io/weight_source.h"

namespace hf::bench {

// Named tensors held in memory.
class MemoryWeights : public WeightSource {
 public:
  bool has(const std::string& n) const override { return t_.count(n) > 0; }
  Tensor get(const std::string& n) const override { return t_.at(n); }
  std::vector<std::string> names() const override {
    std::vector<std::string> v;
    for (const auto& [k, _] : t_) v.push_back(k);
    return v;
  }
  std::string describe() const override { return "random weights"; }

  // Uniform in [-scale, scale) from a fixed-seed xorshift generator (fast and reproducible).
  void random(const std::string& name, std::vector<int64_t> shape, float scale) {
    Tensor t = Tensor::zeros(DType::F32, std::move(shape));
    float* p = t.mutable_data_as<float>();
    for (int64_t i = 0; i < t.numel(); ++i) {
      state_ ^= state_ << 13, state_ ^= state_ >> 7, state_ ^= state_ << 17;
      p[i] = scale * (static_cast<float>(state_ >> 40) / static_cast<float>(1 << 24) * 2.0f - 1.0f);
    }
    t_[name] = t;
  }
  void constant(const std::string& name, int64_t n, float v) {
    Tensor t = Tensor::zeros(DType::F32, {n});
    for (int64_t i = 0; i < n; ++i) t.mutable_data_as<float>()[i] = v;
    t_[name] = t;
  }

 private:
  std::map<std::string, Tensor> t_;
  uint64_t state_ = 0x9E3779B97F4A7C15ull;
};

}  // namespace hf::bench
