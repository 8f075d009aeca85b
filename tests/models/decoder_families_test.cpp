// The one decoder against every family fixture in tests/fixtures/tiny-<family>/expected.json (a
// float64 reference of transformers' modeling code per family; each README states the maths; the
// MoE ones are made by tests/fixtures/reference/make_moe_fixtures.py), with
// the READMEs' tolerance: tol = 1e-3 × std of the case's logits. Per case: last-position logits,
// the full logits file where one is given, and the greedy continuation through the KV cache; per
// family: the left-padded batch equals the singles and continues greedily in step.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <numeric>

#include "core/json.h"
#include "hf/causal_lm.h"
#include "hf/error.h"

namespace hf {
namespace {

const std::vector<std::string> kFamilies = {"qwen2", "qwen3",  "mistral",   "gpt2",   "gemma2",
                                            "gemma3", "phi3", "qwen3-moe", "qwen2-moe", "mixtral"};

std::string dir_of(const std::string& family) { return HF_FIXTURES "/tiny-" + family; }
const json& expected(const std::string& family) {
  static std::map<std::string, json> cache;
  if (!cache.count(family)) cache[family] = read_json_file(dir_of(family) + "/expected.json");
  return cache[family];
}
std::shared_ptr<const CausalLM> model(const std::string& family) {
  static std::map<std::string, std::shared_ptr<const CausalLM>> cache;
  if (!cache.count(family)) cache[family] = load_causal_lm(dir_of(family));
  return cache[family];
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
  std::partial_sort(order.begin(), order.begin() + 20, order.end(), [&](int32_t a, int32_t b) { return logits[a] > logits[b]; });
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

// Greedy ids equal the reference's, except from a step whose recorded margin is below 2 tol on
// (a genuine near-tie, where float32 may pick the other token).
void expect_same_greedy(const std::vector<int32_t>& got, const json& greedy, double tol, const std::string& what) {
  const auto want = greedy["ids"].get<std::vector<int32_t>>();
  for (size_t i = 0; i < want.size(); ++i) {
    if (greedy.contains("margins") && greedy["margins"].is_array() && i < greedy["margins"].size() &&
        greedy["margins"][i].get<double>() < 2 * tol)
      return;
    ASSERT_LT(i, got.size()) << what << ": stopped early";
    ASSERT_EQ(got[i], want[i]) << what << ": greedy step " << i;
  }
  EXPECT_EQ(got.size(), want.size()) << what;
}

bool is_eos(const std::string& family, int32_t id) {
  for (const auto& e : expected(family)["eos_token_ids"])
    if (e.get<int32_t>() == id) return true;
  return false;
}

struct Case {
  std::string family;
  int index;
  std::string name;
};
void PrintTo(const Case& c, std::ostream* os) { *os << c.family << "/" << c.name; }

std::vector<Case> all_cases() {
  std::vector<Case> out;
  for (const auto& f : kFamilies)
    for (size_t i = 0; i < expected(f)["cases"].size(); ++i) out.push_back({f, int(i), expected(f)["cases"][i]["name"]});
  return out;
}

class FamilyCase : public ::testing::TestWithParam<Case> {};

TEST_P(FamilyCase, LastLogitsAndGreedyContinuation) {
  const Case& p = GetParam();
  const json& c = expected(p.family)["cases"][p.index];
  auto m = model(p.family);
  const int64_t V = m->config().vocab_size;
  std::vector<int32_t> ids = c["input_ids"].get<std::vector<int32_t>>();
  const json& greedy = c["greedy"];
  const int max_new = greedy["max_new_tokens"].get<int>();
  auto cache = m->new_cache(1, int64_t(ids.size()) + max_new);

  ForwardInput in;
  in.seq = static_cast<int>(ids.size());
  in.input_ids = ids;
  Tensor logits = m->forward(in, *cache);
  ASSERT_EQ(logits.shape(), (std::vector<int64_t>{1, V}));
  expect_matches_summary(logits.data_as<float>(), V, c["last_logits"], p.name);
  const double tol = 1e-3 * c["last_logits"]["std"].get<double>();

  const json& full = expected(p.family).value("full_logits", json());
  if (full.is_object() && full["case"] == p.name) {
    std::ifstream f(dir_of(p.family) + "/" + full["file"].get<std::string>(), std::ios::binary);
    std::vector<float> ref(V);
    f.read(reinterpret_cast<char*>(ref.data()), V * 4);
    ASSERT_TRUE(f) << "cannot read the full logits file";
    double worst = 0;
    for (int64_t i = 0; i < V; ++i) worst = std::max(worst, double(std::abs(logits.data_as<float>()[i] - ref[i])));
    EXPECT_LT(worst, tol) << p.name << ": largest difference over all " << V << " logits";
  }

  // Greedy through the KV cache, one token at a time.
  std::vector<int32_t> generated;
  for (int step = 0; step < max_new; ++step) {
    int32_t next = argmax(logits.data_as<float>(), V);
    generated.push_back(next);
    if (is_eos(p.family, next) || step + 1 == max_new) break;
    ForwardInput one;
    one.seq = 1;
    one.input_ids = std::span<const int32_t>(&generated.back(), 1);
    logits = m->forward(one, *cache);
  }
  expect_same_greedy(generated, greedy, tol, p.family + "/" + p.name);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, FamilyCase, ::testing::ValuesIn(all_cases()),
                         [](const ::testing::TestParamInfo<Case>& i) {
                           std::string name = i.param.family + "_" + i.param.name;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

class FamilyBatch : public ::testing::TestWithParam<std::string> {};

TEST_P(FamilyBatch, LeftPaddedBatchMatchesEachRowAndGreedy) {
  const std::string& family = GetParam();
  const json& b = expected(family)["batch"];
  auto m = model(family);
  const int64_t V = m->config().vocab_size;
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
  auto cache = m->new_cache(rows, S + max_new);
  Tensor logits = m->forward(ForwardInput{rows, S, ids, pos, mask}, *cache);
  double tol = 1e9;
  for (int r = 0; r < rows; ++r) {
    expect_matches_summary(logits.data_as<float>() + r * V, V, b["rows_last_logits"][r], family + " batch row " + std::to_string(r));
    tol = std::min(tol, 1e-3 * b["rows_last_logits"][r]["std"].get<double>());
  }

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
    std::vector<uint8_t> grown;
    const int64_t len = cache->length();
    for (int r = 0; r < rows; ++r) {
      grown.insert(grown.end(), full_mask.begin() + r * len, full_mask.begin() + (r + 1) * len);
      grown.push_back(1);
    }
    full_mask = grown;
    logits = m->forward(ForwardInput{rows, 1, next, next_pos, full_mask}, *cache);
  }
  const json& greedy = b["greedy"];
  for (int r = 0; r < rows; ++r) {
    json row = {{"ids", greedy["ids"][r]}};
    if (greedy.contains("margins")) row["margins"] = greedy["margins"][r];
    expect_same_greedy(generated[r], row, tol, family + " batch row " + std::to_string(r));
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, FamilyBatch, ::testing::ValuesIn(kFamilies),
                         [](const ::testing::TestParamInfo<std::string>& i) {
                           std::string name = i.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(FamilyConfig, TinyQwen2SizeCountsTheTiedEmbeddingOnce) {
  auto m = model("qwen2");
  const ModelConfig& c = m->config();
  EXPECT_EQ(c.model_type, "qwen2");
  EXPECT_EQ(c.head_dim, 16);
  EXPECT_TRUE(c.tie_word_embeddings);
  EXPECT_TRUE(c.attention_bias);
  // Per layer: two norms, q/k/v with biases, o, gate/up/down.
  const int64_t layer = 2 * 64 + (64 * 64 + 64) + 2 * (32 * 64 + 32) + 64 * 64 + 3 * 64 * 128;
  EXPECT_EQ(m->num_parameters(), 151936 * 64 + 2 * layer + 64);
  EXPECT_EQ(m->weight_bytes(), 2 * m->num_parameters());
}

}  // namespace
}  // namespace hf
