// LoadOptions::kv_cache_dtype: a model whose KV cache holds f16 / bf16 against the same model with
// the float32 cache, on the tiny fixtures. Each fixture case's prompt, then greedy steps chosen by
// the float32 model and fed to both (teacher forcing, so one early flip does not make every later
// step incomparable): the largest |Δlogit| over all positions and steps, relative to the largest
// logit, stays within what the rounding explains (f16 keeps 11 significant bits, bf16 8: measured
// at most 0.32% and 3.1% on these fixtures), and the greedy choices agree (f16: all of them; bf16:
// measured 98% to 100%, a near-tie may flip). The figures are printed (docs/ARCHITECTURE.md
// quotes them).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/json.h"
#include "hf/causal_lm.h"
#include "hf/error.h"

namespace hf {
namespace {

struct Figures {
  double max_diff = 0, max_logit = 0;
  int steps = 0, agree = 0;
};

LoadOptions kv_cache(const std::string& dtype) {
  LoadOptions o;
  o.kv_cache_dtype = dtype;
  return o;
}

int64_t top_token(const float* l, int64_t V) { return std::max_element(l, l + V) - l; }

Figures compare(const std::string& fixture, const std::string& dtype, int new_tokens) {
  const std::string dir = std::string(HF_FIXTURES) + "/" + fixture;
  const auto exact = load_causal_lm(dir), half = load_causal_lm(dir, kv_cache(dtype));
  const json expected = read_json_file(dir + "/expected.json");
  const int64_t V = exact->config().vocab_size;
  Figures f;
  for (const json& c : expected["cases"]) {
    std::vector<int32_t> ids = c["input_ids"].get<std::vector<int32_t>>();
    if (ids.size() > 200) ids.resize(200);  // the long case: its first 200 tokens are plenty
    auto ce = exact->new_cache(1, int64_t(ids.size()) + new_tokens), ch = half->new_cache(1, int64_t(ids.size()) + new_tokens);
    ForwardInput in;
    in.seq = static_cast<int>(ids.size());
    in.input_ids = ids;
    in.all_positions = true;
    for (int step = 0; step <= new_tokens; ++step) {
      const Tensor le = exact->forward(in, *ce), lh = half->forward(in, *ch);
      const float *a = le.data_as<float>(), *b = lh.data_as<float>();
      for (int64_t i = 0; i < le.numel(); ++i) {
        f.max_diff = std::max(f.max_diff, double(std::fabs(a[i] - b[i])));
        f.max_logit = std::max(f.max_logit, double(std::fabs(a[i])));
      }
      const int64_t last = (le.numel() / V - 1) * V;  // the last position's row
      const int64_t next = top_token(a + last, V);
      ++f.steps, f.agree += next == top_token(b + last, V);
      ids.assign(1, int32_t(next));
      in.seq = 1;
      in.input_ids = ids;
      in.all_positions = false;
    }
  }
  std::printf("kv %-5s %-15s max|dlogit| %.3g (logits up to %.3g), greedy %d/%d agree\n", dtype.c_str(),
              fixture.c_str(), f.max_diff, f.max_logit, f.agree, f.steps);
  return f;
}

class KVCacheDtype : public ::testing::TestWithParam<std::string> {};

TEST_P(KVCacheDtype, HalfCachesStayCloseToFloat32) {
  struct Bound {
    const char* dtype;
    double relative, agreement;
  };
  for (const Bound b : {Bound{"f16", 1e-2, 1.0}, Bound{"bf16", 5e-2, 0.95}}) {
    SCOPED_TRACE(b.dtype);
    const Figures f = compare(GetParam(), b.dtype, 16);
    EXPECT_GT(f.max_diff, 0.0) << "the cache really rounds";
    EXPECT_LT(f.max_diff, b.relative * f.max_logit);
    EXPECT_GE(f.agree, b.agreement * f.steps);
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, KVCacheDtype,
                         ::testing::Values("tiny-qwen2", "tiny-qwen3", "tiny-mistral", "tiny-gemma2", "tiny-gemma3",
                                           "tiny-phi3", "tiny-gpt2", "tiny-mixtral"),
                         [](const auto& info) {
                           std::string n = info.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

TEST(KVCacheDtypeOption, HalvesTheCacheMemory) {
  const std::string dir = HF_FIXTURES "/tiny-qwen2";
  const auto f32 = load_causal_lm(dir), f16 = load_causal_lm(dir, kv_cache("f16"));
  auto a = f32->new_cache(1, 100), b = f16->new_cache(1, 100);
  const int32_t id = 5;
  ForwardInput in;
  in.seq = 1;
  in.input_ids = std::span<const int32_t>(&id, 1);
  f32->forward(in, *a);
  f16->forward(in, *b);
  const ModelConfig& c = f32->config();
  const int64_t per_position = 2 * c.num_hidden_layers * c.num_key_value_heads * c.head_dim;
  EXPECT_EQ(a->memory_bytes(), 64 * per_position * 4);  // storage starts at 64 positions
  EXPECT_EQ(b->memory_bytes(), 64 * per_position * 2);
}

TEST(KVCacheDtypeOption, UnknownSpellingIsAConfigError) {
  try {
    load_causal_lm(HF_FIXTURES "/tiny-qwen2", kv_cache("f8"));
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("'f8' is not one of f32, f16, bf16"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace hf
