// BART checked against a second, independent implementation: a naive float64 transcription of
// transformers' modeling_bart.py / modeling_mbart.py (no cache, no kernels). It is first held to
// tests/fixtures/tiny-bart-cnn/expected.json (BART: post-norm), then serves as the reference for
// mBART's variant, which no fixture covers: pre-norm layers, a LayerNorm closing each stack and
// scaled embeddings (mbart-large-cc25's scale_embedding true).
#include <gtest/gtest.h>

#include <cmath>

#include "models/encoder_decoder.h"
#include "models/seq2seq_fixtures.h"

namespace fs = std::filesystem;
using namespace hf;
using Matrix = std::vector<std::vector<double>>;

namespace {

const fs::path kBart = fs::path(HF_FIXTURES) / "tiny-bart-cnn";

class NaiveBart {
 public:
  NaiveBart(const json& c, const WeightSource& w) : w_(w) {
    d_ = c["d_model"].get<int>();
    heads_ = c["encoder_attention_heads"].get<int>();
    encoder_layers_ = c["encoder_layers"].get<int>();
    decoder_layers_ = c["decoder_layers"].get<int>();
    mbart_ = c["model_type"] == "mbart";
    scale_ = c.value("scale_embedding", false) ? std::sqrt(double(d_)) : 1.0;
  }

  Matrix encode(const std::vector<int32_t>& ids) const {
    Matrix h = embed("model.encoder.", ids);
    for (int l = 0; l < encoder_layers_; ++l) {
      const std::string p = "model.encoder.layers." + std::to_string(l) + ".";
      block(h, p + "self_attn_layer_norm", [&](const Matrix& x) { return attention(p + "self_attn", x, x, false); });
      block(h, p + "final_layer_norm", [&](const Matrix& x) { return ffn(p, x); });
    }
    return mbart_ ? norm(h, "model.encoder.layer_norm") : h;
  }

  std::vector<double> logits(const Matrix& enc, const std::vector<int32_t>& tokens) const {
    Matrix h = embed("model.decoder.", tokens);
    for (int l = 0; l < decoder_layers_; ++l) {
      const std::string p = "model.decoder.layers." + std::to_string(l) + ".";
      block(h, p + "self_attn_layer_norm", [&](const Matrix& x) { return attention(p + "self_attn", x, x, true); });
      block(h, p + "encoder_attn_layer_norm", [&](const Matrix& x) { return attention(p + "encoder_attn", x, enc, false); });
      block(h, p + "final_layer_norm", [&](const Matrix& x) { return ffn(p, x); });
    }
    if (mbart_) h = norm(h, "model.decoder.layer_norm");
    std::vector<double> out = linear({h.back()}, "model.shared.weight", false)[0];
    const std::vector<float> bias = get("final_logits_bias");
    for (size_t i = 0; i < out.size(); ++i) out[i] += bias[i];
    return out;
  }

 private:
  std::vector<float> get(const std::string& name) const { return w_.get(name).to_f32(); }

  // BartScaledWordEmbedding + BartLearnedPositionalEmbedding (row position + 2) → layernorm_embedding.
  Matrix embed(const std::string& stack, const std::vector<int32_t>& ids) const {
    const std::vector<float> table = get("model.shared.weight"), pos = get(stack + "embed_positions.weight");
    Matrix h;
    for (size_t t = 0; t < ids.size(); ++t) {
      std::vector<double> row(d_);
      for (int j = 0; j < d_; ++j) row[j] = table[int64_t(ids[t]) * d_ + j] * scale_ + pos[(t + 2) * d_ + j];
      h.push_back(row);
    }
    return norm(h, stack + "layernorm_embedding");
  }
  Matrix linear(const Matrix& x, const std::string& name, bool bias = true) const {
    const std::vector<float> W = get(bias ? name + ".weight" : name);
    const std::vector<float> b = bias ? get(name + ".bias") : std::vector<float>{};
    const size_t in = x[0].size(), out = W.size() / in;
    Matrix y(x.size(), std::vector<double>(out));
    for (size_t r = 0; r < x.size(); ++r)
      for (size_t o = 0; o < out; ++o) {
        y[r][o] = bias ? b[o] : 0.0;
        for (size_t i = 0; i < in; ++i) y[r][o] += x[r][i] * W[o * in + i];
      }
    return y;
  }
  Matrix norm(const Matrix& x, const std::string& name) const {  // nn.LayerNorm, eps 1e-5
    const std::vector<float> w = get(name + ".weight"), b = get(name + ".bias");
    Matrix y = x;
    for (auto& row : y) {
      double mean = 0, var = 0;
      for (double v : row) mean += v / d_;
      for (double v : row) var += (v - mean) * (v - mean) / d_;
      for (int j = 0; j < d_; ++j) row[j] = (row[j] - mean) / std::sqrt(var + 1e-5) * w[j] + b[j];
    }
    return y;
  }
  // BART: h = norm(h + f(h)); mBART: h = h + f(norm(h)).
  template <class F>
  void block(Matrix& h, const std::string& norm_name, F f) const {
    const Matrix delta = f(mbart_ ? norm(h, norm_name) : h);
    for (size_t r = 0; r < h.size(); ++r)
      for (int j = 0; j < d_; ++j) h[r][j] += delta[r][j];
    if (!mbart_) h = norm(h, norm_name);
  }
  Matrix attention(const std::string& p, const Matrix& x, const Matrix& kv, bool causal) const {
    const int hd = d_ / heads_;
    Matrix q = linear(x, p + ".q_proj");
    for (auto& row : q)
      for (double& z : row) z *= std::pow(hd, -0.5);
    const Matrix k = linear(kv, p + ".k_proj"), v = linear(kv, p + ".v_proj");
    Matrix ctx(x.size(), std::vector<double>(d_));
    for (int h = 0; h < heads_; ++h)
      for (size_t t = 0; t < x.size(); ++t) {
        std::vector<double> s(kv.size(), -INFINITY);
        double mx = -INFINITY, sum = 0;
        for (size_t j = 0; j < kv.size() && (!causal || j <= t); ++j) {
          s[j] = 0;
          for (int e = 0; e < hd; ++e) s[j] += q[t][h * hd + e] * k[j][h * hd + e];
          mx = std::max(mx, s[j]);
        }
        for (double& z : s) sum += (z = std::exp(z - mx));
        for (size_t j = 0; j < kv.size(); ++j)
          for (int e = 0; e < hd; ++e) ctx[t][h * hd + e] += s[j] / sum * v[j][h * hd + e];
      }
    return linear(ctx, p + ".out_proj");
  }
  Matrix ffn(const std::string& p, const Matrix& x) const {
    Matrix a = linear(x, p + "fc1");
    for (auto& row : a)
      for (double& z : row) z = 0.5 * z * (1 + std::erf(z / std::sqrt(2.0)));  // gelu (erf)
    return linear(a, p + "fc2");
  }

  const WeightSource& w_;
  int d_ = 0, heads_ = 0, encoder_layers_ = 0, decoder_layers_ = 0;
  bool mbart_ = false;
  double scale_ = 1.0;
};

}  // namespace

TEST(BartReference, TheNaiveTranscriptionReproducesTheFixture) {
  test::EditedWeights w(kBart);
  const NaiveBart ref(read_json_file(kBart / "config.json"), w);
  for (const auto& c : test::fixture_expected(kBart)["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    const Matrix enc = ref.encode(c["input_ids"].get<std::vector<int32_t>>());
    for (const char* step : {"first_step_logits", "second_step_logits"}) {
      const std::vector<double> l = ref.logits(enc, c[step]["decoder_input_ids"].get<std::vector<int32_t>>());
      test::expect_logits(std::vector<float>(l.begin(), l.end()), c[step]);
    }
  }
}

TEST(BartReference, MbartPreNormWithFinalNormsAndScaledEmbeddings) {
  test::EditedWeights w(kBart);
  for (const char* stack : {"encoder", "decoder"})  // the closing norms mBART adds: any LayerNorm values
    for (const char* part : {"weight", "bias"})
      w.set(std::string("model.") + stack + ".layer_norm." + part,
            w.get(std::string("model.") + stack + ".layers.0.final_layer_norm." + part));
  json cfg = read_json_file(kBart / "config.json");
  cfg["model_type"] = "mbart";
  cfg["scale_embedding"] = true;
  const EncoderDecoderLM model(EncoderDecoderConfig::from_json(cfg, "mbart"), w);
  EXPECT_TRUE(model.config().pre_norm && model.config().final_layer_norm && model.config().layernorm_embedding);
  const NaiveBart ref(cfg, w);
  const std::vector<int32_t> ids = test::fixture_expected(kBart)["cases"][0]["input_ids"].get<std::vector<int32_t>>();
  const Matrix enc = ref.encode(ids);
  const std::vector<int32_t> tokens{2, 0, 49, 49, 1670, 49};
  for (size_t n : {size_t(1), tokens.size()}) {
    SCOPED_TRACE(n);
    const std::vector<int32_t> prefix(tokens.begin(), tokens.begin() + n);
    test::expect_close_to_reference(test::decoder_logits(model, ids, prefix), ref.logits(enc, prefix));
  }
}
