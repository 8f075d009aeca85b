// The encoder and its heads against the debug values of tests/fixtures/tiny-bert/*/expected.json
// (float64 references of transformers' BERT / DistilBERT), within the README's tolerance:
// 1e-4 × std of the tensor for the tiny-bert folders, 1e-3 × logits std for NER / QA.
#include <gtest/gtest.h>

#include <cmath>

#include "core/json.h"
#include "hf/encoder.h"
#include "hf/error.h"
#include "models/config_labels.h"
#include "pipelines/tiny_bert_json.h"

namespace hf {
namespace {

const std::string kDir = HF_FIXTURES "/tiny-bert/";

json debug(const std::string& folder) { return testing::tiny_bert_expected(folder)["debug"]; }

std::vector<int32_t> ints(const json& a) { return a.get<std::vector<int32_t>>(); }

double std_of(const json& rows) {
  double s = 0, sq = 0, n = 0;
  for (const auto& r : rows)
    for (const auto& v : (r.is_array() ? r : json::array({r}))) {
      s += v.get<double>();
      sq += v.get<double>() * v.get<double>();
      ++n;
    }
  return std::sqrt(sq / n - (s / n) * (s / n));
}

// Row-major float32 tensor values against a (nested) JSON list.
void expect_near(const Tensor& t, const json& expected, double tol, const std::string& what) {
  std::vector<double> flat;
  std::function<void(const json&)> walk = [&](const json& j) {
    if (j.is_array()) for (const auto& v : j) walk(v);
    else flat.push_back(j.get<double>());
  };
  walk(expected);
  ASSERT_EQ(t.numel(), static_cast<int64_t>(flat.size())) << what;
  const float* p = t.data_as<float>();
  double worst = 0;
  for (size_t i = 0; i < flat.size(); ++i) worst = std::max(worst, std::abs(p[i] - flat[i]));
  EXPECT_LE(worst, tol) << what << ": max abs difference " << worst;
}

struct Folder {
  std::string name;
  EncoderHead head;
};

class EncoderFixture : public ::testing::TestWithParam<Folder> {};

TEST_P(EncoderFixture, HiddenStatesAndHeadMatchTheReference) {
  const Folder f = GetParam();
  const json d = debug(f.name);
  EncoderModel model = EncoderModel::load(kDir + f.name, f.head);
  const auto ids = ints(d["input_ids"]);
  const auto types = d.contains("token_type_ids") ? ints(d["token_type_ids"]) : std::vector<int32_t>{};
  const EncoderOutput out = model(ids, types);
  if (d.contains("last_hidden_state")) {
    const json& h = d["last_hidden_state"];
    expect_near(out.last_hidden_state, h["values"], 1e-4 * h["std"].get<double>(), f.name + " last_hidden_state");
  }
  if (f.head == EncoderHead::SequenceClassification)
    expect_near(out.logits, d["logits"], 1e-4 * std::max(1.0, std_of(d["logits"])), f.name + " logits");
  if (f.head == EncoderHead::TokenClassification)
    expect_near(out.logits, d["logits"], 1e-5 * std_of(d["logits"]), f.name + " logits");
  if (f.head == EncoderHead::QuestionAnswering) {
    expect_near(out.start_logits, d["start_logits"], 1e-5 * std_of(d["start_logits"]), "start_logits");
    expect_near(out.end_logits, d["end_logits"], 1e-5 * std_of(d["end_logits"]), "end_logits");
  }
  if (f.head == EncoderHead::MaskedLM) {
    const json& m = d["mlm_logits"];
    const double tol = 1e-4 * m["std"].get<double>();
    const int64_t V = out.logits.dim(2), pos = m["position"].get<int64_t>();
    const float* row = out.logits.data_as<float>() + pos * V;
    for (const auto& kv : m["top20"]) EXPECT_NEAR(row[kv[0].get<int>()], kv[1].get<double>(), tol);
    for (const auto& kv : m["samples"]) EXPECT_NEAR(row[kv[0].get<int>()], kv[1].get<double>(), tol) << kv.dump();
  }
  // A text pair (token types 1 on the second text for BERT; none for DistilBERT).
  if (d.contains("pair")) {
    const json& p = d["pair"];
    const auto pair_types = p.contains("token_type_ids") ? ints(p["token_type_ids"]) : std::vector<int32_t>{};
    const EncoderOutput po = model(ints(p["input_ids"]), pair_types);
    const json& h = p["last_hidden_state"];
    const int64_t H = po.last_hidden_state.dim(2);
    Tensor row0 = Tensor::zeros(DType::F32, {H});
    std::copy_n(po.last_hidden_state.data_as<float>(), H, row0.mutable_data_as<float>());
    expect_near(row0, h["row0"], 1e-4 * h["std"].get<double>(), "pair row0");
    expect_near(po.logits, p["logits"], 1e-4 * std::max(1.0, std_of(p["logits"])), "pair logits");
  }
}

INSTANTIATE_TEST_SUITE_P(TinyBert, EncoderFixture,
                         ::testing::Values(Folder{"bert-mlm", EncoderHead::MaskedLM},
                                           Folder{"distilbert-sst2", EncoderHead::SequenceClassification},
                                           Folder{"bert-multilabel", EncoderHead::SequenceClassification},
                                           Folder{"bert-regression", EncoderHead::SequenceClassification},
                                           Folder{"bert-nli", EncoderHead::SequenceClassification},
                                           Folder{"sentence-minilm", EncoderHead::None},
                                           Folder{"distilbert-ner", EncoderHead::TokenClassification},
                                           Folder{"bert-qa", EncoderHead::QuestionAnswering}),
                         [](const auto& info) {
                           std::string n = info.param.name;
                           for (char& c : n) if (c == '-') c = '_';
                           return n;
                         });

TEST(Encoder, PoolerOfTheBaseModel) {
  const json d = debug("bert-nli");
  EncoderModel model = EncoderModel::load(kDir + "bert-nli", EncoderHead::None);
  const EncoderOutput out = model(ints(d["input_ids"]), ints(d["token_type_ids"]));
  expect_near(out.pooler_output, d["pooler_output"], 1e-5, "pooler_output");
  EXPECT_EQ(out.logits.ndim(), 0);
}

TEST(Encoder, PaddedBatchEqualsEachSequenceAlone) {
  EncoderModel model = EncoderModel::load(kDir + "bert-mlm", EncoderHead::None);
  const std::vector<int32_t> a{2, 540, 4, 512, 3}, b{2, 540, 3};
  std::vector<int32_t> ids = a;
  ids.insert(ids.end(), b.begin(), b.end());
  ids.insert(ids.end(), {0, 0});
  const std::vector<uint8_t> mask{1, 1, 1, 1, 1, 1, 1, 1, 0, 0};
  const EncoderOutput batch = model.forward({.batch = 2, .seq = 5, .input_ids = ids, .attention_mask = mask});
  const EncoderOutput alone = model(b);
  for (int64_t i = 0; i < 3 * 32; ++i)
    EXPECT_NEAR(batch.last_hidden_state.data_as<float>()[5 * 32 + i], alone.last_hidden_state.data_as<float>()[i], 1e-5);
}

TEST(Encoder, MissingHeadIsAClearError) {
  try {
    EncoderModel::load(kDir + "distilbert-sst2", EncoderHead::MaskedLM);
    FAIL() << "expected hf::ModelError";
  } catch (const ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("has no masked-LM head"), std::string::npos) << e.what();
  }
  EXPECT_THROW(EncoderModel::load(kDir + "bert-mlm", EncoderHead::QuestionAnswering), ModelError);
}

TEST(Encoder, TooLongInputIsAnInputError) {
  EncoderModel model = EncoderModel::load(kDir + "bert-mlm", EncoderHead::None);  // 64 positions
  const std::vector<int32_t> ids(65, 5);
  EXPECT_THROW(model(ids), InputError);
  EXPECT_THROW(model(std::vector<int32_t>{}), InputError);
  EXPECT_THROW(model(std::vector<int32_t>{2, 99999, 3}), InputError);
}

TEST(EncoderConfig, ReadsDistilBertNamesAndLabels) {
  const EncoderConfig c = EncoderConfig::from_file(kDir + "distilbert-sst2");
  EXPECT_EQ(c.hidden_size, 32);
  EXPECT_EQ(c.intermediate_size, 64);
  EXPECT_EQ(c.type_vocab_size, 0);
  EXPECT_EQ(c.id2label, (std::vector<std::string>{"NEGATIVE", "POSITIVE"}));
  EXPECT_EQ(c.label_id("POSITIVE"), 1);
  const EncoderConfig r = EncoderConfig::from_file(kDir + "bert-regression");
  EXPECT_EQ(r.id2label, std::vector<std::string>{"LABEL_0"});
  EXPECT_THROW(EncoderConfig::from_file(HF_FIXTURES "/tiny-qwen2"), ConfigError);
}

// Like config.json's layer count (found by fuzz_config_json), num_labels sized a table before any
// weight could contradict it: 4444444444444443 labels was an allocation that killed the process.
TEST(EncoderConfig, NumLabelsIsBounded) {
  EXPECT_EQ(read_id2label(json{{"num_labels", 3}}, "c.json"), (std::vector<std::string>{"LABEL_0", "LABEL_1", "LABEL_2"}));
  EXPECT_EQ(read_id2label(json{{"num_labels", 1 << 20}}, "c.json").size(), size_t(1) << 20);
  for (int64_t n : {int64_t(1 << 20) + 1, int64_t(4444444444444443)}) {
    try {
      read_id2label(json{{"num_labels", n}}, "c.json");
      FAIL() << n;
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("c.json: num_labels must be at most 1048576"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace hf


namespace hf {
namespace {

// RoBERTa and XLM-R (tests/fixtures/tiny-roberta, made by its make_fixture.py from transformers'
// modeling_roberta.py in float64): positions from padding_idx + 1, lm_head and classifier names.
class RobertaFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(RobertaFixture, HiddenStatesMaskedLmAndClassifierMatchTheReference) {
  const std::string dir = std::string(HF_FIXTURES) + "/tiny-roberta/" + GetParam();
  const json expected = read_json_file(dir + "/expected.json");
  EncoderModel mlm = EncoderModel::load(dir, EncoderHead::MaskedLM);
  EncoderModel cls = EncoderModel::load(dir, EncoderHead::SequenceClassification);
  EXPECT_TRUE(mlm.config().positions_from_padding);
  for (const json& c : expected["cases"]) {
    const auto ids = ints(c["input_ids"]);
    const EncoderOutput out = mlm(ids);
    const json& h = c["last_hidden_state"];
    expect_near(out.last_hidden_state, h["values"], 1e-4 * h["std"].get<double>(), c["name"].get<std::string>());
    const json& m = c["mlm_logits_position_1"];
    const int64_t V = out.logits.dim(2);
    const float* row = out.logits.data_as<float>() + V;
    for (const json* list : {&m["top10"], &m["samples"]})
      for (const auto& kv : *list) EXPECT_NEAR(row[kv[0].get<int>()], kv[1].get<double>(), 1e-4 * m["std"].get<double>());
    expect_near(cls(ids).logits, c["sequence_classification_logits"], 1e-4, "classifier");
  }
}

INSTANTIATE_TEST_SUITE_P(TinyRoberta, RobertaFixture, ::testing::Values("roberta", "xlm-roberta"), [](const auto& info) {
  std::string n = info.param;
  for (char& c : n) if (c == '-') c = '_';
  return n;
});

}  // namespace
}  // namespace hf
