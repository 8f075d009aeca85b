// pipeline(task) without a model takes transformers' registry default at its pinned revision and
// says so as transformers does (text-generation → openai-community/gpt2 @ 607a30d). The default is
// served offline from a Hub cache laid out by this test, holding tiny-gpt2 at that revision.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/json.h"
#include "hf/pipeline.h"

namespace {
namespace fs = std::filesystem;

// HF_HUB_CACHE / HF_HUB_OFFLINE for the life of the object: the Hub cache holds `fixture`'s
// files as `repo` ("owner--name") at the revision `short_rev` (a ref naming `commit`).
class OfflineCache {
 public:
  OfflineCache(const std::string& repo_name = "openai-community--gpt2", const std::string& short_rev = "607a30d",
               const std::string& commit = "607a30d783dfa663caf39e06633721c8d4cfcd7e", const std::string& fixture = "tiny-gpt2")
      : dir_(fs::temp_directory_path() / ("hfcpp-default-models-" + std::to_string(::getpid()))) {
    fs::remove_all(dir_);
    const fs::path repo = dir_ / ("models--" + repo_name);
    fs::create_directories(repo / "refs");
    std::ofstream(repo / "refs" / short_rev) << commit;
    const fs::path snapshot = repo / "snapshots" / commit;
    fs::create_directories(snapshot);
    for (const auto& f : fs::directory_iterator(fs::path(HF_FIXTURES) / fixture))
      if (f.path().filename() != "expected.json") fs::copy_file(f.path(), snapshot / f.path().filename());
    ::setenv("HF_HUB_CACHE", dir_.c_str(), 1);
    ::setenv("HF_HUB_OFFLINE", "1", 1);
  }
  ~OfflineCache() {
    ::unsetenv("HF_HUB_CACHE");
    ::unsetenv("HF_HUB_OFFLINE");
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

 private:
  fs::path dir_;
};

// pipeline(task) without a model, checking transformers' notice naming `model` and `revision`.
hf::Pipeline default_pipeline(const std::string& task, const std::string& model, const std::string& revision) {
  testing::internal::CaptureStderr();
  hf::Pipeline pipe = hf::pipeline(task);
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("No model was supplied, defaulted to " + model + " and revision " + revision + ".\n"
                     "Using a pipeline without specifying a model name and revision in production is not recommended."),
            std::string::npos)
      << err;
  return pipe;
}

TEST(PipelineDefaults, TextGenerationIsTransformersGpt2AtItsRevisionWithTheNotice) {
  bool listed = false;
  for (const auto& [task, model] : hf::pipeline_tasks()) listed = listed || (task == "text-generation" && model == "openai-community/gpt2");
  EXPECT_TRUE(listed);

  OfflineCache cache;
  hf::Pipeline pipe = default_pipeline("text-generation", "openai-community/gpt2", "607a30d");

  // It is the model at that revision: tiny-gpt2's greedy continuation.
  const hf::json expected = hf::read_json_file(HF_FIXTURES "/tiny-gpt2/expected.json");
  const hf::json& c = expected["cases"][0];
  hf::json out = pipe(c["text"].get<std::string>(), {.generate = {.max_new_tokens = 16, .do_sample = false}});
  EXPECT_EQ(out[0]["generated_text"], c["text"].get<std::string>() + c["greedy"]["text"].get<std::string>());
}

// The encoder tasks pin their defaults as transformers does: text-classification →
// distilbert-base-uncased-finetuned-sst-2-english @ 714eb0f.
TEST(PipelineDefaults, TextClassificationIsTransformersSst2AtItsRevisionWithTheNotice) {
  OfflineCache cache("distilbert--distilbert-base-uncased-finetuned-sst-2-english", "714eb0f",
                     "714eb0f000000000000000000000000000000000" /* the cache maps the short revision to this local stand-in */,
                     "tiny-bert/distilbert-sst2");
  hf::Pipeline pipe = default_pipeline("sentiment-analysis", "distilbert/distilbert-base-uncased-finetuned-sst-2-english", "714eb0f");
  const hf::json out = pipe(std::string("a text"));
  EXPECT_TRUE(out[0].contains("label")) << out.dump();
}

TEST(PipelineDefaults, AChatOnAModelWithoutChatTemplateIsAClearError) {
  hf::Pipeline pipe = hf::pipeline("text-generation", {.model = HF_FIXTURES "/tiny-gpt2"});
  hf::Messages chat{{"user", "Hello"}};
  try {
    pipe(chat, {.generate = {.max_new_tokens = 2, .do_sample = false}});
    FAIL() << "no error for a chat on a model without a chat template";
  } catch (const hf::Error& e) {
    EXPECT_NE(std::string(e.what()).find("chat template"), std::string::npos) << e.what();
  }
}

}  // namespace
