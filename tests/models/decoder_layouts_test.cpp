// The same weights under the other names and configs the Hub uses for a family: GPT-2 saved by
// save_pretrained (`transformer.` prefix), Gemma 3 inside its image-text wrapper (`gemma3` config
// with a text_config; tensors under `model.language_model.` or `language_model.model.`), and
// checkpoints with GPT-2's old causal-mask buffers. Each must give the fixture's logits exactly.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>

#include "core/json.h"
#include "hf/error.h"
#include "io/model_weights.h"
#include "models/decoder_lm.h"

namespace hf {
namespace {

// The fixture's tensors with a name prefix swapped (`from` → `to`), plus extra tensors.
class RenamedWeights : public WeightSource {
 public:
  RenamedWeights(const std::string& dir, std::map<std::string, std::string> renames) : inner_(open_model_weights(dir)) {
    for (const auto& n : inner_->names()) {
      std::string name = n;
      for (const auto& [from, to] : renames)
        if (name.rfind(from, 0) == 0) {
          name = to + name.substr(from.size());
          break;
        }
      names_[name] = n;
      order_.push_back(name);
    }
  }
  void add(const std::string& name, Tensor t) { extra_[name] = t, order_.push_back(name); }
  bool has(const std::string& n) const override { return names_.count(n) || extra_.count(n); }
  Tensor get(const std::string& n) const override {
    if (extra_.count(n)) return extra_.at(n);
    if (!names_.count(n)) throw ModelError("renamed: no tensor '" + n + "'");
    return inner_->get(names_.at(n));
  }
  std::vector<std::string> names() const override { return order_; }
  std::string describe() const override { return "renamed " + inner_->describe(); }

 private:
  std::unique_ptr<WeightSource> inner_;
  std::map<std::string, std::string> names_;
  std::map<std::string, Tensor> extra_;
  std::vector<std::string> order_;
};

std::vector<float> last_logits(const CausalLM& m, const std::vector<int32_t>& ids) {
  auto cache = m.new_cache(1, int64_t(ids.size()));
  ForwardInput in;
  in.seq = int(ids.size());
  in.input_ids = ids;
  Tensor t = m.forward(in, *cache);
  return std::vector<float>(t.data_as<float>(), t.data_as<float>() + t.numel());
}

std::vector<int32_t> first_case_ids(const std::string& dir) {
  return read_json_file(dir + "/expected.json")["cases"][2]["input_ids"].get<std::vector<int32_t>>();
}

TEST(DecoderLayouts, Gpt2WithTransformerPrefixAndMaskBuffers) {
  const std::string dir = HF_FIXTURES "/tiny-gpt2";
  auto reference = load_causal_lm(dir);
  ModelConfig c = ModelConfig::from_file(dir);
  auto renamed = std::make_shared<RenamedWeights>(dir, std::map<std::string, std::string>{{"", "transformer."}});
  // Old checkpoints carry the causal-mask buffers; they are not attention biases.
  renamed->add("transformer.h.0.attn.bias", Tensor::zeros(DType::F32, {1, 1, 256, 256}));
  renamed->add("transformer.h.0.attn.masked_bias", Tensor::zeros(DType::F32, {}));
  DecoderLM prefixed(c, renamed);
  const auto ids = first_case_ids(dir);
  EXPECT_EQ(last_logits(prefixed, ids), last_logits(*reference, ids));
}

TEST(DecoderLayouts, Gpt2PositionsBeyondNPositionsAreAnInputError) {
  auto m = load_causal_lm(HF_FIXTURES "/tiny-gpt2");
  std::vector<int32_t> ids(257, 30);
  try {
    last_logits(*m, ids);
    FAIL() << "no error for position 256";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("position 256 is beyond the model's 256 learned positions"), std::string::npos) << e.what();
  }
}

// A gemma3 (Gemma3ForConditionalGeneration) config.json wrapping the fixture's text config.
ModelConfig wrapped_gemma3_config(const std::string& dir) {
  json text = read_json_file(dir + "/config.json");
  json top = {{"model_type", "gemma3"}, {"architectures", {"Gemma3ForConditionalGeneration"}}, {"eos_token_id", {1, 106}},
              {"text_config", text}, {"vision_config", {{"model_type", "siglip_vision_model"}}}};
  top["text_config"].erase("eos_token_id");
  return ModelConfig::from_json_text(top.dump(), "wrapped config.json");
}

TEST(DecoderLayouts, Gemma3InsideTheImageTextWrapper) {
  const std::string dir = HF_FIXTURES "/tiny-gemma3";
  auto reference = load_causal_lm(dir);
  ModelConfig c = wrapped_gemma3_config(dir);
  EXPECT_EQ(c.model_type, "gemma3_text");
  EXPECT_EQ(c.architectures, std::vector<std::string>{"Gemma3ForConditionalGeneration"});
  EXPECT_EQ(c.eos_token_id, (std::vector<int64_t>{1, 106}));  // the wrapper's, where the text config has none
  const auto ids = first_case_ids(dir);
  const auto want = last_logits(*reference, ids);
  for (const std::string prefix : {"model.language_model.", "language_model.model."}) {
    DecoderLM m(c, std::make_shared<RenamedWeights>(dir, std::map<std::string, std::string>{{"model.", prefix}}));
    EXPECT_EQ(last_logits(m, ids), want) << prefix;
  }
  EXPECT_THROW(ModelConfig::from_json_text(R"({"model_type": "gemma3"})", "c.json"), ConfigError);
}

TEST(DecoderLayouts, Gemma3PatternRuleWithoutLayerTypes) {
  json text = read_json_file(HF_FIXTURES "/tiny-gemma3/config.json");
  text.erase("layer_types");
  text["sliding_window_pattern"] = 3;
  ModelConfig c = ModelConfig::from_json_text(text.dump());
  // (i + 1) % pattern != 0 slides: layers 2 and 5 are global, as the fixture's layer_types say.
  for (int64_t l = 0; l < 6; ++l) EXPECT_EQ(c.is_sliding_layer(l), l != 2 && l != 5) << l;
  text.erase("sliding_window_pattern");  // the default pattern, 6: only layer 5 is global
  c = ModelConfig::from_json_text(text.dump());
  for (int64_t l = 0; l < 6; ++l) EXPECT_EQ(c.is_sliding_layer(l), l != 5) << l;
}

TEST(DecoderLayouts, FamilyDefaultsFromTransformersConfigs) {
  const std::string dims = R"("vocab_size": 100, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 4,
                              "num_attention_heads": 4)";
  ModelConfig g2 = ModelConfig::from_json_text("{" + dims + R"(, "model_type": "gemma2"})");
  EXPECT_EQ(g2.attn_logit_softcapping, 50.0);  // Gemma2Config's defaults
  EXPECT_EQ(g2.final_logit_softcapping, 30.0);
  EXPECT_DOUBLE_EQ(g2.attention_scale, 1 / 16.0);  // query_pre_attn_scalar 256
  EXPECT_TRUE(g2.is_sliding_layer(0));
  EXPECT_FALSE(g2.is_sliding_layer(1));
  ModelConfig g3 = ModelConfig::from_json_text("{" + dims + R"(, "model_type": "gemma3_text"})");
  EXPECT_EQ(g3.attn_logit_softcapping, 0.0);  // Gemma3TextConfig: none unless set
  EXPECT_EQ(g3.rope_local_base_freq, 10000.0);
  ModelConfig gpt2 = ModelConfig::from_json_text(R"({"model_type": "gpt2", "vocab_size": 10, "n_embd": 12, "n_head": 3, "n_layer": 1})");
  EXPECT_EQ(gpt2.intermediate_size, 48);  // n_inner absent: 4 × n_embd
  EXPECT_EQ(gpt2.max_position_embeddings, 1024);
  EXPECT_TRUE(gpt2.tie_word_embeddings);
  EXPECT_EQ(gpt2.hidden_act, "gelu_new");
  ModelConfig phi = ModelConfig::from_file(HF_FIXTURES "/tiny-phi3");
  EXPECT_EQ(phi.rotary_dim(), 8);
  EXPECT_NEAR(phi.rope_scaling.attention_factor, 1.1547005, 1e-7);
  EXPECT_NE(std::string([&] {
              try {
                ModelConfig::from_json_text("{" + dims + R"(, "model_type": "phi3", "rope_scaling": {"type": "longrope", "short_factor": [1], "long_factor": [1]}})");
              } catch (const ConfigError& e) {
                return std::string(e.what());
              }
              return std::string();
            }())
                .find("short_factor must be a list of 8 numbers"),
            std::string::npos);
}

}  // namespace
}  // namespace hf
