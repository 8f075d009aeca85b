#include "models/prequantized_weights.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <string>

#include "core/thread_pool.h"
#include "hf/error.h"
#include "io/packed_linear.h"
#include "kernels/block_quants.h"

namespace hf {

namespace {

constexpr int64_t kBlock = 32;  // inputs per scale in Q8_0 / Q4_0
constexpr const char* kPacked[] = {".qweight", ".qzeros", ".scales", ".g_idx"};

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// One packed layer unpacked: integers q - zero and each weight's scale, [N, K] row-major.
struct Unpacked {
  int64_t N, K;
  std::vector<int16_t> values;
  std::vector<float> scales;
  int lowest = 0, highest = 0;
};

Unpacked unpack(const PackedLinear& p) {
  Unpacked u{p.out_features(), p.in_features(), {}, {}};
  u.values.resize(u.N * u.K);
  u.scales.resize(u.N * u.K);
  std::atomic<int> lowest = 0, highest = 0;
  ThreadPool::global().parallel_for(u.N, [&](int64_t n0, int64_t n1) {
    int lo = 0, hi = 0;
    for (int64_t n = n0; n < n1; ++n) {
      p.row(n, u.values.data() + n * u.K, u.scales.data() + n * u.K);
      const auto [mn, mx] = std::minmax_element(u.values.begin() + n * u.K, u.values.begin() + (n + 1) * u.K);
      lo = std::min<int>(lo, *mn), hi = std::max<int>(hi, *mx);
    }
    for (int v = lowest.load(); lo < v && !lowest.compare_exchange_weak(v, lo);) {}
    for (int v = highest.load(); hi > v && !highest.compare_exchange_weak(v, hi);) {}
  }, 16);
  u.lowest = lowest, u.highest = highest;
  return u;
}

// The f16 scale of each block of 32 inputs of every row, or empty when some block has inputs of
// two groups (act-order) or a scale that f16 does not hold exactly.
std::vector<uint16_t> block_scales(const PackedLinear& p, const Unpacked& u) {
  if (u.K % 64 != 0) return {};  // quantized kernels read rows in chunks of 64
  for (int64_t k = 0; k < u.K; ++k)
    if (p.group(k) != p.group(k / kBlock * kBlock)) return {};
  std::vector<uint16_t> out(u.N * u.K / kBlock);
  for (int64_t i = 0; i < int64_t(out.size()); ++i) {
    const float s = u.scales[i * kBlock];
    out[i] = f32_to_f16(s);
    if (f16_to_f32(out[i]) != s) return {};
  }
  return out;
}

Tensor dequantized(const PackedLinear& p) {
  const Unpacked u = unpack(p);
  const std::vector<uint16_t> scales = block_scales(p, u);
  if (!scales.empty() && u.lowest >= -127 && u.highest <= 127) {
    const DType type = u.lowest >= -8 && u.highest <= 7 ? DType::Q4_0 : DType::Q8_0;
    const std::vector<int8_t> narrow(u.values.begin(), u.values.end());
    return kernels::pack_block_quants(type, u.N, u.K, narrow.data(), scales.data());
  }
  // f16 scale × an integer of at most 8 bits needs 19 significant bits: exact in float32.
  Tensor out = Tensor::zeros(DType::F32, {u.N, u.K});
  float* w = out.mutable_data_as<float>();
  for (int64_t i = 0; i < u.N * u.K; ++i) w[i] = u.scales[i] * static_cast<float>(u.values[i]);
  return out;
}

class PrequantizedWeights : public WeightSource {
 public:
  PrequantizedWeights(std::shared_ptr<const WeightSource> inner, PackedQuantConfig config)
      : inner_(std::move(inner)), config_(std::move(config)) {}

  bool has(const std::string& name) const override { return inner_->has(name) || packed(name); }
  std::vector<std::string> names() const override {
    std::vector<std::string> out;
    for (const std::string& n : inner_->names()) {
      if (ends_with(n, ".qweight")) out.push_back(n.substr(0, n.size() - 8) + ".weight");
      else if (std::none_of(std::begin(kPacked), std::end(kPacked), [&](const char* t) { return ends_with(n, t); }))
        out.push_back(n);
    }
    return out;
  }
  std::string describe() const override { return inner_->describe(); }
  void release_pages() const override { inner_->release_pages(); }
  Tensor get(const std::string& name) const override {
    if (!packed(name)) return inner_->get(name);
    return dequantized(PackedLinear(*inner_, name.substr(0, name.size() - 7), config_));
  }

 private:
  // `<layer>.weight` of a layer stored packed (<layer>.qweight).
  bool packed(const std::string& name) const {
    return ends_with(name, ".weight") && !inner_->has(name) && inner_->has(name.substr(0, name.size() - 7) + ".qweight");
  }

  std::shared_ptr<const WeightSource> inner_;
  PackedQuantConfig config_;
};

}  // namespace

std::shared_ptr<const WeightSource> prequantized_weights(std::shared_ptr<const WeightSource> weights,
                                                         const json& config, const std::string& where) {
  if (!config.is_object() || !config.contains("quantization_config")) return weights;
  PackedQuantConfig qc = PackedQuantConfig::from_json(config["quantization_config"], where);
  const std::vector<std::string> names = weights->names();
  if (std::none_of(names.begin(), names.end(), [](const std::string& n) { return ends_with(n, ".qweight"); }))
    throw ModelError(weights->describe() + ": config.json declares " + qc.method +
                     " quantization but no tensor is packed (no '<layer>.qweight')");
  return std::make_shared<PrequantizedWeights>(std::move(weights), std::move(qc));
}

}  // namespace hf
