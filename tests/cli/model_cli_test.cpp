// `hfcpp info`, `hfcpp generate` and `hfcpp bench` on tiny-qwen2 (info also on T5 and BART), run as a user would.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "cli/run_program.h"
#include "core/json.h"

namespace {

const hf::json& fixture_case(const std::string& name) {
  static const hf::json e = hf::read_json_file(kModel + "/expected.json");
  for (const auto& c : e["cases"])
    if (c["name"] == name) return c;
  throw std::runtime_error("no case " + name);
}

std::string ids_arg(const hf::json& ids) {
  std::string s;
  for (const auto& id : ids) s += (s.empty() ? "" : ",") + std::to_string(id.get<int>());
  return s;
}
}  // namespace

TEST(GenerateCli, GreedyIdsMatchTheReference) {
  const auto& c = fixture_case("plain_mixed");
  auto r = run_program(kHfcpp + " generate " + quote(kModel) + " --ids " + ids_arg(c["input_ids"]) +
                       " --max-new-tokens 32 --greedy --json");
  ASSERT_EQ(r.status, 0) << r.err;
  hf::json out = hf::json::parse(r.out);
  EXPECT_EQ(out["new_tokens"], c["greedy"]["ids"]);
  EXPECT_EQ(out["text"], c["greedy"]["text"]);
  EXPECT_FALSE(out.contains("steps"));
}

TEST(GenerateCli, LogitsGivesTopKOfEveryStepHighestFirst) {
  const auto& c = fixture_case("chat_zh");
  auto r = run_program(kHfcpp + " generate " + quote(kModel) + " --ids " + ids_arg(c["input_ids"]) +
                       " --max-new-tokens 3 --greedy --json --logits 5");
  ASSERT_EQ(r.status, 0) << r.err;
  hf::json out = hf::json::parse(r.out);
  ASSERT_EQ(out["steps"].size(), 3u);
  const double tol = 1e-3 * c["last_logits"]["std"].get<double>();
  for (size_t s = 0; s < 3; ++s) {
    const auto& top = out["steps"][s]["top"];
    ASSERT_EQ(top.size(), 5u);
    EXPECT_EQ(top[0][0], out["new_tokens"][s]);  // greedy takes the top logit
    for (size_t i = 1; i < 5; ++i) EXPECT_GE(top[i - 1][1].get<double>(), top[i][1].get<double>());
  }
  for (size_t i = 0; i < 5; ++i) {  // the first step is the reference's last-position logits
    EXPECT_EQ(out["steps"][0]["top"][i][0], c["last_logits"]["top20"][i][0]);
    EXPECT_NEAR(out["steps"][0]["top"][i][1].get<double>(), c["last_logits"]["top20"][i][1].get<double>(), tol);
  }
}

TEST(GenerateCli, PromptIsTokenizedLikeIds) {
  const auto& c = fixture_case("plain_en");
  auto r = run_program(kHfcpp + " generate " + quote(kModel) + " --prompt " + quote(c["text"].get<std::string>()) +
                       " --max-new-tokens 8 --greedy --json");
  ASSERT_EQ(r.status, 0) << r.err;
  hf::json out = hf::json::parse(r.out);
  std::vector<int> expected(c["greedy"]["ids"].begin(), c["greedy"]["ids"].begin() + 8);
  EXPECT_EQ(out["new_tokens"].get<std::vector<int>>(), expected);
}

TEST(GenerateCli, BadIdsAndMissingModelAreOneLineErrors) {
  auto r = run_program(kHfcpp + " generate " + quote(kModel) + " --ids 1,x --greedy --json");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("hfcpp: error: --ids: \"x\" is not a token id"), std::string::npos) << r.err;
  r = run_program(kHfcpp + " generate " + quote(kModel) + " --ids 999999 --greedy --json");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("outside the vocabulary"), std::string::npos) << r.err;
  r = run_program(kHfcpp + " generate /nonexistent/model --ids 1 --greedy");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("hfcpp: error:"), std::string::npos) << r.err;
}

TEST(InfoCli, DescribesTheModel) {
  auto r = run_program(kHfcpp + " info " + quote(kModel) + " --json");
  ASSERT_EQ(r.status, 0) << r.err;
  hf::json out = hf::json::parse(r.out);
  EXPECT_EQ(out["architecture"], "Qwen2ForCausalLM");
  EXPECT_EQ(out["dtype"], "BF16");
  EXPECT_EQ(out["parameters"], 151936 * 64 + 2 * (2 * 64 + (64 * 64 + 64) + 2 * (32 * 64 + 32) + 64 * 64 + 3 * 64 * 128) + 64);
  EXPECT_EQ(out["weights_bytes"].get<int64_t>(), 2 * out["parameters"].get<int64_t>());
  EXPECT_EQ(out["kv_cache_bytes_per_token"], 2 * 2 * 2 * 16 * 4);  // K and V, 2 layers, 2 KV heads, head_dim 16, f32
  r = run_program(kHfcpp + " info " + quote(kModel));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("Qwen2ForCausalLM"), std::string::npos) << r.out;
}

// The memory figures of the model held as the load flags say: an f16 cache stores 2 bytes an
// element, int4 matrices (and the Q8_0 embedding) take fewer bytes than bf16.
// The quantized weights go to $HFCPP_CACHE/quantized (a folder of the test's, not the user's
// ~/.cache): the first load writes the entry and says so, the second maps it quietly.
TEST(InfoCli, MemoryFollowsTheLoadFlags) {
  TestTempDir cache("info-quantized-cache");
  const std::string kHfcppCached = "HFCPP_CACHE=" + quote(cache.path().string()) + " " + kHfcpp;
  auto r = run_program(kHfcppCached + " info " + quote(kModel) + " --json --kv-cache-dtype f16 --quantize int4");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("hfcpp: quantized weights kept in " + (cache.path() / "quantized").string()), std::string::npos)
      << r.err;
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(cache.path() / "quantized"), std::filesystem::directory_iterator()), 1);
  hf::json out = hf::json::parse(r.out);
  EXPECT_EQ(out["kv_cache_bytes_per_token"], 2 * 2 * 2 * 16 * 2);
  EXPECT_EQ(out["kv_cache_dtype"], "f16");
  EXPECT_LT(out["weights_bytes"].get<int64_t>(), out["parameters"].get<int64_t>() * 2 * 6 / 10);
  r = run_program(kHfcppCached + " info " + quote(kModel) + " --kv-cache-dtype f16 --quantize int4");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_NE(r.out.find("MiB of weights (quantized to int4, kept in " + (cache.path() / "quantized").string() +
                       ") + 0.2 KiB of KV cache per token (f16)\n"),
            std::string::npos) << r.out;
  r = run_program(kHfcppCached + " info " + quote(kModel) + " --quantize int4 --no-quantized-cache");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("MiB of weights (quantized at load to int4) + "), std::string::npos) << r.out;
  r = run_program(kHfcpp + " info " + quote(std::string(HF_FIXTURES "/tiny-t5")) + " --quantize int8");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("hfcpp: error: info: --quantize and --kv-cache-dtype apply to decoder-only models"), std::string::npos)
      << r.err;
}

// Encoder–decoder sizes under each family's own keys: T5's num_layers / num_decoder_layers /
// num_heads / d_ff, BART's encoder_layers / decoder_layers (tiny-bart-cnn: 2 and 1).
TEST(InfoCli, EncoderDecoderLayerCountsOfT5AndBart) {
  struct Case {
    const char* fixture;
    int64_t encoder_layers, decoder_layers, heads, ffn;
    const char *encoder_line, *decoder_line;
  };
  for (const Case& c : {Case{"tiny-t5", 2, 2, 4, 64, "2 layers, 4 heads, ffn 64", "2 layers, 4 heads, ffn 64"},
                        Case{"tiny-bart-cnn", 2, 1, 4, 64, "2 layers, 4 heads, ffn 64", "1 layer, 4 heads, ffn 64"}}) {
    const std::string dir = std::string(HF_FIXTURES "/") + c.fixture;
    auto r = run_program(kHfcpp + " info " + quote(dir) + " --json");
    ASSERT_EQ(r.status, 0) << r.err;
    const hf::json out = hf::json::parse(r.out);
    EXPECT_EQ(out["encoder_layers"], c.encoder_layers) << c.fixture;
    EXPECT_EQ(out["decoder_layers"], c.decoder_layers) << c.fixture;
    EXPECT_EQ(out["encoder_attention_heads"], c.heads) << c.fixture;
    EXPECT_EQ(out["decoder_attention_heads"], c.heads) << c.fixture;
    EXPECT_EQ(out["encoder_ffn_dim"], c.ffn) << c.fixture;
    EXPECT_EQ(out["decoder_ffn_dim"], c.ffn) << c.fixture;
    EXPECT_EQ(out["d_model"], 32) << c.fixture;
    r = run_program(kHfcpp + " info " + quote(dir));
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out.find('?'), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(std::string("encoder       ") + c.encoder_line + "\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(std::string("decoder       ") + c.decoder_line + "\n"), std::string::npos) << r.out;
  }
  auto t5 = run_program(kHfcpp + " info " + quote(HF_FIXTURES "/tiny-t5"));
  EXPECT_NE(t5.out.find("relative positions (no maximum)"), std::string::npos) << t5.out;  // not "0 positions max"
}

TEST(InfoCli, UnsupportedModelTypeListsTheSupportedOnes) {
  const TestTempDir temp("bloom_model");
  const auto dir = temp.path();
  std::ofstream(dir / "config.json") << R"({"model_type": "bloom", "vocab_size": 10})";
  auto r = run_program(kHfcpp + " info " + quote(dir.string()));
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("'bloom'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("gpt2, llama, mistral"), std::string::npos) << r.err;
}

TEST(BenchCli, JsonHasEveryFigure) {
  auto r = run_program(kHfcpp + " bench " + quote(kModel) + " --prompt-tokens 16 --gen-tokens 4 --threads 2 --json");
  ASSERT_EQ(r.status, 0) << r.err;
  hf::json out = hf::json::parse(r.out);
  for (const char* key : {"load_s", "prompt_tok_s", "decode_tok_s", "peak_rss_mb", "weights_mb", "bandwidth_gb_s",
                          "bandwidth_fraction"}) {
    ASSERT_TRUE(out.contains(key)) << key;
    EXPECT_GT(out[key].get<double>(), 0.0) << key;
  }
  EXPECT_NEAR(out["weights_mb"].get<double>(), 2.0 * 9.8e6 / (1024 * 1024), 0.5);
}
