// The encoder–decoder as BART (tests/fixtures/tiny-bart-cnn) and T5 v1.0 (tests/fixtures/tiny-t5)
// against their expected.json: encoder outputs, first- (and second-) step logits, padded batches;
// T5's relative position buckets; T5 v1.1 configuration values (gated feed-forward, untied head)
// as properties that fail when the rule is wrong; bad configurations and checkpoints.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "hf/error.h"
#include "models/encoder_decoder.h"
#include "models/seq2seq_fixtures.h"

namespace fs = std::filesystem;
using namespace hf;
using hf::test::expect_hidden_state;
using hf::test::expect_logits;
using hf::test::decoder_logits;
using hf::test::EditedWeights;
using hf::test::flatten_batch;

namespace {

const fs::path kBartDir = fs::path(HF_FIXTURES) / "tiny-bart-cnn";
const fs::path kT5Dir = fs::path(HF_FIXTURES) / "tiny-t5";

const json& expected(const fs::path& dir) { return hf::test::fixture_expected(dir); }

std::shared_ptr<const EncoderDecoderLM> load(const fs::path& dir) {
  static std::map<fs::path, std::shared_ptr<const EncoderDecoderLM>> cache;
  auto& m = cache[dir];
  if (!m) m = EncoderDecoderLM::load(dir);
  return m;
}

Tensor scaled_copy(const Tensor& t, float s) {
  Tensor out = Tensor::zeros(DType::F32, t.shape());
  const std::vector<float> v = t.to_f32();
  float* o = out.mutable_data_as<float>();
  for (size_t i = 0; i < v.size(); ++i) o[i] = v[i] * s;
  return out;
}

json config_json(const fs::path& dir) { return read_json_file(dir / "config.json"); }

void expect_close(const std::vector<float>& a, const std::vector<float>& b, double tol) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) ASSERT_NEAR(a[i], b[i], tol) << i;
}

double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  double m = 0;
  for (size_t i = 0; i < a.size(); ++i) m = std::max(m, double(std::fabs(a[i] - b[i])));
  return m;
}

}  // namespace

TEST(BartModel, ConfigValues) {
  const auto& c = load(kBartDir)->config();
  EXPECT_EQ(c.model_type, "bart");
  EXPECT_EQ(c.positions, EncoderDecoderConfig::Positions::Learned);
  EXPECT_EQ(c.position_offset, 2);
  EXPECT_TRUE(c.layernorm_embedding);
  EXPECT_FALSE(c.pre_norm);  // normalize_before in config.json is a legacy key BartModel ignores
  EXPECT_FALSE(c.final_layer_norm);
  EXPECT_FALSE(c.scale_embedding);
  EXPECT_TRUE(c.scale_attention);
  EXPECT_EQ(c.decoder_start_token_id, 2);
  EXPECT_EQ(load(kBartDir)->vocab_size(), 2261);
  EXPECT_EQ(load(kBartDir)->max_position_embeddings(), 128);
}

TEST(BartModel, EncoderOutputAndFirstTwoStepsOfEveryCase) {
  const auto m = load(kBartDir);
  for (const auto& c : expected(kBartDir)["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    const auto ids = c["input_ids"].get<std::vector<int32_t>>();
    auto state = m->encode(1, static_cast<int>(ids.size()), ids, {}, 1, 8);
    expect_hidden_state(state->encoder_last_hidden_state().data_as<float>(), static_cast<int64_t>(ids.size()), 32,
                        c["encoder_last_hidden_state"]);
    expect_logits(m->decode(std::vector<int32_t>{2}, *state).to_f32(), c["first_step_logits"]);
    expect_logits(m->decode(std::vector<int32_t>{0}, *state).to_f32(), c["second_step_logits"]);
  }
}

TEST(BartModel, PaddedBatchRowsEqualEachInputAlone) {
  const auto m = load(kBartDir);
  const auto [batch, seq, ids, mask] = flatten_batch(expected(kBartDir)["batch"]);
  auto state = m->encode(batch, seq, ids, mask, 1, 8);
  m->decode(std::vector<int32_t>(batch, 2), *state);
  const std::vector<float> logits = m->decode(std::vector<int32_t>(batch, 0), *state).to_f32();
  for (int r = 0; r < batch; ++r) {
    const json& c = expected(kBartDir)["cases"][r];
    SCOPED_TRACE(c["name"].get<std::string>());
    expect_logits(std::vector<float>(logits.begin() + r * 2261, logits.begin() + (r + 1) * 2261), c["second_step_logits"]);
  }
}

TEST(T5Model, ConfigValues) {
  const auto& c = load(kT5Dir)->config();
  EXPECT_EQ(c.positions, EncoderDecoderConfig::Positions::RelativeBuckets);
  EXPECT_EQ(c.encoder_head_dim, 12);
  EXPECT_EQ(c.encoder_inner_dim(), 48);  // ≠ d_model 32
  EXPECT_TRUE(c.rms_norm && c.pre_norm && c.final_layer_norm);
  EXPECT_FALSE(c.scale_attention);
  EXPECT_FALSE(c.gated_ffn);
  EXPECT_EQ(c.activation_function, "relu");
  EXPECT_TRUE(c.tie_word_embeddings);  // no key: T5Config's default
  EXPECT_EQ(c.relative_attention_max_distance, 20);
  EXPECT_EQ(c.decoder_start_token_id, 0);
  EXPECT_EQ(load(kT5Dir)->max_position_embeddings(), 0);  // no position table: no limit
}

TEST(T5Model, RelativePositionBucketsAsTransformersComputesThem) {
  // Bidirectional, 32 buckets (16 per direction, 8 exact), max_distance 128.
  EXPECT_EQ(t5_relative_position_bucket(0, true, 32, 128), 0);
  EXPECT_EQ(t5_relative_position_bucket(-1, true, 32, 128), 1);
  EXPECT_EQ(t5_relative_position_bucket(1, true, 32, 128), 17);  // keys after the query: upper half
  EXPECT_EQ(t5_relative_position_bucket(-8, true, 32, 128), 8);   // 8 + int(log(1) ...) = 8
  EXPECT_EQ(t5_relative_position_bucket(-127, true, 32, 128), 15);  // 8 + int(7.977) = 15
  EXPECT_EQ(t5_relative_position_bucket(-5000, true, 32, 128), 15);  // capped
  EXPECT_EQ(t5_relative_position_bucket(40, true, 32, 128), 16 + 8 + 4);  // int(log(5) / log(16) * 8) = int(4.64)
  // Causal: keys after the query are bucket 0; 16 exact buckets.
  EXPECT_EQ(t5_relative_position_bucket(5, false, 32, 128), 0);
  EXPECT_EQ(t5_relative_position_bucket(-3, false, 32, 128), 3);
  EXPECT_EQ(t5_relative_position_bucket(-20, false, 32, 128), 17);  // 16 + int(log(1.25)/log(8)*16) = 16 + 1
}

TEST(T5Model, EncoderOutputAndFirstStepOfEveryCase) {
  const auto m = load(kT5Dir);
  for (const auto& c : expected(kT5Dir)["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    const auto ids = c["input_ids"].get<std::vector<int32_t>>();
    auto state = m->encode(1, static_cast<int>(ids.size()), ids, {}, 1, 8);
    expect_hidden_state(state->encoder_last_hidden_state().data_as<float>(), static_cast<int64_t>(ids.size()), 32,
                        c["encoder_last_hidden_state"]);
    const std::vector<float> logits = m->decode(std::vector<int32_t>{0}, *state).to_f32();
    ASSERT_EQ(logits.size(), 2176u);  // vocab_size, larger than the tokenizer
    const json& e = c["first_step_logits"];
    expect_logits(logits, e);
    EXPECT_NEAR(logits[1], e["eos_logit"].get<double>(), 1e-3 * e["std"].get<double>());
    EXPECT_NEAR(logits[0], e["pad_logit"].get<double>(), 1e-3 * e["std"].get<double>());
  }
}

TEST(T5Model, PaddedBatchTopFiveEqualEachInputAlone) {
  const auto m = load(kT5Dir);
  const auto& b = expected(kT5Dir)["batch"];
  const auto [batch, seq, ids, mask] = flatten_batch(b);
  auto state = m->encode(batch, seq, ids, mask, 2, 8);  // two decoder rows per input, as beams
  const std::vector<float> logits = m->decode(std::vector<int32_t>(2 * batch, 0), *state).to_f32();
  for (int r = 0; r < 2 * batch; ++r) {
    const json& top5 = b["first_step_logits_top5"][r / 2];
    const double tol = 1e-3 * expected(kT5Dir)["cases"][r / 2]["first_step_logits"]["std"].get<double>();
    for (const auto& p : top5) EXPECT_NEAR(logits[r * 2176 + p[0].get<int>()], p[1].get<double>(), tol) << "row " << r;
  }
}

TEST(T5Model, UntiedHeadIsNotScaled) {
  // lm_head = shared × d_model^-0.5 with tie_word_embeddings false must give the tied model's
  // logits: the tied head scales the hidden state, an untied one does not.
  EditedWeights w(kT5Dir);
  w.set("lm_head.weight", scaled_copy(w.get("shared.weight"), static_cast<float>(std::pow(32.0, -0.5))));
  json j = config_json(kT5Dir);
  j["tie_word_embeddings"] = false;
  const EncoderDecoderLM untied(EncoderDecoderConfig::from_json(j, "untied"), w);
  const json& c = expected(kT5Dir)["cases"][0];
  const auto ids = c["input_ids"].get<std::vector<int32_t>>();
  const auto a = decoder_logits(untied, ids, {0, 702}), b = decoder_logits(*load(kT5Dir), ids, {0, 702});
  expect_close(a, b, 1e-4);
  // And with the plain shared matrix as lm_head, the logits are d_model^0.5 times the tied ones.
  w.set("lm_head.weight", w.get("shared.weight"));
  const EncoderDecoderLM unscaled(EncoderDecoderConfig::from_json(j, "untied"), w);
  const auto u = decoder_logits(unscaled, ids, {0, 702});
  for (size_t i = 0; i < u.size(); i += 97) EXPECT_NEAR(u[i], b[i] * std::sqrt(32.0), 1e-3) << i;
}

TEST(T5Model, GatedFeedForwardOfV11) {
  // T5 v1.1 / Flan-T5: wo(act(wi_0 x) * wi_1 x). Properties that fail when the rule is wrong:
  // a zero wi_1 removes the feed-forward (as a zero wo does in the relu model); "gated-gelu" is
  // the tanh gelu (same logits as "gated-gelu_new"), unlike "gated-relu".
  json j = config_json(kT5Dir);
  auto gated = [&](const std::string& proj, bool zero_gate) {
    EditedWeights w(kT5Dir);
    for (const char* stack : {"encoder", "decoder"})
      for (int b = 0; b < 2; ++b) {
        const std::string p = std::string(stack) + ".block." + std::to_string(b) + ".layer." +
                              (std::string(stack) == "encoder" ? "1" : "2") + ".DenseReluDense.";
        const Tensor wi = w.get(p + "wi.weight");
        w.set(p + "wi_0.weight", wi);
        w.set(p + "wi_1.weight", scaled_copy(wi, zero_gate ? 0.0f : -0.5f));
      }
    j["feed_forward_proj"] = proj;
    const EncoderDecoderLM m(EncoderDecoderConfig::from_json(j, proj), w);
    EXPECT_TRUE(m.config().gated_ffn);
    return decoder_logits(m, expected(kT5Dir)["cases"][0]["input_ids"].get<std::vector<int32_t>>(), {0, 702});
  };
  auto without_ffn = [&] {
    EditedWeights w(kT5Dir);
    for (const char* stack : {"encoder", "decoder"})
      for (int b = 0; b < 2; ++b) {
        const std::string p = std::string(stack) + ".block." + std::to_string(b) + ".layer." +
                              (std::string(stack) == "encoder" ? "1" : "2") + ".DenseReluDense.wo.weight";
        w.set(p, scaled_copy(w.get(p), 0.0f));
      }
    j["feed_forward_proj"] = "relu";
    const EncoderDecoderLM m(EncoderDecoderConfig::from_json(j, "relu"), w);
    return decoder_logits(m, expected(kT5Dir)["cases"][0]["input_ids"].get<std::vector<int32_t>>(), {0, 702});
  };
  expect_close(gated("gated-gelu", true), without_ffn(), 1e-5);
  const auto gelu = gated("gated-gelu", false), gelu_new = gated("gated-gelu_new", false), relu = gated("gated-relu", false);
  expect_close(gelu, gelu_new, 1e-6);
  EXPECT_GT(max_abs_diff(gelu, relu), 1e-2);
  EXPECT_GT(max_abs_diff(gelu, without_ffn()), 1e-2);
}

TEST(EncoderDecoderConfig, FeedForwardProjAndActivations) {
  json j = config_json(kT5Dir);
  j["feed_forward_proj"] = "gated-gelu";
  auto c = EncoderDecoderConfig::from_json(j, "c");
  EXPECT_TRUE(c.gated_ffn);
  EXPECT_EQ(c.activation_function, "gelu_new");
  j["feed_forward_proj"] = "gated-silu";
  EXPECT_EQ(EncoderDecoderConfig::from_json(j, "c").activation_function, "silu");
  for (const char* bad : {"gelu-new", "gated-gelu-new", "swiglu", "gated-"}) {
    j["feed_forward_proj"] = bad;
    try {
      EncoderDecoderConfig::from_json(j, "config.json");
      FAIL() << bad;
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("config.json: "), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
  j["feed_forward_proj"] = 3;
  EXPECT_THROW(EncoderDecoderConfig::from_json(j, "c"), ConfigError);
}

TEST(EncoderDecoderConfig, BadValuesAreConfigErrors) {
  json j = config_json(kBartDir);
  j["model_type"] = "pegasus";
  EXPECT_THROW(EncoderDecoderConfig::from_json(j, "c"), ConfigError);
  j = config_json(kBartDir);
  j["encoder_attention_heads"] = 5;  // 32 % 5
  EXPECT_THROW(EncoderDecoderConfig::from_json(j, "c"), ConfigError);
  j = config_json(kBartDir);
  j["d_model"] = "wide";
  EXPECT_THROW(EncoderDecoderConfig::from_json(j, "c"), ConfigError);
  j = config_json(kT5Dir);
  j["d_kv"] = 0;
  EXPECT_THROW(EncoderDecoderConfig::from_json(j, "c"), ConfigError);
  j = config_json(kT5Dir);
  j["relative_attention_num_buckets"] = 40;  // max distance 20 is not above 40 / 2
  EXPECT_THROW(EncoderDecoderConfig::from_json(j, "c"), ConfigError);
  EXPECT_THROW(EncoderDecoderConfig::from_json(json::array(), "c"), ConfigError);
}

// Sizes no model nears are ConfigErrors before anything is allocated for them (a layer count of
// 4444444444444443, a 2^31 d_model; a Marian sinusoidal table, computed at load, of 2^30 × 32).
TEST(EncoderDecoderConfig, SizesAreBounded) {
  auto error_of = [](json j) {
    try {
      EncoderDecoderConfig::from_json(j, "c");
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  json j = config_json(kBartDir);
  j["encoder_layers"] = 4444444444444443;
  EXPECT_NE(error_of(j).find("encoder_layers: must be at most 65536"), std::string::npos) << error_of(j);
  j = config_json(kBartDir);
  j["d_model"] = int64_t(1) << 31;
  EXPECT_NE(error_of(j).find("d_model: must be at most 2147483647"), std::string::npos) << error_of(j);
  j = config_json(kBartDir);
  j["model_type"] = "marian";
  j["max_position_embeddings"] = int64_t(1) << 30;
  EXPECT_NE(error_of(j).find("sinusoidal table"), std::string::npos) << error_of(j);
  j["max_position_embeddings"] = 4096;  // a long but real table is accepted
  EXPECT_EQ(error_of(j), "no error");
}

TEST(EncoderDecoderModel, MissingTensorsAreNamed) {
  auto expect_missing = [](const EncoderDecoderConfig& c, const WeightSource& w, const std::string& name) {
    try {
      EncoderDecoderLM m(c, w);
      FAIL() << name;
    } catch (const ModelError& e) {
      EXPECT_NE(std::string(e.what()).find("'" + name + "' is missing"), std::string::npos) << e.what();
    }
  };
  json j = config_json(kT5Dir);
  j["feed_forward_proj"] = "gated-gelu";  // the fixture has wi, not wi_0 / wi_1
  expect_missing(EncoderDecoderConfig::from_json(j, "c"), EditedWeights(kT5Dir), "encoder.block.0.layer.1.DenseReluDense.wi_0.weight");
  j = config_json(kT5Dir);
  j["tie_word_embeddings"] = false;
  expect_missing(EncoderDecoderConfig::from_json(j, "c"), EditedWeights(kT5Dir), "lm_head.weight");
  j = config_json(kBartDir);
  j["model_type"] = "mbart";  // pre-norm with final layer norms the BART checkpoint does not have
  expect_missing(EncoderDecoderConfig::from_json(j, "c"), EditedWeights(kBartDir), "model.encoder.layer_norm.weight");
  // BART's learned table must hold max_position_embeddings + 2 rows.
  j = config_json(kBartDir);
  j["max_position_embeddings"] = 256;
  try {
    EncoderDecoderLM m(EncoderDecoderConfig::from_json(j, "c"), EditedWeights(kBartDir));
    FAIL();
  } catch (const ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("model.encoder.embed_positions.weight"), std::string::npos) << e.what();
  }
}

TEST(EncoderDecoderModel, BartInputLongerThanItsPositionsIsAnInputError) {
  std::vector<int32_t> ids(129, 5);
  try {
    load(kBartDir)->encode(1, 129, ids, {}, 1, 4);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("longer than the model's 128 positions"), std::string::npos) << e.what();
  }
  // T5 has no position table: a long input runs.
  std::vector<int32_t> t5_ids(300, 5);
  t5_ids.back() = 1;
  EXPECT_NO_THROW(load(kT5Dir)->encode(1, 300, t5_ids, {}, 1, 4));
}

TEST(EncoderDecoderModel, CachedStepsEqualOneFullDecoderPass) {
  // The decoder run over all positions at once (causal mask, T5's bias of every query position)
  // equals the same positions fed one at a time through the cache, for BART and T5.
  for (const fs::path& dir : {kBartDir, kT5Dir}) {
    SCOPED_TRACE(dir.filename().string());
    EditedWeights w(dir);
    const EncoderDecoder body(EncoderDecoderConfig::from_file(dir / "config.json"), w, EncoderDecoder::base_prefix(w));
    const auto ids = expected(dir)["cases"][1]["input_ids"].get<std::vector<int32_t>>();
    const std::vector<int32_t> decoder_ids{body.config().decoder_start_token_id, 5, 17, 9, 301, 42};
    const int64_t T = static_cast<int64_t>(decoder_ids.size()), d = body.config().d_model;
    auto full = body.encode(1, static_cast<int>(ids.size()), ids, {}, 1, T);
    std::vector<float> all, step;
    body.decode(decoder_ids, T, *full, all);
    auto cached = body.encode(1, static_cast<int>(ids.size()), ids, {}, 1, T);
    for (int64_t t = 0; t < T; ++t) {
      body.decode(std::vector<int32_t>{decoder_ids[t]}, 1, *cached, step);
      for (int64_t j = 0; j < d; ++j) ASSERT_NEAR(step[j], all[t * d + j], 1e-4) << "position " << t;
    }
    EXPECT_THROW(body.decode(std::vector<int32_t>{1}, 1, *cached, step), InputError);  // capacity T reached
  }
}

TEST(EncoderDecoderConfig, Mt5IsT5V11WithItsOwnDefaults) {
  // MT5Config: gated-gelu and an untied head unless config.json says otherwise.
  json j = config_json(kT5Dir);
  j["model_type"] = "mt5";
  j.erase("feed_forward_proj");
  const auto c = EncoderDecoderConfig::from_json(j, "c");
  EXPECT_TRUE(c.gated_ffn);
  EXPECT_EQ(c.activation_function, "gelu_new");
  EXPECT_FALSE(c.tie_word_embeddings);
  EXPECT_EQ(c.naming, EncoderDecoderConfig::Naming::T5);
}
