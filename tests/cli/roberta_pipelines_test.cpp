// RoBERTa and XLM-RoBERTa through the pipelines and the CLI, on tests/fixtures/tiny-roberta (a
// float64 reference from transformers' modeling code; see its README). The fixture folders hold
// no tokenizer, so each test folder gets the tokenizer its ids came from: the GPT-2 byte-level
// BPE (roberta) or the Unigram fixture (xlm-roberta), with RobertaProcessing adding the fixture's
// bos/eos ids, as the real models' tokenizer.json files do. Checked: the ids equal the
// fixture's, feature-extraction equals its last_hidden_state, and text-classification's scores
// (C++ API and `hfcpp pipeline ... --json`) equal the softmax of its classification logits.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "cli/run_program.h"
#include "core/json.h"
#include "hf/pipeline.h"
#include "hf/tokenizer.h"
#include "test_temp.h"

namespace hf {
namespace {

namespace fs = std::filesystem;

struct Family {
  const char* folder;     // under tiny-roberta/
  const char* tokenizer;  // under tokenizers/
  int bos, eos;
  const char* tokenizer_class;
};
const Family kFamilies[] = {{"roberta", "gpt2", 0, 2, "RobertaTokenizer"}, {"xlm-roberta", "unigram", 0, 0, "XLMRobertaTokenizer"}};

// A model folder: the fixture's weights and config, and its tokenizer.
fs::path make_folder(const TestTempDir& tmp, const Family& f) {
  const fs::path dir = tmp / f.folder;
  fs::create_directories(dir);
  const fs::path src = fs::path(HF_FIXTURES) / "tiny-roberta" / f.folder;
  fs::copy_file(src / "config.json", dir / "config.json");
  fs::copy_file(src / "model.safetensors", dir / "model.safetensors");
  json tok = read_json_file(fs::path(HF_FIXTURES) / "tokenizers" / f.tokenizer / "tokenizer.json");
  tok["post_processor"] = {{"type", "RobertaProcessing"}, {"sep", {"</s>", f.eos}}, {"cls", {"<s>", f.bos}},
                           {"trim_offsets", true}, {"add_prefix_space", false}};
  std::ofstream(dir / "tokenizer.json") << tok.dump();
  std::ofstream(dir / "tokenizer_config.json") << json{{"tokenizer_class", f.tokenizer_class}, {"model_max_length", 64}}.dump();
  return dir;
}

json cases(const Family& f) { return read_json_file(fs::path(HF_FIXTURES) / "tiny-roberta" / f.folder / "expected.json")["cases"]; }

// softmax of the reference logits, as text-classification's default function_to_apply.
std::vector<double> softmax(const json& logits) {
  std::vector<double> p;
  double max = -INFINITY, sum = 0;
  for (const json& x : logits) max = std::max(max, x.get<double>());
  for (const json& x : logits) sum += p.emplace_back(std::exp(x.get<double>() - max));
  for (double& x : p) x /= sum;
  return p;
}

// [{label, score}] for every label, in label order, from a top_k=None result (sorted by score).
void expect_scores(const json& got, const std::vector<double>& want, const std::string& what) {
  const char* labels[] = {"negative", "neutral", "positive"};
  ASSERT_EQ(got.size(), 3u) << what << ": " << got.dump();
  for (const json& r : got) {
    int i = 0;
    while (i < 3 && r["label"] != labels[i]) ++i;
    ASSERT_LT(i, 3) << what << ": " << r.dump();
    EXPECT_NEAR(r["score"].get<double>(), want[i], 1e-4) << what << " " << labels[i];
  }
  for (size_t i = 1; i < got.size(); ++i) EXPECT_GE(got[i - 1]["score"].get<double>(), got[i]["score"].get<double>());
}

TEST(RobertaPipelines, TokenizerWiringGivesTheFixturesIds) {
  TestTempDir tmp("roberta-ids");
  for (const Family& f : kFamilies) {
    const Tokenizer tok = AutoTokenizer::from_pretrained(make_folder(tmp, f).string());
    EXPECT_FALSE(tok.returns_token_type_ids()) << f.folder;
    for (const json& c : cases(f))
      EXPECT_EQ(tok.encode(c["text"].get<std::string>(), true), c["input_ids"].get<std::vector<int32_t>>()) << f.folder << " " << c["name"];
  }
}

TEST(RobertaPipelines, FeatureExtractionIsTheReferenceHiddenState) {
  TestTempDir tmp("roberta-features");
  for (const Family& f : kFamilies) {
    Pipeline pipe = pipeline("feature-extraction", {.model = make_folder(tmp, f).string()});
    for (const json& c : cases(f)) {
      const json out = pipe(c["text"].get<std::string>());  // [1][T][H]
      const json& want = c["last_hidden_state"]["values"];
      const double tol = 1e-4 * c["last_hidden_state"]["std"].get<double>();
      ASSERT_EQ(out[0].size(), want.size()) << f.folder << " " << c["name"];
      for (size_t t = 0; t < want.size(); ++t)
        for (size_t h = 0; h < want[t].size(); ++h)
          ASSERT_NEAR(out[0][t][h].get<double>(), want[t][h].get<double>(), tol) << f.folder << " " << c["name"] << " [" << t << "][" << h << "]";
    }
  }
}

TEST(RobertaPipelines, TextClassificationThroughTheApiAndTheCli) {
  TestTempDir tmp("roberta-classify");
  for (const Family& f : kFamilies) {
    const fs::path dir = make_folder(tmp, f);
    Pipeline pipe = pipeline("text-classification", {.model = dir.string()});
    for (const json& c : cases(f)) {
      const std::string text = c["text"];
      const std::vector<double> want = softmax(c["sequence_classification_logits"]);
      expect_scores(pipe(text, {.extra = {{"top_k", nullptr}}}), want, std::string(f.folder) + " api");
      const ProgramResult r = run_program(std::string(HF_BINARY_DIR "/hfcpp") + " pipeline text-classification --model " + quote(dir.string()) +
                                          " --top-k none " + quote(text) + " --json");
      ASSERT_EQ(r.status, 0) << r.err;
      expect_scores(json::parse(r.out), want, std::string(f.folder) + " cli");
    }
  }
}

}  // namespace
}  // namespace hf
