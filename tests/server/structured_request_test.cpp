// response_format, tools, tool_choice, parallel_tool_calls and tool history: accepted shapes, the
// constraint each implies, and every refusal as a 400 naming its field.
#include <gtest/gtest.h>

#include "server/api_error.h"
#include "server/openai_request.h"

namespace hf::server {
namespace {

json structured_chat(json extra = json::object()) {
  json b{{"model", "m"}, {"messages", {{{"role", "user"}, {"content", "hi"}}}}};
  for (auto& [k, v] : extra.items()) b[k] = v;
  return b;
}

const json kTools = json::parse(R"([{"type": "function", "function": {"name": "get_weather", "description": "Weather",
  "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}])");

// The param a refused body names (the status must be 400).
std::string refused_param(const json& body) {
  try {
    parse_completion_request(body.dump(), Endpoint::Chat);
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status, 400) << e.what();
    return e.param;
  }
  ADD_FAILURE() << "accepted: " << body.dump();
  return "";
}

TEST(StructuredRequest, ToolChoiceModes) {
  auto resolved = [](json extra) { return parse_completion_request(structured_chat(extra).dump(), Endpoint::Chat).output; };
  const auto none = resolved(json::object());
  EXPECT_FALSE(none.parse_tool_calls);
  EXPECT_EQ(none.grammar, nullptr);

  const auto automatic = resolved({{"tools", kTools}});
  EXPECT_TRUE(automatic.parse_tool_calls);
  EXPECT_EQ(automatic.grammar, nullptr);
  EXPECT_FALSE(resolved({{"tools", kTools}, {"tool_choice", "none"}}).parse_tool_calls);

  const auto required = resolved({{"tools", kTools}, {"tool_choice", "required"}, {"parallel_tool_calls", false}});
  EXPECT_TRUE(required.required);
  ASSERT_NE(required.grammar, nullptr);
  EXPECT_TRUE(required.grammar->matches(R"([{"name":"get_weather","arguments":{"city":"Paris"}}])"));
  EXPECT_FALSE(required.grammar->matches(R"([{"name":"get_weather","arguments":{}}])"));  // city is required
  EXPECT_FALSE(required.grammar->matches(R"([{"name":"get_weather","arguments":{"city":"a"}},{"name":"get_weather","arguments":{"city":"b"}}])"));

  const auto named = resolved({{"tools", kTools}, {"tool_choice", {{"type", "function"}, {"function", {{"name", "get_weather"}}}}}});
  EXPECT_EQ(named.forced_function, "get_weather");
  ASSERT_NE(named.grammar, nullptr);
  EXPECT_TRUE(named.grammar->matches(R"({"city":"北京"})"));
  EXPECT_FALSE(named.grammar->matches(R"({"town":"x"})"));
}

TEST(StructuredRequest, ResponseFormats) {
  auto grammar = [](json rf) { return parse_completion_request(structured_chat({{"response_format", rf}}).dump(), Endpoint::Chat).output.grammar; };
  EXPECT_EQ(grammar({{"type", "text"}}), nullptr);
  ASSERT_NE(grammar({{"type", "json_object"}}), nullptr);
  EXPECT_TRUE(grammar({{"type", "json_object"}})->matches(R"({"a": [1, "x"]})"));
  const json schema{{"type", "object"}, {"properties", {{"n", {{"type", "integer"}}}}}, {"required", {"n"}},
                    {"additionalProperties", false}};
  const auto g = grammar({{"type", "json_schema"}, {"json_schema", {{"name", "count"}, {"schema", schema}, {"strict", true}}}});
  ASSERT_NE(g, nullptr);
  EXPECT_TRUE(g->matches(R"({"n":3})"));
  EXPECT_FALSE(g->matches(R"({"n":"3"})"));
}

TEST(StructuredRequest, HistoryWithToolCallsAndToolMessages) {
  const json messages = json::parse(R"([
    {"role": "user", "content": "Weather in Paris?"},
    {"role": "assistant", "content": null, "refusal": null, "tool_calls": [{"id": "call_1", "type": "function",
      "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}}]},
    {"role": "tool", "tool_call_id": "call_1", "content": "22 C"}])");
  const CompletionRequest r = parse_completion_request(structured_chat({{"messages", messages}, {"tools", kTools}}).dump(), Endpoint::Chat);
  EXPECT_EQ(r.messages[1]["content"], "");
  // The template renders the arguments object, so the JSON string is parsed for it.
  EXPECT_EQ(r.messages[1]["tool_calls"][0]["function"]["arguments"], json({{"city", "Paris"}}));
  EXPECT_EQ(r.messages[2]["tool_call_id"], "call_1");
  EXPECT_EQ(r.messages[2]["role"], "tool");
}

TEST(StructuredRequest, RefusalsNameTheField) {
  const json named_missing{{"type", "function"}, {"function", {{"name", "nope"}}}};
  EXPECT_EQ(refused_param(structured_chat({{"tools", json::array()}})), "tools");
  EXPECT_EQ(refused_param(structured_chat({{"tools", {{{"type", "code_interpreter"}}}}})), "tools[0].type");
  EXPECT_EQ(refused_param(structured_chat({{"tools", {{{"type", "function"}, {"function", {{"name", "bad name!"}}}}}}})), "tools[0].function.name");
  EXPECT_EQ(refused_param(structured_chat({{"tools", {{{"type", "function"}, {"function", {{"name", "f"}, {"parameters", 3}}}}}}})),
            "tools[0].function.parameters");
  EXPECT_EQ(refused_param(structured_chat({{"tools", {{{"type", "function"}, {"function", {{"name", "f"}, {"extra", 1}}}}}}})),
            "tools[0].function.extra");
  EXPECT_EQ(refused_param(structured_chat({{"tools", json::array({kTools[0], kTools[0]})}})), "tools[1].function.name");
  EXPECT_EQ(refused_param(structured_chat({{"tool_choice", "auto"}})), "tool_choice");  // without tools
  EXPECT_EQ(refused_param(structured_chat({{"parallel_tool_calls", true}})), "parallel_tool_calls");
  EXPECT_EQ(refused_param(structured_chat({{"tools", kTools}, {"tool_choice", "always"}})), "tool_choice");
  EXPECT_EQ(refused_param(structured_chat({{"tools", kTools}, {"tool_choice", named_missing}})), "tool_choice.function.name");
  EXPECT_EQ(refused_param(structured_chat({{"tools", kTools}, {"tool_choice", "required"}, {"response_format", {{"type", "json_object"}}}})),
            "response_format");
  EXPECT_EQ(refused_param(structured_chat({{"response_format", {{"type", "xml"}}}})), "response_format.type");
  EXPECT_EQ(refused_param(structured_chat({{"response_format", {{"type", "json_schema"}}}})), "response_format.json_schema");
  EXPECT_EQ(refused_param(structured_chat({{"response_format", {{"type", "json_schema"}, {"json_schema", {{"schema", json::object()}}}}}})),
            "response_format.json_schema.name");
  EXPECT_EQ(refused_param(structured_chat({{"response_format", {{"type", "json_object"}, {"schema", json::object()}}}})),
            "response_format.schema");
  // A schema feature constrained decoding does not support: a 400 naming it, never free text.
  const json minimum{{"type", "json_schema"},
                     {"json_schema", {{"name", "n"}, {"schema", {{"type", "integer"}, {"minimum", 3}}}}}};
  try {
    parse_completion_request(structured_chat({{"response_format", minimum}}).dump(), Endpoint::Chat);
    ADD_FAILURE() << "accepted minimum";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status, 400);
    EXPECT_EQ(e.param, "response_format.json_schema.schema");
    EXPECT_NE(std::string(e.what()).find("minimum"), std::string::npos) << e.what();
  }
  json unsupported_tool = kTools;
  unsupported_tool[0]["function"]["parameters"]["properties"]["city"]["format"] = "email";
  EXPECT_EQ(refused_param(structured_chat({{"tools", unsupported_tool}, {"tool_choice", "required"}})), "tools");

  const json user{{"role", "user"}, {"content", "hi"}};
  EXPECT_EQ(refused_param(structured_chat({{"messages", {user, {{"role", "tool"}, {"content", "x"}}}}})), "messages[1].tool_call_id");
  EXPECT_EQ(refused_param(structured_chat({{"messages", {user, {{"role", "user"}, {"content", "x"}, {"tool_call_id", "a"}}}}})),
            "messages[1].tool_call_id");
  EXPECT_EQ(refused_param(structured_chat({{"messages", {user, {{"role", "assistant"}, {"content", nullptr}}}}})), "messages[1].content");
  const json bad_args = json::parse(R"({"role": "assistant", "tool_calls": [{"id": "c", "type": "function",
    "function": {"name": "f", "arguments": "{not json"}}]})");
  EXPECT_EQ(refused_param(structured_chat({{"messages", {user, bad_args}}})), "messages[1].tool_calls[0].function.arguments");
  const json refused = json::parse(R"({"role": "assistant", "content": "x", "refusal": "no"})");
  EXPECT_EQ(refused_param(structured_chat({{"messages", {user, refused}}})), "messages[1].refusal");
  const json no_id = json::parse(R"({"role": "assistant", "tool_calls": [{"type": "function", "function": {"name": "f", "arguments": "{}"}}]})");
  EXPECT_EQ(refused_param(structured_chat({{"messages", {user, no_id}}})), "messages[1].tool_calls[0].id");
}

}  // namespace
}  // namespace hf::server
