#pragma once
// The encoder–decoder fixtures (tiny-bart-cnn, tiny-bart-mnli, tiny-t5, tiny-marian-zh-en) in
// tests: their expected.json and padded batches, edited weights, and comparisons of hidden-state
// and logits summaries within the READMEs' tolerance (1e-3 × the std of the values compared).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <vector>

#include "core/json.h"
#include "hf/seq2seq_lm.h"
#include "io/safetensors.h"
#include "models/marian_expected.h"

namespace hf::test {

// A fixture's expected.json, read once per folder.
inline const json& fixture_expected(const std::filesystem::path& dir) {
  static std::map<std::filesystem::path, json> cache;
  auto it = cache.find(dir);
  if (it == cache.end()) it = cache.emplace(dir, read_python_json(dir / "expected.json")).first;
  return it->second;
}

// A fixture's right-padded batch {input_ids: [[...]], attention_mask: [[...]]}, flattened.
struct FlatBatch {
  int batch = 0, seq = 0;
  std::vector<int32_t> ids;
  std::vector<uint8_t> mask;
};
inline FlatBatch flatten_batch(const json& b) {
  const auto rows = b["input_ids"].get<std::vector<std::vector<int32_t>>>();
  const auto masks = b["attention_mask"].get<std::vector<std::vector<int>>>();
  FlatBatch f{static_cast<int>(rows.size()), static_cast<int>(rows.at(0).size()), {}, {}};
  for (size_t r = 0; r < rows.size(); ++r) {
    f.ids.insert(f.ids.end(), rows[r].begin(), rows[r].end());
    f.mask.insert(f.mask.end(), masks[r].begin(), masks[r].end());
  }
  return f;
}

// A fixture's weights with tensors added or replaced (legacy layouts, edited configurations).
class EditedWeights : public WeightSource {
 public:
  explicit EditedWeights(const std::filesystem::path& dir) : base_(SafetensorsModel::open(dir)) {}
  void set(const std::string& name, Tensor t) { extra_[name] = std::move(t); }
  bool has(const std::string& n) const override { return extra_.count(n) || base_->has(n); }
  Tensor get(const std::string& n) const override { return extra_.count(n) ? extra_.at(n) : base_->get(n); }
  std::vector<std::string> names() const override { return base_->names(); }
  std::string describe() const override { return "edited fixture"; }

 private:
  std::unique_ptr<WeightSource> base_;
  std::map<std::string, Tensor> extra_;
};

// One position's or a whole sequence's hidden states [seq, d] against the fixture's summary.
inline void expect_hidden_state(const float* x, int64_t seq, int64_t d, const json& e) {
  const double tol = 1e-3 * e["std"].get<double>();
  const float* last = x + (seq - 1) * d;
  for (int j = 0; j < 8; ++j) {
    EXPECT_NEAR(x[j], e["pos0_first8"][j].get<double>(), tol) << "position 0, column " << j;
    EXPECT_NEAR(last[j], e["last_first8"][j].get<double>(), tol) << "last position, column " << j;
  }
  double sum = 0, sq = 0, mn = INFINITY, mx = -INFINITY, l2_0 = 0, l2_last = 0;
  for (int64_t i = 0; i < seq * d; ++i) sum += x[i], mn = std::min<double>(mn, x[i]), mx = std::max<double>(mx, x[i]);
  const double mean = sum / (seq * d);
  for (int64_t i = 0; i < seq * d; ++i) sq += (x[i] - mean) * (x[i] - mean);
  for (int64_t j = 0; j < d; ++j) l2_0 += double(x[j]) * x[j], l2_last += double(last[j]) * last[j];
  EXPECT_NEAR(mean, e["mean"].get<double>(), tol);
  EXPECT_NEAR(std::sqrt(sq / (seq * d)), e["std"].get<double>(), tol);
  EXPECT_NEAR(mn, e["min"].get<double>(), tol);
  EXPECT_NEAR(mx, e["max"].get<double>(), tol);
  EXPECT_NEAR(sum, e["sum"].get<double>(), tol * std::sqrt(double(seq * d)));
  EXPECT_NEAR(std::sqrt(l2_0), e.contains("l2_pos0") ? e["l2_pos0"].get<double>() : e["pos0_l2"].get<double>(), tol);
  EXPECT_NEAR(std::sqrt(l2_last), e.contains("l2_last") ? e["l2_last"].get<double>() : e["last_l2"].get<double>(), tol);
  if (e.contains("values")) {
    const auto& rows = e["values"];
    ASSERT_EQ(static_cast<int64_t>(rows.size()), seq);
    for (int64_t t = 0; t < seq; ++t)
      for (int64_t j = 0; j < d; ++j) ASSERT_NEAR(x[t * d + j], rows[t][j].get<double>(), tol) << t << "," << j;
  }
}

// Logits of one decoder step against the fixture's top20 / samples / statistics; the top-20 order
// must hold wherever the reference logits differ by 2 × tol or more.
inline void expect_logits(const std::vector<float>& logits, const json& e) {
  const double tol = 1e-3 * e["std"].get<double>();
  const auto& top = e["top20"];
  for (const auto& p : top) EXPECT_NEAR(logits.at(p[0].get<int>()), p[1].get<double>(), tol) << "id " << p[0];
  for (size_t i = 0; i + 1 < top.size(); ++i) {
    if (top[i][1].get<double>() - top[i + 1][1].get<double>() >= 2 * tol) {
      EXPECT_GT(logits[top[i][0].get<int>()], logits[top[i + 1][0].get<int>()]) << "top-20 rank " << i;
    }
  }
  const double best = *std::max_element(logits.begin(), logits.end());
  EXPECT_NEAR(best, top[0][1].get<double>(), tol);
  for (const auto& p : e["samples"]) EXPECT_NEAR(logits.at(p[0].get<int>()), p[1].get<double>(), tol) << "id " << p[0];
  double sum = 0, sq = 0;
  for (float v : logits) sum += v;
  const double mean = sum / logits.size();
  for (float v : logits) sq += (v - mean) * (v - mean);
  EXPECT_NEAR(mean, e["mean"].get<double>(), tol);
  EXPECT_NEAR(std::sqrt(sq / logits.size()), e["std"].get<double>(), tol);
  EXPECT_NEAR(*std::min_element(logits.begin(), logits.end()), e["min"].get<double>(), tol);
  EXPECT_NEAR(best, e["max"].get<double>(), tol);
}

// Logits after the last of `decoder_ids`, fed one step at a time after encoding `ids` alone.
inline std::vector<float> decoder_logits(const Seq2SeqLM& m, const std::vector<int32_t>& ids,
                                         const std::vector<int32_t>& decoder_ids) {
  auto state = m.encode(1, static_cast<int>(ids.size()), ids, {}, 1, 64);
  std::vector<float> logits;
  for (int32_t t : decoder_ids) logits = m.decode(std::vector<int32_t>{t}, *state).to_f32();
  return logits;
}

// Every logit within 1e-3 × the std of a float64 reference's.
inline void expect_close_to_reference(const std::vector<float>& got, const std::vector<double>& want) {
  ASSERT_EQ(got.size(), want.size());
  double mean = 0, var = 0;
  for (double v : want) mean += v / want.size();
  for (double v : want) var += (v - mean) * (v - mean) / want.size();
  for (size_t i = 0; i < want.size(); ++i) ASSERT_NEAR(got[i], want[i], 1e-3 * std::sqrt(var)) << "id " << i;
}

}  // namespace hf::test
