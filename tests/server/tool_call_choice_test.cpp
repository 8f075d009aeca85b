// A choice whose reply calls a tool in the chat template's own format (tiny-qwen2 has Qwen2.5's
// template: <tool_call> blocks). A random model never writes one, so the token events are fed
// by hand: what the scheduler would send for a model that did.
#include <gtest/gtest.h>

#include "hf/tokenizer.h"
#include "server/choice_stream.h"
#include "server/tool_call_output.h"

namespace hf::server {
namespace {

const std::string kModel = std::string(HF_FIXTURES) + "/tiny-qwen2";

TEST(ToolCallChoice, AutoToolChoiceParsesTheTemplatesFormatWhileStreaming) {
  const Tokenizer tok = AutoTokenizer::from_pretrained(kModel);
  StructuredRequest::Resolved output;
  output.parse_tool_calls = true;
  const std::string reply =
      "我查一下。\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"北京\"}}\n</tool_call>";
  auto channel = std::make_shared<SequenceChannel>();
  ChoiceStream choice(0, channel, tok, {}, false);
  choice.parse_tool_calls(tool_call_parser(tok, output), [&] { return new_tool_call_id(tok, output); },
                          tool_call_markers_are_special(tok, output));

  std::string content;
  std::vector<ToolCall> calls;
  bool saw_marker = false;
  const std::vector<int32_t> ids = tok.encode(reply, false);
  for (int32_t id : ids) {  // one token per poll, as a slow stream would deliver them
    channel->push(TokenEvent{.id = id, .logprob = 0, .top = {}});
    ChoiceStream::Delta d = choice.poll(std::chrono::milliseconds(0));
    content += d.text;
    saw_marker = saw_marker || d.text.find('<') != std::string::npos;
    calls.insert(calls.end(), d.tool_calls.begin(), d.tool_calls.end());
  }
  channel->finish({"stop", "", 10, 0, static_cast<int64_t>(ids.size())});
  ChoiceStream::Delta d = choice.poll(std::chrono::milliseconds(100));
  content += d.text;
  calls.insert(calls.end(), d.tool_calls.begin(), d.tool_calls.end());

  EXPECT_FALSE(saw_marker) << "no piece of <tool_call> ever reached the client as content";
  EXPECT_EQ(content, "我查一下。");
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].name, "get_weather");
  EXPECT_EQ(json::parse(calls[0].arguments), json({{"city", "北京"}}));
  EXPECT_EQ(calls[0].id.rfind("call_", 0), 0u);
  EXPECT_EQ(calls[0].id.size(), 29u);
  EXPECT_TRUE(choice.finished());
  EXPECT_EQ(choice.finish_reason(), "tool_calls");
  EXPECT_EQ(tool_call_deltas_json(calls, 0)[0]["index"], 0);
}

TEST(ToolCallChoice, PlainAnswerKeepsItsFinishReason) {
  const Tokenizer tok = AutoTokenizer::from_pretrained(kModel);
  StructuredRequest::Resolved output;
  output.parse_tool_calls = true;
  auto channel = std::make_shared<SequenceChannel>();
  ChoiceStream choice(0, channel, tok, {}, false);
  choice.parse_tool_calls(tool_call_parser(tok, output), [] { return std::string("x"); }, false);
  for (int32_t id : tok.encode("a < b, 晴", false)) channel->push(TokenEvent{.id = id, .logprob = 0, .top = {}});
  channel->finish({"length", "", 10, 0, 5});
  std::string content;
  while (!choice.finished()) content += choice.poll(std::chrono::milliseconds(50)).text;
  EXPECT_EQ(content, "a < b, 晴");
  EXPECT_EQ(choice.finish_reason(), "length");
}

}  // namespace
}  // namespace hf::server
