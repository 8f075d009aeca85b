// The encoder–decoder as MarianMTModel against tests/fixtures/tiny-marian-zh-en/expected.json: encoder output and raw
// logits of the first decoder step for every case, from model.safetensors and from the same
// weights as pytorch_model.bin (tests/fixtures/torch-bin), and the padded batch.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

#include "hf/error.h"
#include "io/safetensors.h"
#include "models/encoder_decoder.h"
#include "models/marian_expected.h"
#include "models/seq2seq_fixtures.h"
#include "test_temp.h"

namespace fs = std::filesystem;
using namespace hf;
using hf::test::kTinyMarian;
using hf::test::marian_expected;

namespace {

std::shared_ptr<const EncoderDecoderLM> marian_model() {
  static const auto m = EncoderDecoderLM::load(kTinyMarian);
  return m;
}

struct Encoded {
  std::unique_ptr<Seq2SeqState> state;
  std::vector<float> logits;  // first decoder step
};

Encoded run_first_step(const EncoderDecoderLM& m, const std::vector<int32_t>& ids) {
  Encoded e;
  e.state = m.encode(1, static_cast<int>(ids.size()), ids, {}, 1, 8);
  std::vector<int32_t> start{m.config().decoder_start_token_id};
  e.logits = m.decode(start, *e.state).to_f32();
  return e;
}

void check_hidden(const float* row, const json& expected, int64_t d) {
  double sum = 0, l2 = 0;
  for (int64_t j = 0; j < d; ++j) {
    sum += row[j];
    l2 += double(row[j]) * row[j];
  }
  for (int j = 0; j < 8; ++j) EXPECT_NEAR(row[j], expected["first8"][j].get<double>(), 1e-3);
  EXPECT_NEAR(sum, expected["sum"].get<double>(), 1e-3);
  EXPECT_NEAR(std::sqrt(l2), expected["l2"].get<double>(), 1e-4 * expected["l2"].get<double>());
}

void check_step1(const std::vector<float>& logits, const json& e) {
  const auto ids = e["top20_ids"].get<std::vector<int>>();
  const auto values = e["top20_values"].get<std::vector<double>>();
  for (size_t i = 0; i < ids.size(); ++i) EXPECT_NEAR(logits[ids[i]], values[i], 1e-3) << "id " << ids[i];
  double max = -INFINITY, sum = 0;
  for (float v : logits) max = std::max<double>(max, v), sum += v;
  double z = 0;
  for (float v : logits) z += std::exp(v - max);
  EXPECT_NEAR(max + std::log(z), e["logsumexp"].get<double>(), 1e-3);
  EXPECT_NEAR(sum, e["sum"].get<double>(), 1e-3 * logits.size());
  EXPECT_NEAR(logits[3289], e["pad_logit"].get<double>(), 1e-3);
  EXPECT_NEAR(logits[0], e["eos_logit"].get<double>(), 1e-3);
  if (e.contains("all")) {
    const auto all = e["all"].get<std::vector<double>>();
    ASSERT_EQ(all.size(), logits.size());
    for (size_t i = 0; i < all.size(); ++i) ASSERT_NEAR(logits[i], all[i], 1e-3) << i;
  }
}

}  // namespace

TEST(MarianModel, ConfigAndShape) {
  const auto& c = marian_model()->config();
  EXPECT_EQ(c.d_model, 64);
  EXPECT_EQ(c.vocab_size, 3290);
  EXPECT_EQ(c.activation_function, "swish");
  EXPECT_EQ(marian_model()->vocab_size(), 3290);
  EXPECT_EQ(marian_model()->model_type(), "marian");
}

TEST(MarianModel, SinusoidalPositionsAreNotInterleaved) {
  auto p = marian_sinusoidal_positions(3, 4);  // dim 4: [sin(p), sin(p/100), cos(p), cos(p/100)]
  EXPECT_FLOAT_EQ(p[0 * 4 + 2], 1.0f);
  EXPECT_FLOAT_EQ(p[2 * 4 + 0], std::sin(2.0f));
  EXPECT_FLOAT_EQ(p[2 * 4 + 1], std::sin(0.02f));
  EXPECT_FLOAT_EQ(p[2 * 4 + 2], std::cos(2.0f));
  EXPECT_FLOAT_EQ(p[2 * 4 + 3], std::cos(0.02f));
}

TEST(MarianModel, EncoderAndFirstStepLogitsOfEveryCase) {
  for (const auto& c : marian_expected()["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    const auto ids = c["input_ids"].get<std::vector<int32_t>>();
    Encoded e = run_first_step(*marian_model(), ids);
    const Tensor& h = e.state->encoder_last_hidden_state();
    const int64_t d = 64, S = static_cast<int64_t>(ids.size());
    ASSERT_EQ(h.shape(), (std::vector<int64_t>{1, S, d}));
    check_hidden(h.data_as<float>(), c["encoder_last_hidden_state"]["pos0"], d);
    check_hidden(h.data_as<float>() + (S - 1) * d, c["encoder_last_hidden_state"]["last"], d);
    double total = 0;
    for (int64_t i = 0; i < S * d; ++i) total += h.data_as<float>()[i];
    EXPECT_NEAR(total, c["encoder_last_hidden_state"]["total_sum"].get<double>(), 1e-3 * S);
    check_step1(e.logits, c["step1_logits"]);
  }
}

TEST(MarianModel, PaddedBatchGivesTheSameFirstStepAsEachSentenceAlone) {
  const auto& b = marian_expected()["batch"];
  const auto rows = b["input_ids"].get<std::vector<std::vector<int32_t>>>();
  const auto masks = b["attention_mask"].get<std::vector<std::vector<int>>>();
  const int batch = static_cast<int>(rows.size()), seq = static_cast<int>(rows[0].size());
  std::vector<int32_t> ids;
  std::vector<uint8_t> mask;
  for (int r = 0; r < batch; ++r) {
    ids.insert(ids.end(), rows[r].begin(), rows[r].end());
    mask.insert(mask.end(), masks[r].begin(), masks[r].end());
  }
  auto state = marian_model()->encode(batch, seq, ids, mask, 2, 4);  // two decoder rows per input
  std::vector<int32_t> start(batch * 2, 3289);
  auto logits = marian_model()->decode(start, *state).to_f32();
  for (int r = 0; r < batch * 2; ++r) {
    const auto& top = b["step1_top20"][r / 2];
    for (size_t i = 0; i < top["ids"].size(); ++i)
      EXPECT_NEAR(logits[r * 3290 + top["ids"][i].get<int>()], top["values"][i].get<double>(), 1e-3) << r;
  }
}

TEST(MarianModel, CacheReorderKeepsRowsConsistent) {
  // Two steps for two rows, then swap the rows: the third step of each row must equal the third
  // step of a run where the rows were in the other order from the start.
  const auto ids = marian_expected()["cases"][0]["input_ids"].get<std::vector<int32_t>>();
  const int S = static_cast<int>(ids.size());
  auto a = marian_model()->encode(1, S, ids, {}, 2, 8);
  marian_model()->decode(std::vector<int32_t>{3289, 3289}, *a);
  marian_model()->decode(std::vector<int32_t>{2403, 2626}, *a);
  a->reorder(std::vector<int32_t>{1, 0});
  auto la = marian_model()->decode(std::vector<int32_t>{7, 7}, *a).to_f32();
  auto b = marian_model()->encode(1, S, ids, {}, 2, 8);
  marian_model()->decode(std::vector<int32_t>{3289, 3289}, *b);
  marian_model()->decode(std::vector<int32_t>{2626, 2403}, *b);
  auto lb = marian_model()->decode(std::vector<int32_t>{7, 7}, *b).to_f32();
  for (size_t i = 0; i < la.size(); ++i) ASSERT_FLOAT_EQ(la[i], lb[i]) << i;
}

TEST(MarianModel, PytorchModelBinGivesTheSameLogits) {
  fs::path dir = test_temp_root() / ("hf_marian_bin_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::copy_file(kTinyMarian / "config.json", dir / "config.json", fs::copy_options::overwrite_existing);
  fs::copy_file(fs::path(HF_FIXTURES) / "torch-bin" / "pytorch_model_legacy.bin", dir / "pytorch_model.bin",
                fs::copy_options::overwrite_existing);
  auto bin = EncoderDecoderLM::load(dir);
  const auto& c = marian_expected()["cases"][0];
  Encoded e = run_first_step(*bin, c["input_ids"].get<std::vector<int32_t>>());
  check_step1(e.logits, c["step1_logits"]);
  fs::remove_all(dir);
}

TEST(MarianModel, Errors) {
  std::vector<int32_t> bad{5, 999999, 0};
  EXPECT_THROW(marian_model()->encode(1, 3, bad, {}, 1, 4), InputError);
  std::vector<int32_t> long_input(513, 5);
  try {
    marian_model()->encode(1, 513, long_input, {}, 1, 4);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("longer than the model's 512 positions"), std::string::npos) << e.what();
  }
  fs::path dir = test_temp_root() / ("hf_marian_noweights_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::copy_file(kTinyMarian / "config.json", dir / "config.json", fs::copy_options::overwrite_existing);
  EXPECT_THROW(EncoderDecoderLM::load(dir), ModelError);
  fs::remove_all(dir);
}

namespace {

Tensor table(const std::vector<float>& values, int64_t rows, int64_t cols) {
  Tensor t = Tensor::zeros(DType::F32, {rows, cols});
  std::copy(values.begin(), values.end(), t.mutable_data_as<float>());
  return t;
}

}  // namespace

TEST(MarianModel, LegacyLayoutWithStoredTablesAndTiedCopies) {
  auto w = std::make_unique<hf::test::EditedWeights>(kTinyMarian);  // + tensors of 2020 conversions
  const Tensor shared = w->get("model.shared.weight");
  const auto positions = marian_sinusoidal_positions(512, 64);
  w->set("model.encoder.embed_positions.weight", table(positions, 512, 64));
  w->set("model.decoder.embed_positions.weight", table(positions, 512, 64));
  w->set("model.encoder.embed_tokens.weight", shared);
  w->set("model.decoder.embed_tokens.weight", shared);
  w->set("lm_head.weight", shared);
  EncoderDecoderLM legacy(marian_model()->config(), *w);
  const auto& c = marian_expected()["cases"][0];
  check_step1(run_first_step(legacy, c["input_ids"].get<std::vector<int32_t>>()).logits, c["step1_logits"]);

  // A stored table is what the model uses (as transformers loads it): zero positions change the logits.
  w->set("model.decoder.embed_positions.weight", Tensor::zeros(DType::F32, {512, 64}));
  EncoderDecoderLM zero_pos(marian_model()->config(), *w);
  auto a = run_first_step(zero_pos, c["input_ids"].get<std::vector<int32_t>>()).logits;
  auto b = run_first_step(*marian_model(), c["input_ids"].get<std::vector<int32_t>>()).logits;
  double diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff += std::fabs(a[i] - b[i]);
  EXPECT_GT(diff, 1.0);
}

TEST(MarianModel, MisshapenTensorIsNamed) {
  auto w = std::make_unique<hf::test::EditedWeights>(kTinyMarian);  // + tensors of 2020 conversions
  w->set("model.encoder.layers.1.fc1.weight", Tensor::zeros(DType::F32, {64, 64}));
  try {
    EncoderDecoderLM m(marian_model()->config(), *w);
    FAIL();
  } catch (const ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("'model.encoder.layers.1.fc1.weight' is [64, 64] F32, expected [128, 64]"),
              std::string::npos) << e.what();
  }
}
