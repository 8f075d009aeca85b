// Small random decoder-only models of shapes the fixture does not cover (llama, untied head,
// head_dim 64/128, several KV-head ratios, qwen3 q/k norms, sliding window, rope scalings, experts),
// built in memory. The KV-cache path (prefill + one token at a time, or uneven chunks) must
// give the logits of a full recompute of the same sequence, and a left-padded batch must give
// each row's logits alone.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>

#include "hf/error.h"
#include "models/decoder_lm.h"

namespace hf {
namespace {

class MemoryWeights : public WeightSource {
 public:
  void add(const std::string& name, std::vector<int64_t> shape, DType dtype, std::mt19937& rng, float std, float mean = 0) {
    Tensor t = Tensor::zeros(dtype, shape);
    std::normal_distribution<float> dist(mean, std);
    for (int64_t i = 0; i < t.numel(); ++i) {
      float v = dist(rng);
      if (dtype == DType::F32) t.mutable_data_as<float>()[i] = v;
      else if (dtype == DType::BF16) t.mutable_data_as<uint16_t>()[i] = f32_to_bf16(v);
      else t.mutable_data_as<uint16_t>()[i] = f32_to_f16(v);
    }
    tensors_[name] = t;
    order_.push_back(name);
  }
  bool has(const std::string& n) const override { return tensors_.count(n) > 0; }
  Tensor get(const std::string& n) const override {
    if (!has(n)) throw ModelError("memory: no tensor '" + n + "'");
    return tensors_.at(n);
  }
  std::vector<std::string> names() const override { return order_; }
  std::string describe() const override { return "memory"; }
  void erase(const std::string& n) { tensors_.erase(n); }
  void put(const std::string& n, Tensor t) { tensors_[n] = t; }

 private:
  std::map<std::string, Tensor> tensors_;
  std::vector<std::string> order_;
};

ModelConfig make_config(const std::string& type, int64_t hidden, int heads, int kv_heads, int64_t head_dim) {
  ModelConfig c;
  c.model_type = type;
  c.vocab_size = 97;
  c.hidden_size = hidden;
  c.intermediate_size = 2 * hidden + 8;
  c.num_hidden_layers = 2;
  c.num_attention_heads = heads;
  c.num_key_value_heads = kv_heads;
  c.head_dim = head_dim;
  c.max_position_embeddings = 4096;
  c.rope_theta = 10000;
  c.rms_norm_eps = 1e-5;
  c.attention_bias = type == "qwen2";
  c.qk_norm = type == "qwen3" || type == "qwen3_moe";
  if (type == "qwen3_moe") {  // 6 experts, top-2, layer 1 dense
    c.num_experts = 6;
    c.num_experts_per_tok = 2;
    c.moe_intermediate_size = hidden / 2 + 4;
    c.moe_layers = {true, false};
  }
  return c;
}

std::shared_ptr<MemoryWeights> random_weights(const ModelConfig& c, DType dtype, uint32_t seed) {
  auto w = std::make_shared<MemoryWeights>();
  std::mt19937 rng(seed);
  const int64_t H = c.hidden_size, I = c.intermediate_size, hd = c.head_dim;
  const int64_t q = c.num_attention_heads * hd, kv = c.num_key_value_heads * hd;
  const float s = 1.0f / std::sqrt(float(H));
  w->add("model.embed_tokens.weight", {c.vocab_size, H}, dtype, rng, 1.0f);
  for (int l = 0; l < c.num_hidden_layers; ++l) {
    const std::string p = "model.layers." + std::to_string(l) + ".";
    w->add(p + "input_layernorm.weight", {H}, dtype, rng, 0.1f, 1.0f);
    w->add(p + "post_attention_layernorm.weight", {H}, dtype, rng, 0.1f, 1.0f);
    w->add(p + "self_attn.q_proj.weight", {q, H}, dtype, rng, 2 * s);
    w->add(p + "self_attn.k_proj.weight", {kv, H}, dtype, rng, 2 * s);
    w->add(p + "self_attn.v_proj.weight", {kv, H}, dtype, rng, s);
    w->add(p + "self_attn.o_proj.weight", {H, q}, dtype, rng, s);
    if (c.attention_bias) {
      w->add(p + "self_attn.q_proj.bias", {q}, dtype, rng, 0.2f);
      w->add(p + "self_attn.k_proj.bias", {kv}, dtype, rng, 0.2f);
      w->add(p + "self_attn.v_proj.bias", {kv}, dtype, rng, 0.2f);
    }
    if (c.o_proj_bias) w->add(p + "self_attn.o_proj.bias", {H}, dtype, rng, 0.2f);
    if (c.qk_norm) {
      w->add(p + "self_attn.q_norm.weight", {hd}, dtype, rng, 0.1f, 1.0f);
      w->add(p + "self_attn.k_norm.weight", {hd}, dtype, rng, 0.1f, 1.0f);
    }
    if (!c.moe_layers.empty() && c.moe_layers[l]) {  // Qwen-MoE names
      const int64_t E = c.num_experts, Ie = c.moe_intermediate_size;
      w->add(p + "mlp.gate.weight", {E, H}, dtype, rng, 4 * s);
      for (int64_t e = 0; e < E; ++e) {
        const std::string x = p + "mlp.experts." + std::to_string(e) + ".";
        w->add(x + "gate_proj.weight", {Ie, H}, dtype, rng, s);
        w->add(x + "up_proj.weight", {Ie, H}, dtype, rng, s);
        w->add(x + "down_proj.weight", {H, Ie}, dtype, rng, 1.0f / std::sqrt(float(Ie)));
      }
      continue;
    }
    w->add(p + "mlp.gate_proj.weight", {I, H}, dtype, rng, s);
    w->add(p + "mlp.up_proj.weight", {I, H}, dtype, rng, s);
    w->add(p + "mlp.down_proj.weight", {H, I}, dtype, rng, 1.0f / std::sqrt(float(I)));
  }
  w->add("model.norm.weight", {H}, dtype, rng, 0.1f, 1.0f);
  if (!c.tie_word_embeddings) w->add("lm_head.weight", {c.vocab_size, H}, dtype, rng, s);
  return w;
}

std::vector<int32_t> random_ids(int n, int64_t vocab, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<int32_t> ids(n);
  for (auto& id : ids) id = int32_t(rng() % vocab);
  return ids;
}

// Logits of every position, one forward over the whole sequence.
std::vector<float> full_recompute(const DecoderLM& m, const std::vector<int32_t>& ids) {
  auto cache = m.new_cache(1, int64_t(ids.size()));
  ForwardInput in;
  in.seq = int(ids.size());
  in.input_ids = ids;
  in.all_positions = true;
  Tensor t = m.forward(in, *cache);
  return std::vector<float>(t.data_as<float>(), t.data_as<float>() + t.numel());
}

// Logits of every position through the cache, feeding the sequence in chunks of `chunks` sizes.
std::vector<float> incremental(const DecoderLM& m, const std::vector<int32_t>& ids, const std::vector<int>& chunks) {
  auto cache = m.new_cache(1, int64_t(ids.size()));
  std::vector<float> out;
  size_t pos = 0;
  for (size_t c = 0; pos < ids.size(); ++c) {
    const int n = std::min<int>(c < chunks.size() ? chunks[c] : 1, int(ids.size() - pos));
    ForwardInput in;
    in.seq = n;
    in.input_ids = std::span<const int32_t>(ids.data() + pos, n);
    in.all_positions = true;
    Tensor t = m.forward(in, *cache);
    out.insert(out.end(), t.data_as<float>(), t.data_as<float>() + t.numel());
    pos += n;
  }
  EXPECT_EQ(cache->length(), int64_t(ids.size()));
  return out;
}

void expect_close(const std::vector<float>& a, const std::vector<float>& b, const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, double(std::abs(a[i] - b[i])));
  EXPECT_LT(worst, 2e-4) << what;
}

struct Shape {
  std::string name, type;
  int64_t hidden;
  int heads, kv_heads;
  int64_t head_dim;
  bool tie;
  DType dtype;
  std::string rope = "default";
  int64_t window = 0;
};
void PrintTo(const Shape& s, std::ostream* os) { *os << s.name; }

class DecoderShapes : public ::testing::TestWithParam<Shape> {};

TEST_P(DecoderShapes, KvCacheMatchesFullRecompute) {
  const Shape& s = GetParam();
  ModelConfig c = make_config(s.type, s.hidden, s.heads, s.kv_heads, s.head_dim);
  c.tie_word_embeddings = s.tie;
  c.rope_scaling.rope_type = s.rope;
  c.rope_scaling.factor = 4.0;
  c.rope_scaling.original_max_position_embeddings = 8;  // llama3: wavelengths around the sequence length
  c.sliding_window = s.window;
  DecoderLM model(c, random_weights(c, s.dtype, 7));
  const auto ids = random_ids(23, c.vocab_size, 3);
  const auto full = full_recompute(model, ids);
  expect_close(incremental(model, ids, {5}), full, s.name + ": prefill 5 then one at a time");
  expect_close(incremental(model, ids, {1, 7, 2, 9, 4}), full, s.name + ": uneven chunks");
}

INSTANTIATE_TEST_SUITE_P(
    Models, DecoderShapes,
    ::testing::Values(Shape{"qwen2_gqa2", "qwen2", 64, 4, 2, 16, true, DType::BF16},
                      Shape{"llama_untied_hd64_mha", "llama", 128, 2, 2, 64, false, DType::BF16},
                      Shape{"llama_hd128_gqa4", "llama", 256, 4, 1, 128, false, DType::F32},
                      Shape{"llama_hd64_gqa3_f16", "llama", 96, 6, 2, 64, true, DType::F16},
                      Shape{"qwen3_qk_norm_hd128", "qwen3", 64, 4, 2, 128, true, DType::BF16},
                      Shape{"mistral_window5", "mistral", 64, 4, 1, 32, false, DType::BF16, "default", 5},
                      Shape{"llama3_rope", "llama", 64, 2, 1, 32, false, DType::BF16, "llama3"},
                      Shape{"linear_rope", "llama", 64, 2, 2, 32, false, DType::BF16, "linear"},
                      Shape{"qwen3_moe_top2_of_6", "qwen3_moe", 64, 4, 2, 16, true, DType::BF16}),
    [](const ::testing::TestParamInfo<Shape>& i) { return i.param.name; });

TEST(DecoderBatch, LeftPaddedRowsMatchEachPromptAlone) {
  ModelConfig c = make_config("llama", 128, 4, 2, 32);
  DecoderLM model(c, random_weights(c, DType::BF16, 11));
  const auto a = random_ids(9, c.vocab_size, 1), b = random_ids(4, c.vocab_size, 2);
  // Row 1 is left-padded by 5 with an arbitrary id; its positions start at 0 after the pads.
  std::vector<int32_t> ids = a, pos, mask_ids;
  std::vector<uint8_t> mask(18, 1);
  ids.insert(ids.end(), {0, 0, 0, 0, 0});
  ids.insert(ids.end(), b.begin(), b.end());
  for (int i = 0; i < 9; ++i) pos.push_back(i);
  for (int i = 0; i < 5; ++i) pos.push_back(1), mask[9 + i] = 0;
  for (int i = 0; i < 4; ++i) pos.push_back(i);
  auto cache = model.new_cache(2, 12);
  Tensor batched = model.forward(ForwardInput{2, 9, ids, pos, mask}, *cache);
  for (int r = 0; r < 2; ++r) {
    const auto& prompt = r == 0 ? a : b;
    auto single_cache = model.new_cache(1, 12);
    ForwardInput in;
    in.seq = int(prompt.size());
    in.input_ids = prompt;
    Tensor alone = model.forward(in, *single_cache);
    std::vector<float> x(batched.data_as<float>() + r * c.vocab_size, batched.data_as<float>() + (r + 1) * c.vocab_size);
    expect_close(x, std::vector<float>(alone.data_as<float>(), alone.data_as<float>() + c.vocab_size), "row " + std::to_string(r));
  }
  // One decode step for both rows, then reorder (beam search) swaps them.
  std::vector<int32_t> next = {5, 6}, next_pos = {9, 4};
  std::vector<uint8_t> mask2;
  for (int r = 0; r < 2; ++r) {
    mask2.insert(mask2.end(), mask.begin() + r * 9, mask.begin() + (r + 1) * 9);
    mask2.push_back(1);
  }
  auto copy = model.new_cache(2, 12);
  model.forward(ForwardInput{2, 9, ids, pos, mask}, *copy);
  Tensor step = model.forward(ForwardInput{2, 1, next, next_pos, mask2}, *cache);
  const std::vector<int32_t> swap = {1, 0};
  copy->reorder(swap);
  std::vector<int32_t> next_sw = {6, 5}, pos_sw = {4, 9};
  std::vector<uint8_t> mask_sw(mask2.begin() + 10, mask2.end());
  mask_sw.insert(mask_sw.end(), mask2.begin(), mask2.begin() + 10);
  Tensor swapped = model.forward(ForwardInput{2, 1, next_sw, pos_sw, mask_sw}, *copy);
  for (int r = 0; r < 2; ++r) {
    std::vector<float> x(step.data_as<float>() + r * c.vocab_size, step.data_as<float>() + (r + 1) * c.vocab_size);
    std::vector<float> y(swapped.data_as<float>() + (1 - r) * c.vocab_size, swapped.data_as<float>() + (2 - r) * c.vocab_size);
    expect_close(x, y, "reordered row " + std::to_string(r));
  }
}

// Prompts longer than the model's prefill chunk run in several passes; a left-padded batch must
// still slice ids, positions and mask per row correctly.
TEST(DecoderBatch, LongLeftPaddedPromptsRunInChunks) {
  ModelConfig c = make_config("qwen2", 64, 4, 2, 16);
  DecoderLM model(c, random_weights(c, DType::BF16, 5));
  const int S = 700, pad = 150;
  const auto a = random_ids(S, c.vocab_size, 8), b = random_ids(S - pad, c.vocab_size, 9);
  std::vector<int32_t> ids = a, pos;
  std::vector<uint8_t> mask(2 * S, 1);
  for (int i = 0; i < S; ++i) pos.push_back(i);
  ids.insert(ids.end(), pad, 0);
  for (int i = 0; i < pad; ++i) pos.push_back(1), mask[S + i] = 0;
  ids.insert(ids.end(), b.begin(), b.end());
  for (int i = 0; i < S - pad; ++i) pos.push_back(i);
  auto cache = model.new_cache(2, S);
  Tensor batched = model.forward(ForwardInput{2, S, ids, pos, mask}, *cache);
  EXPECT_EQ(cache->length(), S);
  for (int r = 0; r < 2; ++r) {
    // Alone, through the cache in passes of other lengths (chunked differently: a model this small
    // has the 64-token floor for a chunk, its activations being bounded by its weights' size).
    const auto per_position = incremental(model, r == 0 ? a : b, {300, 300, 100});
    std::vector<float> alone(per_position.end() - c.vocab_size, per_position.end());
    std::vector<float> x(batched.data_as<float>() + r * c.vocab_size, batched.data_as<float>() + (r + 1) * c.vocab_size);
    expect_close(x, alone, "long row " + std::to_string(r));
  }
  // Logits of every position of a chunked prompt, against passes of other lengths.
  expect_close(full_recompute(model, a), incremental(model, a, {300, 300, 100}), "all positions, chunked");
}

// Decoding reads only the chosen experts: router rows e · u send every token to the experts at
// one end (u · x > 0: the highest, else the lowest), so the middle expert is never chosen. Its
// weights are NaN, which would poison any output that touched them.
TEST(DecoderMoe, UnchosenExpertsAreNeverRead) {
  ModelConfig c = make_config("qwen3_moe", 64, 4, 2, 16);
  c.num_experts = 5;
  auto w = random_weights(c, DType::F32, 21);
  const int64_t H = c.hidden_size, Ie = c.moe_intermediate_size;
  Tensor router = Tensor::zeros(DType::F32, {5, H});
  std::mt19937 rng(4);
  std::normal_distribution<float> d(0, 1);
  std::vector<float> u(H);
  for (float& x : u) x = d(rng);
  for (int64_t e = 0; e < 5; ++e)
    for (int64_t i = 0; i < H; ++i) router.mutable_data_as<float>()[e * H + i] = float(e - 2) * u[i];
  w->erase("model.layers.0.mlp.gate.weight");
  w->put("model.layers.0.mlp.gate.weight", router);
  for (const char* m : {"gate_proj", "up_proj", "down_proj"}) {
    const std::string name = std::string("model.layers.0.mlp.experts.2.") + m + ".weight";
    Tensor nan = Tensor::zeros(DType::F32, std::string(m) == "down_proj" ? std::vector<int64_t>{H, Ie} : std::vector<int64_t>{Ie, H});
    std::fill_n(nan.mutable_data_as<float>(), nan.numel(), std::nanf(""));
    w->put(name, nan);
  }
  DecoderLM model(c, w);
  const auto ids = random_ids(12, c.vocab_size, 5);
  const auto logits = incremental(model, ids, {6});
  for (float x : logits) ASSERT_TRUE(std::isfinite(x));
  expect_close(logits, full_recompute(model, ids), "moe: prefill 6 then one at a time");
}

TEST(DecoderErrors, MissingAndMisshapenTensorsAreNamed) {
  ModelConfig c = make_config("llama", 64, 2, 2, 32);
  auto w = random_weights(c, DType::BF16, 1);
  w->erase("model.layers.1.mlp.up_proj.weight");
  try {
    DecoderLM m(c, w);
    FAIL();
  } catch (const ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("model.layers.1.mlp.up_proj.weight"), std::string::npos) << e.what();
  }
  ModelConfig wrong = c;
  wrong.intermediate_size += 1;
  try {
    DecoderLM m(wrong, random_weights(c, DType::BF16, 1));
    FAIL();
  } catch (const ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("gate_proj"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("config.json implies"), std::string::npos) << e.what();
  }
}

TEST(DecoderErrors, BadForwardInputs) {
  ModelConfig c = make_config("llama", 64, 2, 2, 32);
  DecoderLM m(c, random_weights(c, DType::BF16, 1));
  auto cache = m.new_cache(1, 4);
  std::vector<int32_t> ids = {1, 2, 3};
  ForwardInput in;
  in.seq = 2;  // inconsistent with 3 ids
  in.input_ids = ids;
  EXPECT_THROW(m.forward(in, *cache), InputError);
  std::vector<int32_t> bad = {1000};
  ForwardInput oov;
  oov.seq = 1;
  oov.input_ids = bad;
  EXPECT_THROW(m.forward(oov, *cache), InputError);
  std::vector<int32_t> five = {1, 2, 3, 4, 5};
  ForwardInput big;
  big.seq = 5;
  big.input_ids = five;
  EXPECT_THROW(m.forward(big, *cache), InputError);  // capacity 4
}

}  // namespace
}  // namespace hf
