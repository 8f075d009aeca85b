// GPTQ and AWQ checkpoints as the Hub ships them (models/prequantized_weights.h): packed layers
// made here from random integers by a plain packer written from the formats' documentation
// (AutoGPTQ's QuantLinear.pack, AutoAWQ's WQLinear_GEMM.from_linear), unpacked by the loader and
// compared with the float64 weights scale × (q - zero); the storage chosen for each; every
// inconsistent config or tensor rejected with a clear error; and tiny-qwen2 quantized GPTQ-style
// running next to its own dequantized weights.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <cstdio>
#include <map>
#include <numeric>
#include <random>

#include "core/json.h"
#include "hf/causal_lm.h"
#include "hf/error.h"
#include "io/safetensors.h"
#include "kernels/kernels.h"
#include "models/decoder_lm.h"
#include "models/prequantized_weights.h"
#include "models/quantization_error.h"

namespace hf {
namespace {

class PrequantizedWeights : public WeightSource {
 public:
  void add(const std::string& name, Tensor t) {
    if (!tensors_.count(name)) order_.push_back(name);
    tensors_[name] = std::move(t);
  }
  void remove(const std::string& name) {
    tensors_.erase(name);
    order_.erase(std::find(order_.begin(), order_.end(), name));
  }
  bool has(const std::string& name) const override { return tensors_.count(name) > 0; }
  Tensor get(const std::string& name) const override {
    if (!has(name)) throw ModelError("memory: no tensor '" + name + "'");
    return tensors_.at(name);
  }
  std::vector<std::string> names() const override { return order_; }
  std::string describe() const override { return "memory"; }

 private:
  std::map<std::string, Tensor> tensors_;
  std::vector<std::string> order_;
};

template <class T>
Tensor tensor(DType type, std::vector<int64_t> shape, const std::vector<T>& values) {
  Tensor t = Tensor::zeros(type, std::move(shape));
  std::memcpy(t.mutable_data(), values.data(), values.size() * sizeof(T));
  return t;
}

// One quantized linear layer before packing: unsigned q [K][N] (as the packers index it), zero
// points and f16 scales [G][N], the group of each input.
struct Layer {
  int bits = 4;
  int64_t N = 0, K = 0, G = 0;
  std::vector<int> q, zero;
  std::vector<uint16_t> scale;
  std::vector<int32_t> g_idx;
  // weight (n, k) in float64.
  double weight(int64_t n, int64_t k) const {
    const int64_t g = g_idx[k];
    return double(f16_to_f32(scale[g * N + n])) * (q[k * N + n] - zero[g * N + n]);
  }
};

Layer random_layer(int bits, int64_t N, int64_t K, int64_t group, std::mt19937& rng, int fixed_zero = -1) {
  Layer L;
  L.bits = bits, L.N = N, L.K = K, L.G = group == -1 ? 1 : K / group;
  const int maxq = (1 << bits) - 1;
  L.q.resize(K * N);
  for (int& v : L.q) v = int(rng() % (maxq + 1));
  L.zero.resize(L.G * N);
  for (int& z : L.zero) z = fixed_zero >= 0 ? fixed_zero : 1 + int(rng() % maxq);  // 1..maxq: legacy stores zero - 1
  L.scale.resize(L.G * N);
  for (auto& s : L.scale) s = f32_to_f16(0.001f + 0.01f * float(rng() % 1000) / 1000.0f);
  L.g_idx.resize(K);
  for (int64_t k = 0; k < K; ++k) L.g_idx[k] = int32_t(group == -1 ? 0 : k / group);
  return L;
}

// AutoGPTQ: qweight[k / p][n] holds q[k][n] at bits * (k % p); qzeros[g][n / p] holds
// (zero - 1 in the legacy format) at bits * (n % p).
void pack_gptq(PrequantizedWeights& w, const std::string& prefix, const Layer& L, bool legacy, bool with_g_idx) {
  const int p = 32 / L.bits, mask = (1 << L.bits) - 1;
  std::vector<uint32_t> qweight(L.K / p * L.N, 0), qzeros(L.G * L.N / p, 0);
  for (int64_t k = 0; k < L.K; ++k)
    for (int64_t n = 0; n < L.N; ++n) qweight[(k / p) * L.N + n] |= uint32_t(L.q[k * L.N + n]) << (L.bits * (k % p));
  for (int64_t g = 0; g < L.G; ++g)
    for (int64_t n = 0; n < L.N; ++n)
      qzeros[g * (L.N / p) + n / p] |= uint32_t((L.zero[g * L.N + n] - (legacy ? 1 : 0)) & mask) << (L.bits * (n % p));
  w.add(prefix + ".qweight", tensor(DType::I32, {L.K / p, L.N}, qweight));
  w.add(prefix + ".qzeros", tensor(DType::I32, {L.G, L.N / p}, qzeros));
  w.add(prefix + ".scales", tensor(DType::F16, {L.G, L.N}, L.scale));
  if (with_g_idx) w.add(prefix + ".g_idx", tensor(DType::I32, {L.K}, L.g_idx));
}

// AutoAWQ (GEMM): qweight[k][c] holds q[k][8c + order[i]] at 4 * i, order = {0, 2, 4, 6, 1, 3, 5, 7};
// qzeros the same over [g][n].
void pack_awq(PrequantizedWeights& w, const std::string& prefix, const Layer& L) {
  const int order[8] = {0, 2, 4, 6, 1, 3, 5, 7};
  std::vector<uint32_t> qweight(L.K * L.N / 8, 0), qzeros(L.G * L.N / 8, 0);
  for (int64_t c = 0; c < L.N / 8; ++c)
    for (int i = 0; i < 8; ++i) {
      for (int64_t k = 0; k < L.K; ++k) qweight[k * (L.N / 8) + c] |= uint32_t(L.q[k * L.N + 8 * c + order[i]]) << (4 * i);
      for (int64_t g = 0; g < L.G; ++g) qzeros[g * (L.N / 8) + c] |= uint32_t(L.zero[g * L.N + 8 * c + order[i]]) << (4 * i);
    }
  w.add(prefix + ".qweight", tensor(DType::I32, {L.K, L.N / 8}, qweight));
  w.add(prefix + ".qzeros", tensor(DType::I32, {L.G, L.N / 8}, qzeros));
  w.add(prefix + ".scales", tensor(DType::F16, {L.G, L.N}, L.scale));
}

json quant_config(const std::string& method, int bits, int64_t group, const std::string& format = "gptq") {
  json qc = {{"quant_method", method}, {"bits", bits}, {"group_size", group}};
  if (method == "gptq") qc["checkpoint_format"] = format;
  else qc["version"] = "gemm";
  return json{{"model_type", "qwen2"}, {"quantization_config", qc}};
}

// The unpacked weight equals the float64 reference exactly (an f16 scale times a small integer is
// exact in float32), and comes in the expected storage.
void expect_unpacked(const PrequantizedWeights& packed, const json& config, const Layer& L, DType storage) {
  auto source = prequantized_weights(std::make_shared<PrequantizedWeights>(packed), config, "config.json");
  ASSERT_TRUE(source->has("l.weight"));
  const Tensor w = source->get("l.weight");
  EXPECT_EQ(w.dtype(), storage) << dtype_name(w.dtype());
  ASSERT_EQ(w.shape(), (std::vector<int64_t>{L.N, L.K}));
  std::vector<float> row(L.K);
  int64_t wrong = 0;
  for (int64_t n = 0; n < L.N; ++n) {
    kernels::dequantize_row(w, n, row.data());
    for (int64_t k = 0; k < L.K; ++k) wrong += double(row[k]) != L.weight(n, k);
  }
  EXPECT_EQ(wrong, 0) << "of " << L.N * L.K << " weights differ from scale * (q - zero)";
  const auto names = source->names();
  EXPECT_NE(std::find(names.begin(), names.end(), "l.weight"), names.end());
  EXPECT_EQ(std::find(names.begin(), names.end(), "l.qweight"), names.end());
}

TEST(Prequantized, GptqSymmetric4BitIsQ4_0) {
  std::mt19937 rng(1);
  const Layer L = random_layer(4, 96, 128, 32, rng, 8);
  PrequantizedWeights w;
  pack_gptq(w, "l", L, /*legacy=*/true, /*with_g_idx=*/true);
  expect_unpacked(w, quant_config("gptq", 4, 32), L, DType::Q4_0);
}

TEST(Prequantized, GptqAsymmetricV2IsQ8_0) {
  std::mt19937 rng(2);
  const Layer L = random_layer(4, 64, 256, 64, rng);
  PrequantizedWeights w;
  pack_gptq(w, "l", L, /*legacy=*/false, /*with_g_idx=*/false);
  expect_unpacked(w, quant_config("gptq", 4, 64, "gptq_v2"), L, DType::Q8_0);
}

TEST(Prequantized, GptqActOrderGroupsThatCutBlocksAreF32) {
  std::mt19937 rng(3);
  Layer L = random_layer(4, 32, 128, 32, rng);
  std::shuffle(L.g_idx.begin(), L.g_idx.end(), rng);  // desc_act: inputs of every group spread out
  PrequantizedWeights w;
  pack_gptq(w, "l", L, true, true);
  expect_unpacked(w, quant_config("gptq", 4, 32), L, DType::F32);
}

TEST(Prequantized, Gptq8BitPerChannel) {
  std::mt19937 rng(4);
  Layer L = random_layer(8, 32, 192, -1, rng, 128);
  for (int& q : L.q) q = std::max(q, 1);  // q - 128 within -127..127: Q8_0
  PrequantizedWeights w;
  pack_gptq(w, "l", L, true, false);
  expect_unpacked(w, quant_config("gptq", 8, -1), L, DType::Q8_0);
  L.q[5] = 0;  // -128 has no place in Q8_0 (its kernels negate quants): float32
  PrequantizedWeights w2;
  pack_gptq(w2, "l", L, true, false);
  expect_unpacked(w2, quant_config("gptq", 8, -1), L, DType::F32);
}

TEST(Prequantized, Gptq2BitAndOddRowLengths) {
  std::mt19937 rng(5);
  const Layer L = random_layer(2, 48, 128, 32, rng, 2);
  PrequantizedWeights w;
  pack_gptq(w, "l", L, false, false);
  expect_unpacked(w, quant_config("gptq", 2, 32, "gptq_v2"), L, DType::Q4_0);
  const Layer odd = random_layer(4, 16, 96, 32, rng, 8);  // 96 inputs: not the kernels' chunks of 64
  PrequantizedWeights w2;
  pack_gptq(w2, "l", odd, true, false);
  expect_unpacked(w2, quant_config("gptq", 4, 32), odd, DType::F32);
}

TEST(Prequantized, AwqGemmIsQ8_0) {
  std::mt19937 rng(6);
  const Layer L = random_layer(4, 64, 128, 32, rng);
  PrequantizedWeights w;
  pack_awq(w, "l", L);
  expect_unpacked(w, quant_config("awq", 4, 32), L, DType::Q8_0);
}

TEST(Prequantized, ScalesF16CannotHoldAreF32) {
  std::mt19937 rng(7);
  const Layer L = random_layer(4, 16, 64, 32, rng, 8);
  PrequantizedWeights w;
  pack_gptq(w, "l", L, true, false);
  std::vector<float> scales(L.G * L.N);
  for (size_t i = 0; i < scales.size(); ++i) scales[i] = f16_to_f32(L.scale[i]) * (1.0f + 1.0f / 4096);
  w.add("l.scales", tensor(DType::F32, {L.G, L.N}, scales));
  auto source = prequantized_weights(std::make_shared<PrequantizedWeights>(w), quant_config("gptq", 4, 32), "config.json");
  const Tensor t = source->get("l.weight");
  EXPECT_EQ(t.dtype(), DType::F32);
  EXPECT_EQ(t.data_as<float>()[0], scales[0] * float(L.q[0] - L.zero[0]));
}

TEST(Prequantized, NoQuantizationConfigLeavesTheWeightsAlone) {
  auto w = std::make_shared<PrequantizedWeights>();
  EXPECT_EQ(prequantized_weights(w, json{{"model_type", "qwen2"}}, "config.json"), w);
}

TEST(Prequantized, BadConfigsAreConfigErrors) {
  std::mt19937 rng(8);
  PrequantizedWeights w;
  pack_gptq(w, "l", random_layer(4, 16, 64, 32, rng, 8), true, false);
  auto source = std::make_shared<PrequantizedWeights>(w);
  auto with = [](json qc) { return json{{"quantization_config", qc}}; };
  const json bad[] = {
      with({{"quant_method", "bitsandbytes"}, {"load_in_4bit", true}}),
      with({{"quant_method", "fp8"}}),
      with({{"bits", 4}}),                                              // no quant_method
      with({{"quant_method", "gptq"}, {"bits", 3}, {"group_size", 32}}),
      with({{"quant_method", "gptq"}, {"bits", "4"}, {"group_size", 32}}),
      with({{"quant_method", "gptq"}, {"bits", 4}, {"group_size", 0}}),
      with({{"quant_method", "gptq"}, {"bits", 4}, {"group_size", -2}}),
      with({{"quant_method", "gptq"}, {"bits", 4}, {"group_size", 32}, {"checkpoint_format", "marlin"}}),
      with({{"quant_method", "awq"}, {"bits", 4}, {"group_size", 32}, {"version", "gemv"}}),
      with({{"quant_method", "awq"}, {"bits", 8}, {"group_size", 32}}),
      with("gptq"),
  };
  for (const json& config : bad) {
    try {
      prequantized_weights(source, config, "config.json");
      ADD_FAILURE() << "accepted " << config.dump();
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("config.json: quantization_config"), std::string::npos) << e.what();
    }
  }
}

TEST(Prequantized, InconsistentTensorsAreModelErrors) {
  std::mt19937 rng(9);
  const Layer L = random_layer(4, 16, 64, 32, rng, 8);
  PrequantizedWeights good;
  pack_gptq(good, "l", L, true, true);
  auto load = [&](PrequantizedWeights w, const json& config) {
    return prequantized_weights(std::make_shared<PrequantizedWeights>(std::move(w)), config, "config.json")->get("l.weight");
  };
  auto expect_error = [&](PrequantizedWeights w, const std::string& words, const json& config = quant_config("gptq", 4, 32)) {
    try {
      load(std::move(w), config);
      ADD_FAILURE() << "accepted a checkpoint that should fail with: " << words;
    } catch (const ModelError& e) {
      EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    }
  };
  EXPECT_NO_THROW(load(good, quant_config("gptq", 4, 32)));
  expect_error(good, "scales has 2 groups", quant_config("gptq", 4, 16));  // and no g_idx would say otherwise
  PrequantizedWeights w = good;
  w.remove("l.g_idx");
  expect_error(w, "scales has 2 groups", quant_config("gptq", 4, 64));
  w = good;
  w.remove("l.qzeros");
  expect_error(w, "l.qzeros is missing");
  w = good;
  w.add("l.qweight", tensor(DType::F32, {8, 16}, std::vector<float>(128)));
  expect_error(w, "l.qweight has dtype F32");
  w = good;
  w.add("l.qweight", tensor(DType::I32, {8, 8}, std::vector<int32_t>(64)));
  expect_error(w, "l.qweight has shape [8, 8]");
  w = good;
  w.add("l.qzeros", tensor(DType::I32, {2, 1}, std::vector<int32_t>(2)));
  expect_error(w, "l.qzeros has shape [2, 1]");
  w = good;
  std::vector<int32_t> g_idx(64, 0);
  g_idx[7] = 2;
  w.add("l.g_idx", tensor(DType::I32, {64}, g_idx));
  expect_error(w, "g_idx[7] is 2");
  PrequantizedWeights dense;
  dense.add("l.weight", tensor(DType::F32, {16, 64}, std::vector<float>(1024)));
  EXPECT_THROW(prequantized_weights(std::make_shared<PrequantizedWeights>(dense), quant_config("gptq", 4, 32), "config.json"),
               ModelError);  // a quantization_config but nothing packed
}

// tiny-qwen2's projections quantized GPTQ-style (4 bits, symmetric, groups of 32, round to
// nearest) and packed; the model built on them runs next to the same model built on the float32
// dequantized weights. They differ only by the int8 activations of the Q4_0 kernels.
TEST(Prequantized, TinyQwen2PackedRunsLikeItsDequantizedWeights) {
  const std::string dir = HF_FIXTURES "/tiny-qwen2";
  const auto stored = SafetensorsFile::open(dir + "/model.safetensors");
  auto packed = std::make_shared<PrequantizedWeights>(), dense = std::make_shared<PrequantizedWeights>();
  for (const std::string& name : stored->names()) {
    const Tensor t = stored->get(name);
    const bool projection = name.size() > 12 && name.compare(name.size() - 12, 12, "_proj.weight") == 0;
    if (!projection) {
      packed->add(name, t);
      dense->add(name, t);
      continue;
    }
    const int64_t N = t.dim(0), K = t.dim(1), group = 32;
    const std::vector<float> w = t.to_f32();
    Layer L;
    L.N = N, L.K = K, L.G = K / group;
    L.q.resize(K * N);
    L.zero.assign(L.G * N, 8);
    L.scale.resize(L.G * N);
    L.g_idx.resize(K);
    for (int64_t k = 0; k < K; ++k) L.g_idx[k] = int32_t(k / group);
    for (int64_t n = 0; n < N; ++n)
      for (int64_t g = 0; g < L.G; ++g) {
        float amax = 0;
        for (int64_t k = g * group; k < (g + 1) * group; ++k) amax = std::max(amax, std::abs(w[n * K + k]));
        L.scale[g * N + n] = f32_to_f16(2 * amax / 15);  // GPTQ's symmetric range [-amax, amax] over 0..15
        const float s = f16_to_f32(L.scale[g * N + n]);
        for (int64_t k = g * group; k < (g + 1) * group; ++k)
          L.q[k * N + n] = std::clamp(int(std::lround(w[n * K + k] / s)) + 8, 0, 15);
      }
    const std::string prefix = name.substr(0, name.size() - 7);
    pack_gptq(*packed, prefix, L, true, false);
    std::vector<float> reference(N * K);
    for (int64_t n = 0; n < N; ++n)
      for (int64_t k = 0; k < K; ++k) reference[n * K + k] = float(L.weight(n, k));
    dense->add(name, tensor(DType::F32, {N, K}, reference));
  }
  json config = read_json_file(dir + "/config.json");
  config["quantization_config"] = quant_config("gptq", 4, 32)["quantization_config"];
  const DecoderLM gptq(ModelConfig::from_file(dir + "/config.json"), prequantized_weights(packed, config, "config.json"));
  const DecoderLM reference(ModelConfig::from_file(dir + "/config.json"), dense);
  EXPECT_LT(gptq.weight_bytes(), reference.weight_bytes());

  const auto stored_model = load_causal_lm(dir);  // bf16, as the fixture stores it

  const json e = read_json_file(dir + "/expected.json");
  const int64_t V = reference.config().vocab_size;
  double kl = 0, kl_stored = 0;
  int positions = 0, agree = 0, agree_stored = 0;
  for (const json& c : e["cases"]) {
    if (c["input_ids"].size() > 100) continue;
    const std::vector<int32_t> ids = c["input_ids"].get<std::vector<int32_t>>();
    ForwardInput in;
    in.seq = static_cast<int>(ids.size());
    in.input_ids = ids;
    in.all_positions = true;
    auto cache_q = gptq.new_cache(1, in.seq), cache_r = reference.new_cache(1, in.seq);
    auto cache_s = stored_model->new_cache(1, in.seq);
    const Tensor q = gptq.forward(in, *cache_q), r = reference.forward(in, *cache_r);
    const Tensor st = stored_model->forward(in, *cache_s);
    for (int p = 0; p < in.seq; ++p) {
      const float* rp = r.data_as<float>() + p * V;
      const float* qp = q.data_as<float>() + p * V;
      const float* sp = st.data_as<float>() + p * V;
      const auto top1 = [&](const float* l) { return std::max_element(l, l + V) - l; };
      kl += next_token_kl(rp, qp, V);
      agree += top1(rp) == top1(qp);
      kl_stored += next_token_kl(sp, qp, V);
      agree_stored += top1(sp) == top1(qp);
      ++positions;
    }
  }
  std::printf("GPTQ int4 tiny-qwen2 vs its dequantized weights: mean KL %.3g, top-1 agreement %.4f over %d positions\n",
              kl / positions, double(agree) / positions, positions);
  // The weights' own rounding (the figure to set beside --quantize int4's): informative, as the
  // random 64-wide model is far more sensitive than a trained one (see quantized_decoder_test).
  std::printf("GPTQ int4 tiny-qwen2 vs the stored bf16 model: mean KL %.3g, top-1 agreement %.4f\n",
              kl_stored / positions, double(agree_stored) / positions);
  EXPECT_LT(kl_stored / positions, 1.5);  // measured 0.91
  EXPECT_GT(positions, 20);
  EXPECT_LT(kl / positions, 0.02);
  EXPECT_GT(double(agree) / positions, 0.85);
}

}  // namespace
}  // namespace hf
