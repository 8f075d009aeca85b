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

// HF_HUB_CACHE / HF_HUB_OFFLINE for the life of the object.
class OfflineCache {
 public:
  OfflineCache() : dir_(fs::temp_directory_path() / ("hfcpp-default-models-" + std::to_string(::getpid()))) {
    fs::remove_all(dir_);
    const std::string commit = "607a30d783dfa663caf39e06633721c8d4cfcd7e";
    const fs::path repo = dir_ / "models--openai-community--gpt2";
    fs::create_directories(repo / "refs");
    std::ofstream(repo / "refs" / "607a30d") << commit;
    const fs::path snapshot = repo / "snapshots" / commit;
    fs::create_directories(snapshot);
    for (const char* f : {"config.json", "generation_config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"})
      fs::copy_file(fs::path(HF_FIXTURES "/tiny-gpt2") / f, snapshot / f);
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

TEST(PipelineDefaults, TextGenerationIsTransformersGpt2AtItsRevisionWithTheNotice) {
  bool listed = false;
  for (const auto& [task, model] : hf::pipeline_tasks()) listed = listed || (task == "text-generation" && model == "openai-community/gpt2");
  EXPECT_TRUE(listed);

  OfflineCache cache;
  testing::internal::CaptureStderr();
  hf::Pipeline pipe = hf::pipeline("text-generation");
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("No model was supplied, defaulted to openai-community/gpt2 and revision 607a30d.\n"
                     "Using a pipeline without specifying a model name and revision in production is not recommended."),
            std::string::npos)
      << err;

  // It is the model at that revision: tiny-gpt2's greedy continuation.
  const hf::json expected = hf::read_json_file(HF_FIXTURES "/tiny-gpt2/expected.json");
  const hf::json& c = expected["cases"][0];
  hf::json out = pipe(c["text"].get<std::string>(), {.generate = {.max_new_tokens = 16, .do_sample = false}});
  EXPECT_EQ(out[0]["generated_text"], c["text"].get<std::string>() + c["greedy"]["text"].get<std::string>());
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
