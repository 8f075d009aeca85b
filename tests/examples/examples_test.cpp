// Every example program runs on tiny-qwen2 and prints the fixture's greedy reply.
#include <gtest/gtest.h>

#include "../cli/run_program.h"
#include "core/json.h"
#include "../models/marian_expected.h"

namespace {
std::string expected_reply() {
  const hf::json all = hf::read_json_file(HF_FIXTURES "/tiny-qwen2/expected.json");  // kept alive while iterating
  for (const auto& c : all["cases"])
    if (c["name"] == "chat_zh") return c["greedy_repetition_penalty"]["text"];
  return "";
}
void check(const std::string& name) {
  auto r = run_program(std::string(HF_BINARY_DIR) + "/example_" + name + " " + quote(HF_FIXTURES "/tiny-qwen2"));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, expected_reply() + "\n");
}
}  // namespace

TEST(Examples, PipelineChat) { check("pipeline_chat"); }
TEST(Examples, GenerateBatchDecode) { check("generate_batch_decode"); }
TEST(Examples, TextStreamer) { check("text_streamer"); }
TEST(Examples, TextIteratorStreamer) { check("text_iterator_streamer"); }
TEST(Examples, PipelineStreamer) { check("pipeline_streamer"); }

// The tutorial's translation snippet on the tiny Marian model: the fixture's pipeline output.
TEST(Examples, Translation) {
  const std::string expected = hf::test::marian_expected()["cases"][0]["pipeline_output"][0]["translation_text"];
  auto r = run_program(std::string(HF_BINARY_DIR) + "/example_translation " + quote(HF_FIXTURES "/tiny-marian-zh-en"));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, expected + "\n");
}
