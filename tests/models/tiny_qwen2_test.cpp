// The decoder-only model against tests/fixtures/tiny-qwen2/expected.json (a float64 reference of
// transformers' Qwen2ForCausalLM), with the README's tolerances: tol = 1e-3 × std of the case.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numeric>

#include "core/json.h"
#include "hf/causal_lm.h"

namespace hf {
namespace {

const std::string kDir = HF_FIXTURES "/tiny-qwen2";

const json& expected() {
  static const json e = read_json_file(kDir + "/expected.json");
  return e;
}
std::shared_ptr<const CausalLM> model() {
  static auto m = load_causal_lm(kDir);
  return m;
}

int32_t argmax(const float* x, int64_t n) { return int32_t(std::max_element(x, x + n) - x); }

// Every value the summary records (top20 with its order, samples, min, max, mean, std).
void expect_matches_summary(const float* logits, int64_t V, const json& s, const std::string& what) {
  const double tol = 1e-3 * s["std"].get<double>();
  double sum = 0, sq = 0;
  for (int64_t i = 0; i < V; ++i) sum += logits[i];
  const double mean = sum / V;
  for (int64_t i = 0; i < V; ++i) sq += (logits[i] - mean) * (logits[i] - mean);
  EXPECT_NEAR(mean, s["mean"].get<double>(), tol) << what;
  EXPECT_NEAR(std::sqrt(sq / V), s["std"].get<double>(), tol) << what;
  EXPECT_NEAR(*std::min_element(logits, logits + V), s["min"].get<double>(), tol) << what;
  EXPECT_NEAR(*std::max_element(logits, logits + V), s["max"].get<double>(), tol) << what;
  for (const auto& kv : s["samples"]) EXPECT_NEAR(logits[kv[0].get<int>()], kv[1].get<double>(), tol) << what;
  // Top-20: same ids in the same order, except neighbours closer than 2 tol may swap.
  std::vector<int32_t> order(V);
  std::iota(order.begin(), order.end(), 0);
  std::partial_sort(order.begin(), order.begin() + 20, order.end(),
                    [&](int32_t a, int32_t b) { return logits[a] > logits[b]; });
  const json& top = s["top20"];
  for (size_t i = 0; i < top.size(); ++i) {
    const int id = top[i][0].get<int>();
    EXPECT_NEAR(logits[id], top[i][1].get<double>(), tol) << what << " top20 id " << id;
    if (order[i] != id) {
      const bool near_tie = (i > 0 && std::abs(top[i - 1][1].get<double>() - top[i][1].get<double>()) < 2 * tol) ||
                            (i + 1 < top.size() && std::abs(top[i + 1][1].get<double>() - top[i][1].get<double>()) < 2 * tol);
      EXPECT_TRUE(near_tie) << what << " top20 rank " << i << ": got " << order[i] << ", expected " << id;
    }
  }
}

std::vector<int32_t> ids_of(const json& j) { return j.get<std::vector<int32_t>>(); }

bool is_eos(int32_t id) {
  for (const auto& e : expected()["eos_token_ids"])
    if (e.get<int32_t>() == id) return true;
  return false;
}

class TinyQwen2Case : public ::testing::TestWithParam<int> {};

TEST_P(TinyQwen2Case, LastLogitsAndGreedyContinuation) {
  const json& c = expected()["cases"][GetParam()];
  const std::string name = c["name"];
  const int64_t V = model()->config().vocab_size;
  std::vector<int32_t> ids = ids_of(c["input_ids"]);
  const json& greedy = c["greedy"];
  const int max_new = greedy["max_new_tokens"].get<int>();
  auto cache = model()->new_cache(1, int64_t(ids.size()) + max_new);

  ForwardInput in;
  in.seq = static_cast<int>(ids.size());
  in.input_ids = ids;
  Tensor logits = model()->forward(in, *cache);
  ASSERT_EQ(logits.shape(), (std::vector<int64_t>{1, V}));
  expect_matches_summary(logits.data_as<float>(), V, c["last_logits"], name);

  const auto& full = expected()["full_logits"];
  if (full["case"] == name) {
    std::ifstream f(kDir + "/" + full["file"].get<std::string>(), std::ios::binary);
    std::vector<float> ref(V);
    f.read(reinterpret_cast<char*>(ref.data()), V * 4);
    ASSERT_TRUE(f) << "cannot read the full logits file";
    const double tol = 1e-3 * c["last_logits"]["std"].get<double>();
    double worst = 0;
    for (int64_t i = 0; i < V; ++i) worst = std::max(worst, double(std::abs(logits.data_as<float>()[i] - ref[i])));
    EXPECT_LT(worst, tol) << name << ": largest difference over all " << V << " logits";
  }

  // Greedy through the KV cache, one token at a time.
  std::vector<int32_t> generated;
  for (int step = 0; step < max_new; ++step) {
    int32_t next = argmax(logits.data_as<float>(), V);
    generated.push_back(next);
    if (is_eos(next)) break;
    ForwardInput one;
    one.seq = 1;
    one.input_ids = std::span<const int32_t>(&generated.back(), 1);
    logits = model()->forward(one, *cache);
  }
  EXPECT_EQ(generated, ids_of(greedy["ids"])) << name;
}

INSTANTIATE_TEST_SUITE_P(Cases, TinyQwen2Case, ::testing::Range(0, 7),
                         [](const ::testing::TestParamInfo<int>& info) { return expected()["cases"][info.param]["name"].get<std::string>(); });

TEST(TinyQwen2, LeftPaddedBatchMatchesEachRowAndGreedy) {
  const json& b = expected()["batch"];
  const int64_t V = model()->config().vocab_size;
  const int rows = static_cast<int>(b["input_ids"].size());
  const int S = static_cast<int>(b["input_ids"][0].size());
  std::vector<int32_t> ids, pos;
  std::vector<uint8_t> mask;
  for (int r = 0; r < rows; ++r) {
    for (auto v : b["input_ids"][r]) ids.push_back(v.get<int32_t>());
    for (auto v : b["position_ids"][r]) pos.push_back(v.get<int32_t>());
    for (auto v : b["attention_mask"][r]) mask.push_back(v.get<uint8_t>());
  }
  const int max_new = b["greedy"]["max_new_tokens"].get<int>();
  auto cache = model()->new_cache(rows, S + max_new);
  ForwardInput in{rows, S, ids, pos, mask};
  Tensor logits = model()->forward(in, *cache);
  for (int r = 0; r < rows; ++r)
    expect_matches_summary(logits.data_as<float>() + r * V, V, b["rows_last_logits"][r], "batch row " + std::to_string(r));

  std::vector<std::vector<int32_t>> generated(rows);
  std::vector<int32_t> last_pos(rows);
  for (int r = 0; r < rows; ++r) last_pos[r] = pos[(r + 1) * S - 1];
  std::vector<uint8_t> full_mask = mask;  // grows by one attended column per step
  for (int step = 0; step < max_new; ++step) {
    std::vector<int32_t> next(rows), next_pos(rows);
    for (int r = 0; r < rows; ++r) {
      next[r] = argmax(logits.data_as<float>() + r * V, V);
      generated[r].push_back(next[r]);
      next_pos[r] = ++last_pos[r];
    }
    if (step + 1 == max_new) break;
    std::vector<uint8_t> m;
    const int64_t len = cache->length();
    for (int r = 0; r < rows; ++r) {
      m.insert(m.end(), full_mask.begin() + r * len, full_mask.begin() + (r + 1) * len);
      m.push_back(1);
    }
    full_mask = m;
    ForwardInput one{rows, 1, next, next_pos, full_mask};
    logits = model()->forward(one, *cache);
  }
  for (int r = 0; r < rows; ++r) EXPECT_EQ(generated[r], ids_of(b["greedy"]["ids"][r])) << "batch row " << r;
}

TEST(TinyQwen2, ConfigAndSize) {
  const ModelConfig& c = model()->config();
  EXPECT_EQ(c.model_type, "qwen2");
  EXPECT_EQ(c.head_dim, 16);
  EXPECT_TRUE(c.tie_word_embeddings);
  EXPECT_TRUE(c.attention_bias);
  // Tied: the embedding counts once. Per layer: two norms, q/k/v with biases, o, gate/up/down.
  const int64_t layer = 2 * 64 + (64 * 64 + 64) + 2 * (32 * 64 + 32) + 64 * 64 + 3 * 64 * 128;
  EXPECT_EQ(model()->num_parameters(), 151936 * 64 + 2 * layer + 64);
  EXPECT_EQ(model()->weight_bytes(), 2 * model()->num_parameters());
}

}  // namespace
}  // namespace hf
