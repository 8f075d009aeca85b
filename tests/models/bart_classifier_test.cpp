// BartForSequenceClassification (hf::Seq2SeqForSequenceClassification) against
// tests/fixtures/tiny-bart-mnli/expected.json: logits of each premise/hypothesis pair, the padded
// batch, transformers' eos-count rule, and bad inputs.
#include <gtest/gtest.h>

#include <cmath>

#include "hf/error.h"
#include "hf/seq2seq_classification.h"
#include "models/seq2seq_fixtures.h"

namespace fs = std::filesystem;
using namespace hf;

namespace {

const fs::path kMnli = fs::path(HF_FIXTURES) / "tiny-bart-mnli";

const json& expected() { return hf::test::fixture_expected(kMnli); }

const Seq2SeqForSequenceClassification& model() {
  static const auto m = Seq2SeqForSequenceClassification::load(kMnli);
  return m;
}

void expect_logits(const float* logits, const json& e) {
  const auto ref = e.get<std::vector<double>>();
  double mean = 0, var = 0;
  for (double v : ref) mean += v / ref.size();
  for (double v : ref) var += (v - mean) * (v - mean) / ref.size();
  const double tol = 1e-3 * std::sqrt(var);
  for (size_t i = 0; i < ref.size(); ++i) EXPECT_NEAR(logits[i], ref[i], tol) << "label " << i;
}

}  // namespace

TEST(BartClassifier, LabelsAndHandles) {
  const EncoderConfig& c = model().config();
  EXPECT_EQ(c.model_type, "bart");
  ASSERT_EQ(c.num_labels(), 3);
  EXPECT_EQ(c.id2label[0], "contradiction");
  EXPECT_EQ(c.id2label[2], "entailment");
  EXPECT_TRUE(Seq2SeqForSequenceClassification::handles(kMnli));
  EXPECT_FALSE(Seq2SeqForSequenceClassification::handles(fs::path(HF_FIXTURES) / "tiny-bert"));
  EXPECT_FALSE(Seq2SeqForSequenceClassification::handles(fs::path(HF_FIXTURES) / "no-such-model"));
}

TEST(BartClassifier, LogitsOfEveryPair) {
  for (const auto& c : expected()["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    const auto ids = c["input_ids"].get<std::vector<int32_t>>();
    const EncoderOutput out = model()(ids);
    ASSERT_EQ(out.logits.dim(0), 1);
    ASSERT_EQ(out.logits.dim(1), 3);
    expect_logits(out.logits.data_as<float>(), c["logits"]);
    const float* l = out.logits.data_as<float>();
    const int64_t best = std::max_element(l, l + 3) - l;
    EXPECT_EQ(model().config().id2label[best], c["label"].get<std::string>());
  }
}

TEST(BartClassifier, PaddedBatchRowsEqualEachPairAlone) {
  const auto& b = expected()["batch"];
  const auto [batch, seq, ids, mask] = hf::test::flatten_batch(b);
  const EncoderOutput out = model().forward({.batch = batch, .seq = seq, .input_ids = ids, .attention_mask = mask});
  for (int r = 0; r < batch; ++r) expect_logits(out.logits.data_as<float>() + 3 * r, b["logits"][r]);
}

TEST(BartClassifier, RowsWithDifferentEosCountsRaiseAsTransformers) {
  // "One sentence." (<s> … </s>: 1 eos) next to a pair (<s> A </s></s> B </s>: 3 eos).
  const std::vector<int32_t> one = expected()["cases"][0]["input_ids"].get<std::vector<int32_t>>();
  std::vector<int32_t> ids(one);
  std::vector<int32_t> single{0, 36, 586, 17, 2};
  single.resize(one.size(), 1);
  ids.insert(ids.end(), single.begin(), single.end());
  std::vector<uint8_t> mask(ids.size(), 1);
  for (size_t i = one.size() + 5; i < ids.size(); ++i) mask[i] = 0;
  try {
    model().forward({.batch = 2, .seq = static_cast<int>(one.size()), .input_ids = ids, .attention_mask = mask});
    FAIL();
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), expected()["eos_count_rule"]["message"].get<std::string>().c_str());
  }
}

TEST(BartClassifier, BadInputs) {
  EXPECT_THROW(model()(std::vector<int32_t>{0, 36, 586}), InputError);  // no </s> to classify from
  EXPECT_THROW(model()(std::vector<int32_t>{}), InputError);
  EXPECT_THROW(model()(std::vector<int32_t>{0, 999999, 2}), InputError);  // outside the vocabulary
  EXPECT_THROW(Seq2SeqForSequenceClassification().forward({}), InputError);
  // The summarizer's folder has no classification head.
  try {
    Seq2SeqForSequenceClassification::load(fs::path(HF_FIXTURES) / "tiny-bart-cnn");
    FAIL();
  } catch (const ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("classification_head.dense.weight"), std::string::npos) << e.what();
  }
  EXPECT_THROW(Seq2SeqForSequenceClassification::load(fs::path(HF_FIXTURES) / "tiny-t5"), ConfigError);
}
