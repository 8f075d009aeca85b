// Structured output and tool calls through the in-process server on tiny-qwen2 (random weights:
// the model knows nothing of JSON, so every well-formed answer is the constraint's doing).
#include <gtest/gtest.h>

#include "hf/constrained.h"
#include "hf/tokenizer.h"
#include "server_fixture.h"

namespace hf::server {
namespace {

using testing::RunningServer;
using testing::sse_events;

const json kWeatherTools = json::parse(R"([
  {"type": "function", "function": {"name": "get_weather", "description": "Weather in a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string", "maxLength": 12},
      "unit": {"enum": ["celsius", "fahrenheit"]}}, "required": ["city", "unit"], "additionalProperties": false}}},
  {"type": "function", "function": {"name": "get_time", "parameters": {"type": "object", "properties": {}}}}])");

json request(json extra) {
  json r{{"model", "tiny-qwen2"}, {"messages", {{{"role", "user"}, {"content", "天气怎么样?"}}}}, {"max_tokens", 48},
         {"seed", 11}, {"temperature", 1.0}};
  for (auto& [k, v] : extra.items()) r[k] = v;
  return r;
}

class ToolCallEndpoints : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new RunningServer(); }
  static void TearDownTestSuite() { delete server_; }
  static RunningServer* server_;
};
RunningServer* ToolCallEndpoints::server_ = nullptr;

TEST_F(ToolCallEndpoints, JsonSchemaResponseFormatAlwaysValidates) {
  const json schema = json::parse(R"({"type": "object", "properties": {"name": {"type": "string", "maxLength": 8},
    "age": {"type": "integer"}, "tags": {"type": "array", "items": {"type": "string", "maxLength": 5}, "maxItems": 2}},
    "required": ["name", "age", "tags"], "additionalProperties": false})");
  const auto grammar = Grammar::json_schema(schema);
  for (int seed : {1, 2, 3}) {
    auto [status, body] = server_->post("/v1/chat/completions",
        request({{"seed", seed}, {"response_format", {{"type", "json_schema"}, {"json_schema", {{"name", "person"}, {"schema", schema}}}}}}));
    ASSERT_EQ(status, 200) << body.dump();
    const std::string content = body["choices"][0]["message"]["content"];
    EXPECT_TRUE(grammar->matches(content)) << "seed " << seed << ": " << content;
    const json parsed = json::parse(content);
    EXPECT_TRUE(parsed["age"].is_number_integer());
    EXPECT_EQ(body["choices"][0]["finish_reason"], "stop");  // closed within max_tokens
  }
  auto [status, body] = server_->post("/v1/chat/completions", request({{"response_format", {{"type", "json_object"}}}}));
  ASSERT_EQ(status, 200) << body.dump();
  EXPECT_TRUE(json::parse(body["choices"][0]["message"]["content"].get<std::string>()).is_object());
}

TEST_F(ToolCallEndpoints, NamedToolChoiceAlwaysCallsItWithValidArguments) {
  const auto arguments = Grammar::json_schema(kWeatherTools[0]["function"]["parameters"]);
  for (int seed : {1, 2}) {
    auto [status, body] = server_->post("/v1/chat/completions",
        request({{"seed", seed}, {"tools", kWeatherTools}, {"tool_choice", {{"type", "function"}, {"function", {{"name", "get_weather"}}}}}}));
    ASSERT_EQ(status, 200) << body.dump();
    const json& choice = body["choices"][0];
    EXPECT_EQ(choice["finish_reason"], "tool_calls");
    EXPECT_TRUE(choice["message"]["content"].is_null());
    ASSERT_EQ(choice["message"]["tool_calls"].size(), 1u) << body.dump();
    const json& call = choice["message"]["tool_calls"][0];
    EXPECT_EQ(call["type"], "function");
    EXPECT_EQ(call["id"].get<std::string>().rfind("call_", 0), 0u);
    EXPECT_EQ(call["function"]["name"], "get_weather");
    EXPECT_TRUE(arguments->matches(call["function"]["arguments"].get<std::string>())) << call.dump();
  }
}

TEST_F(ToolCallEndpoints, RequiredWithoutParallelGivesExactlyOneCall) {
  auto [status, body] = server_->post("/v1/chat/completions",
      request({{"tools", kWeatherTools}, {"tool_choice", "required"}, {"parallel_tool_calls", false}, {"max_tokens", 64}}));
  ASSERT_EQ(status, 200) << body.dump();
  const json& calls = body["choices"][0]["message"]["tool_calls"];
  ASSERT_EQ(calls.size(), 1u) << body.dump();
  const std::string name = calls[0]["function"]["name"];
  EXPECT_TRUE(name == "get_weather" || name == "get_time") << name;
  EXPECT_TRUE(json::parse(calls[0]["function"]["arguments"].get<std::string>()).is_object());
  EXPECT_EQ(body["choices"][0]["finish_reason"], "tool_calls");
}

TEST_F(ToolCallEndpoints, StreamedToolCallInOpenAIsChunkShape) {
  const json req = request({{"tools", kWeatherTools}, {"tool_choice", {{"type", "function"}, {"function", {{"name", "get_weather"}}}}},
                            {"stream", true}});
  const std::vector<std::string> events = sse_events(server_->stream("/v1/chat/completions", req));
  ASSERT_GE(events.size(), 4u);
  EXPECT_EQ(events.back(), "[DONE]");
  json call;
  std::string content, finish;
  for (size_t i = 0; i + 1 < events.size(); ++i) {
    const json chunk = json::parse(events[i]);
    EXPECT_EQ(chunk["object"], "chat.completion.chunk");
    const json& delta = chunk["choices"][0]["delta"];
    if (delta.contains("content") && delta["content"].is_string()) content += delta["content"].get<std::string>();
    if (delta.contains("tool_calls")) {
      ASSERT_TRUE(call.is_null()) << "one call, in one delta";
      call = delta["tool_calls"][0];
    }
    if (!chunk["choices"][0]["finish_reason"].is_null()) finish = chunk["choices"][0]["finish_reason"];
  }
  EXPECT_EQ(content, "");  // the arguments never leak into content
  EXPECT_EQ(finish, "tool_calls");
  ASSERT_FALSE(call.is_null());
  EXPECT_EQ(call["index"], 0);
  EXPECT_EQ(call["type"], "function");
  EXPECT_EQ(call["function"]["name"], "get_weather");
  EXPECT_TRUE(json::parse(call["function"]["arguments"].get<std::string>()).contains("city"));
  // The same seed, not streamed: the same call.
  json whole = req;
  whole.erase("stream");
  auto [status, body] = server_->post("/v1/chat/completions", whole);
  ASSERT_EQ(status, 200);
  EXPECT_EQ(body["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"], call["function"]["arguments"]);
}

TEST_F(ToolCallEndpoints, ToolResultsInTheHistoryAreRenderedBack) {
  const json messages = json::parse(R"([
    {"role": "user", "content": "天气怎么样?"},
    {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function",
      "function": {"name": "get_weather", "arguments": "{\"city\": \"北京\", \"unit\": \"celsius\"}"}}]},
    {"role": "tool", "tool_call_id": "call_1", "content": "晴, 22 度"}])");
  auto [status, body] = server_->post("/v1/chat/completions", request({{"messages", messages}, {"tools", kWeatherTools}, {"max_tokens", 4}}));
  ASSERT_EQ(status, 200) << body.dump();
  // The prompt is the template's rendering of the whole history (Qwen2.5: <tool_call> and <tool_response> blocks).
  const Tokenizer tok = AutoTokenizer::from_pretrained(testing::kModel);
  json rendered = messages;
  rendered[1]["content"] = "";
  rendered[1]["tool_calls"][0]["function"]["arguments"] = {{"city", "北京"}, {"unit", "celsius"}};
  const auto ids = tok.apply_chat_template_ids(rendered, {.add_generation_prompt = true, .tools = kWeatherTools});
  EXPECT_EQ(body["usage"]["prompt_tokens"], ids.size());
  const std::string prompt = tok.apply_chat_template(rendered, {.add_generation_prompt = true, .tools = kWeatherTools});
  EXPECT_NE(prompt.find("<tool_response>\n晴, 22 度\n</tool_response>"), std::string::npos) << prompt;
  EXPECT_NE(prompt.find(R"({"name": "get_weather", "arguments": {"city": "北京", "unit": "celsius"}})"), std::string::npos) << prompt;
}

TEST_F(ToolCallEndpoints, UnsupportedSchemaIsA400NamingIt) {
  const json schema = json::parse(R"({"type": "object", "properties": {"n": {"type": "integer", "minimum": 1}}})");
  auto [status, body] = server_->post("/v1/chat/completions",
      request({{"response_format", {{"type", "json_schema"}, {"json_schema", {{"name", "n"}, {"schema", schema}}}}}}));
  EXPECT_EQ(status, 400);
  EXPECT_EQ(body["error"]["param"], "response_format.json_schema.schema");
  EXPECT_NE(body["error"]["message"].get<std::string>().find("minimum"), std::string::npos) << body.dump();
  EXPECT_EQ(body["error"]["type"], "invalid_request_error");
}

}  // namespace
}  // namespace hf::server
