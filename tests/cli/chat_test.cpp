// `hfcpp chat` and `hfcpp pipeline text-generation` on tiny-qwen2, run as a user would.
#include <gtest/gtest.h>

#include "cli/run_program.h"
#include "core/json.h"
#include "hf/pipeline.h"

namespace {
const hf::json& chat_zh() {
  static const hf::json j = [] {
    const hf::json all = hf::read_json_file(kModel + "/expected.json");  // kept alive while iterating
    for (const auto& c : all["cases"])
      if (c["name"] == "chat_zh") return c;
    return hf::json();
  }();
  return j;
}
const std::string kPrompt = "请写一首赞美秋天的五言绝句";
}  // namespace

TEST(ChatCli, OneShotGreedyPrintsOnlyTheReply) {
  auto r = run_program(kHfcpp + " chat " + quote(kModel) + " -p " + quote(kPrompt) + " --greedy --max-new-tokens 32");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, chat_zh()["greedy_repetition_penalty"]["text"].get<std::string>() + "\n");
  EXPECT_NE(r.err.find("tokens/s"), std::string::npos) << r.err;  // timings on stderr
}

TEST(ChatCli, PromptFromPipedStdin) {
  auto r = run_program("printf '%s\\n' " + quote(kPrompt) + " | " + kHfcpp + " chat " + quote(kModel) +
                       " --greedy --max-new-tokens 32");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, chat_zh()["greedy_repetition_penalty"]["text"].get<std::string>() + "\n");
}

TEST(ChatCli, ReplKeepsHistoryAndResets) {
  const std::string reply = chat_zh()["greedy_repetition_penalty"]["text"];
  auto r = run_program("printf '%s\\n/reset\\n%s\\n%s\\n/exit\\n' " + quote(kPrompt) + " " + quote(kPrompt) + " " +
                       quote(kPrompt) + " | " + kHfcpp + " chat " + quote(kModel) + " -i --greedy --max-new-tokens 32");
  ASSERT_EQ(r.status, 0) << r.err;
  // Turn 1 and turn 2 (after /reset) see the same conversation, turn 3 has history.
  // Prompts "> " on stdout; /reset prints a prompt and no reply.
  const std::string first = "> " + reply + "\n> > " + reply + "\n> ";
  ASSERT_EQ(r.out.substr(0, first.size()), first) << r.out;
  EXPECT_NE(r.out.substr(first.size()), reply + "\n> \n");  // turn 3 continues the conversation
  EXPECT_NE(r.err.find("conversation reset"), std::string::npos);
}

TEST(ChatCli, BadTemperatureIsOneClearError) {
  auto r = run_program(kHfcpp + " chat " + quote(kModel) + " -p hi --do-sample --temperature 0");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("hfcpp: error:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("temperature"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");  // rejected before the model loads
}

TEST(PipelineCli, TextGenerationJson) {
  auto r = run_program(kHfcpp + " pipeline text-generation --model " + quote(kModel) + " " +
                       quote(R"([{"role": "user", "content": ")" + kPrompt + R"("}])") + " --json --greedy --max-new-tokens 32");
  ASSERT_EQ(r.status, 0) << r.err;
  hf::json out = hf::json::parse(r.out);
  EXPECT_EQ(out[0]["generated_text"].back()["content"], chat_zh()["greedy_repetition_penalty"]["text"]);
  EXPECT_EQ(out[0]["generated_text"].back()["role"], "assistant");
}

TEST(PipelineCli, BatchOfTextsAndPlainOutput) {
  auto r = run_program(kHfcpp + " pipeline text-generation --model " + quote(kModel) + " Hello 你好 --greedy --max-new-tokens 4 --json");
  ASSERT_EQ(r.status, 0) << r.err;
  hf::json out = hf::json::parse(r.out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1][0]["generated_text"].get<std::string>().rfind("你好", 0), 0u);
  auto plain = run_program(kHfcpp + " pipeline text-generation --model " + quote(kModel) + " Hello --greedy --max-new-tokens 4");
  EXPECT_EQ(plain.out, out[0][0]["generated_text"].get<std::string>() + "\n");
}

TEST(PipelineCli, CudaDeviceIsRejectedClearly) {
  auto r = run_program(kHfcpp + " pipeline text-generation --model " + quote(kModel) + " --device cuda hi");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("no GPU backend"), std::string::npos) << r.err;
}

TEST(ChatCli, CtrlCStopsTheReplyNotTheProgram) {
  // 30000 new tokens would take minutes; SIGINT after a moment must end the reply, and the
  // program must still exit normally with its timing line.
  auto r = run_program("( " + kHfcpp + " chat " + quote(kModel) +
                       " -p hi --greedy --max-new-tokens 30000 & pid=$!; sleep 1.5; kill -INT $pid; wait $pid )");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("[stopped]"), std::string::npos) << r.err;
}

TEST(PipelineCli, NumBeamsRunsBeamSearch) {
  // The same call through the library: beam search with 3 beams, no repetition penalty change.
  const hf::Pipeline pipe = hf::pipeline("text-generation", {.model = kModel});
  hf::GenerationConfig beams{.max_new_tokens = 6, .do_sample = false, .num_beams = 3};
  const hf::json expected = pipe("Hello", {.generate = beams});
  auto r = run_program(kHfcpp + " pipeline text-generation --model " + quote(kModel) +
                       " Hello --greedy --num-beams 3 --max-new-tokens 6 --json");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(hf::json::parse(r.out), expected);
  auto greedy = run_program(kHfcpp + " pipeline text-generation --model " + quote(kModel) +
                            " Hello --greedy --num-beams 1 --max-new-tokens 6 --json");
  ASSERT_EQ(greedy.status, 0) << greedy.err;
  EXPECT_EQ(hf::json::parse(greedy.out), pipe("Hello", {.generate = {.max_new_tokens = 6, .do_sample = false}}));
}

// Beam search cannot stream, so chat prints the whole reply: the pipeline's beam answer.
TEST(ChatCli, BeamSearchPrintsTheWholeReply) {
  auto pipe = hf::pipeline("text-generation", {.model = kModel});
  hf::Messages messages{{"user", kPrompt}};
  const hf::json expected = pipe(messages, {.generate = {.max_new_tokens = 8, .do_sample = false, .num_beams = 3}});
  auto r = run_program(kHfcpp + " chat " + quote(kModel) + " -p " + quote(kPrompt) + " --greedy --num-beams 3 --max-new-tokens 8");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, expected[0]["generated_text"].back()["content"].get<std::string>() + "\n");
}
