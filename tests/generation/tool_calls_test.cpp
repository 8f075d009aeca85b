// Tool-call parsing per family, through the real chat templates of tests/fixtures/chat_templates:
// render a conversation whose assistant turn calls a tool, cut the assistant's text out of it (what
// the model would have generated), parse it back, render again with the parsed calls: the same
// bytes. Plus the streaming hold-back, malformed calls, and the tool-choice schemas.
#include <gtest/gtest.h>

#include <string>

#include "core/json.h"
#include "hf/chat_template.h"
#include "hf/error.h"
#include "hf/tool_calls.h"

namespace {

using hf::json;
using hf::ToolCallFormat;

struct Family {
  const char* dir;
  ToolCallFormat format;
  const char* end_of_turn;  // where generation stops (the eos token is not part of the reply)
  const char* content = "";  // the reply's text outside the calls (Qwen3 writes an empty think block)
};
void PrintTo(const Family& f, std::ostream* os) { *os << f.dir; }

const Family kFamilies[] = {
    {"Qwen-Qwen2.5-7B-Instruct", ToolCallFormat::Hermes, "<|im_end|>"},
    {"Qwen-Qwen3-0.6B", ToolCallFormat::Hermes, "<|im_end|>", "<think>\n\n</think>"},
    {"NousResearch-Hermes-2-Pro-Llama-3-8B-tool_use", ToolCallFormat::Hermes, "<|im_end|>"},
    {"meta-llama-Llama-3.1-8B-Instruct", ToolCallFormat::Llama3Json, "<|eot_id|>"},
    {"meta-llama-Llama-3.2-3B-Instruct", ToolCallFormat::Llama3Json, "<|eot_id|>"},
    {"mistralai-Mistral-Nemo-Instruct-2407", ToolCallFormat::Mistral, "</s>"},
    {"unsloth-mistral-Devstral-Small-2507", ToolCallFormat::Mistral, "</s>"},
    {"Mistral-Small-3.2-24B-Instruct-2506", ToolCallFormat::Mistral, "</s>"},
};

std::string template_dir(const Family& f) { return std::string(HF_FIXTURES) + "/chat_templates/" + f.dir; }

json find_case(const Family& f, const std::string& id) {
  const std::string text = hf::read_text_file(template_dir(f) + "/cases.jsonl");
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    json c = json::parse(text.substr(begin, end - begin));
    if (c["id"] == id) return c;
    begin = end + 1;
  }
  throw std::runtime_error(std::string("no case ") + id + " in " + f.dir);
}

json arguments_object(const json& a) { return a.is_string() ? json::parse(a.get<std::string>()) : a; }

class ToolCallRoundTrip : public testing::TestWithParam<Family> {};

TEST_P(ToolCallRoundTrip, RenderParseRenderGivesTheSameText) {
  const Family& f = GetParam();
  const hf::ChatTemplate tmpl(hf::read_text_file(template_dir(f) + "/template.jinja"));
  EXPECT_EQ(hf::tool_call_format_for_template(hf::read_text_file(template_dir(f) + "/template.jinja")), f.format);
  for (const char* id : {"tool_call_roundtrip_gen", "tool_call_null_content_string_args_gen"}) {
    SCOPED_TRACE(id);
    json inputs = find_case(f, id);
    json messages = json::array({inputs["messages"][0], inputs["messages"][1]});
    ASSERT_EQ(messages[1]["role"], "assistant");
    // A call-only turn's content, as the server passes it to templates (some index it as a string).
    if (!messages[1].contains("content") || messages[1]["content"].is_null()) messages[1]["content"] = "";

    inputs["messages"] = json::array({messages[0]});
    inputs["add_generation_prompt"] = true;
    const std::string prompt = hf::render_chat_inputs(tmpl, inputs);
    inputs["messages"] = messages;
    inputs["add_generation_prompt"] = false;
    const std::string full = hf::render_chat_inputs(tmpl, inputs);
    ASSERT_TRUE(full.starts_with(prompt)) << full;
    std::string reply = full.substr(prompt.size());
    reply = reply.substr(0, reply.rfind(f.end_of_turn));

    const hf::ParsedToolCalls parsed = hf::parse_tool_calls(reply, f.format);
    const json& expected = messages[1]["tool_calls"];
    ASSERT_EQ(parsed.tool_calls.size(), expected.size()) << reply;
    EXPECT_EQ(parsed.content, f.content) << reply;
    json calls = json::array();
    for (size_t i = 0; i < parsed.tool_calls.size(); ++i) {
      const hf::ToolCall& call = parsed.tool_calls[i];
      EXPECT_EQ(call.name, expected[i]["function"]["name"]);
      EXPECT_EQ(json::parse(call.arguments), arguments_object(expected[i]["function"]["arguments"])) << call.arguments;
      // A format that carries ids gives them back; elsewhere the id is not rendered at all.
      calls.push_back({{"id", call.id.empty() ? "Zz9Yy8Xx7" : call.id},
                       {"type", "function"},
                       {"function", {{"name", call.name}, {"arguments", json::parse(call.arguments)}}}});
    }
    // Arguments given as a JSON string are rendered as a string: the model's reply then holds a
    // string, which parses back to the same text; only objects render back to the same bytes.
    if (expected[0]["function"]["arguments"].is_string()) continue;
    messages[1]["tool_calls"] = calls;
    inputs["messages"] = messages;
    EXPECT_EQ(hf::render_chat_inputs(tmpl, inputs), full);
  }
}

INSTANTIATE_TEST_SUITE_P(Families, ToolCallRoundTrip, testing::ValuesIn(kFamilies),
                         [](const testing::TestParamInfo<Family>& info) {
                           std::string name = info.param.dir;
                           for (char& c : name)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

// Streamed in pieces of every size, the result is the whole-text parse.
hf::ParsedToolCalls parse_in_pieces(const std::string& text, ToolCallFormat format, size_t piece) {
  hf::ToolCallStreamParser parser(format);
  hf::ParsedToolCalls out;
  auto take = [&](hf::ToolCallStreamParser::Output o) {
    out.content += o.content;
    for (auto& c : o.tool_calls) out.tool_calls.push_back(c);
  };
  for (size_t i = 0; i < text.size(); i += piece) take(parser.put(std::string_view(text).substr(i, piece)));
  take(parser.finish());
  return out;
}

TEST(ToolCallStream, PiecesGiveTheWholeTextResult) {
  const std::pair<std::string, ToolCallFormat> replies[] = {
      {"Let me check.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"北京\"}}\n</tool_call>\n"
       "<tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call>",
       ToolCallFormat::Hermes},
      {"a < b and <tool but no call", ToolCallFormat::Hermes},
      {"<|python_tag|>{\"name\": \"f\", \"parameters\": {\"x\": \"a;b\"}}; {\"name\": \"g\", \"parameters\": {}}",
       ToolCallFormat::Llama3Json},
      {"Sure: [TOOL_CALLS][{\"name\": \"f\", \"arguments\": {\"x\": 1}, \"id\": \"abcdefghi\"}]", ToolCallFormat::Mistral},
      {"[TOOL_CALLS]f[CALL_ID]abcdefghi[ARGS]{\"x\": 1}[TOOL_CALLS]g[ARGS]{}", ToolCallFormat::Mistral},
      {"{\"tool_calls\": [{\"name\": \"f\", \"arguments\": {\"x\": [1, 2]}}]}", ToolCallFormat::Generic},
  };
  for (const auto& [text, format] : replies) {
    const hf::ParsedToolCalls whole = hf::parse_tool_calls(text, format);
    for (size_t piece = 1; piece <= text.size(); ++piece) {
      const hf::ParsedToolCalls pieces = parse_in_pieces(text, format, piece);
      ASSERT_EQ(pieces.content, whole.content) << text << " in pieces of " << piece;
      ASSERT_EQ(pieces.tool_calls, whole.tool_calls) << text << " in pieces of " << piece;
    }
  }
}

TEST(ToolCallStream, HoldsBackWhatMightBeginACall) {
  hf::ToolCallStreamParser parser(ToolCallFormat::Hermes);
  EXPECT_EQ(parser.put("It is <b>").content, "It is <b>");
  EXPECT_EQ(parser.put(" sunny <tool").content, " sunny");  // "<tool" may begin <tool_call>
  EXPECT_EQ(parser.put("box>").content, " <toolbox>");      // it did not
  auto o = parser.put("\n<tool_call>{\"name\": \"f\", \"arguments\": {\"a\": 1}}");
  EXPECT_EQ(o.content, "");
  EXPECT_TRUE(o.tool_calls.empty());  // not closed yet
  o = parser.put("</tool_call>");
  ASSERT_EQ(o.tool_calls.size(), 1u);
  EXPECT_EQ(o.tool_calls[0], (hf::ToolCall{"", "f", "{\"a\":1}"}));
  EXPECT_EQ(parser.calls_released(), 1u);
  EXPECT_EQ(parser.finish().content, "");

  hf::ToolCallStreamParser llama(ToolCallFormat::Llama3Json);
  EXPECT_EQ(llama.put("  <|pyth").content, "");  // may still be <|python_tag|>
  EXPECT_EQ(llama.put("on is a snake").content, "  <|python is a snake");
}

TEST(ToolCallParse, MalformedCallsStayContent) {
  // Unclosed or invalid JSON, a call without a name: the text is the answer, nothing is lost.
  const std::string bad = "<tool_call>\n{\"name\": \"f\", \"arguments\": {\"a\": }\n</tool_call>";
  EXPECT_EQ(hf::parse_tool_calls(bad, ToolCallFormat::Hermes).content, bad);
  EXPECT_TRUE(hf::parse_tool_calls(bad, ToolCallFormat::Hermes).tool_calls.empty());
  EXPECT_EQ(hf::parse_tool_calls("<tool_call>{\"arguments\": {}}", ToolCallFormat::Hermes).content,
            "<tool_call>{\"arguments\": {}}");
  // A closing tag the model never wrote (it stopped at eos): still a call.
  EXPECT_EQ(hf::parse_tool_calls("<tool_call>{\"name\": \"f\", \"arguments\": {}}\n", ToolCallFormat::Hermes).tool_calls.size(), 1u);
  EXPECT_EQ(hf::parse_tool_calls("{\"answer\": 42}", ToolCallFormat::Llama3Json).content, "{\"answer\": 42}");
  EXPECT_EQ(hf::parse_tool_calls("[TOOL_CALLS]oops", ToolCallFormat::Mistral).content, "[TOOL_CALLS]oops");
  EXPECT_EQ(hf::parse_tool_calls("The weather is fine.", ToolCallFormat::Generic).content, "The weather is fine.");
  EXPECT_EQ(hf::parse_tool_calls("[1, 2]", ToolCallFormat::Generic).content, "[1, 2]");
  EXPECT_EQ(hf::parse_tool_calls("{\"name\": \"f\", \"arguments\": 3}", ToolCallFormat::Generic).tool_calls.size(), 0u);
}

TEST(ToolCallParse, GenericFormsAndNamedArguments) {
  for (const char* text : {"{\"name\": \"f\", \"arguments\": {\"a\": 1}}", "{\"tool_call\": {\"name\": \"f\", \"arguments\": {\"a\": 1}}}",
                           "[{\"name\": \"f\", \"parameters\": {\"a\": 1}}]"}) {
    const auto parsed = hf::parse_tool_calls(text, ToolCallFormat::Generic);
    ASSERT_EQ(parsed.tool_calls.size(), 1u) << text;
    EXPECT_EQ(parsed.tool_calls[0], (hf::ToolCall{"", "f", "{\"a\":1}"})) << text;
  }
  const auto named = hf::parse_tool_calls(" {\"city\": \"Paris\"} ", ToolCallFormat::Arguments, "get_weather");
  ASSERT_EQ(named.tool_calls.size(), 1u);
  EXPECT_EQ(named.tool_calls[0], (hf::ToolCall{"", "get_weather", "{\"city\":\"Paris\"}"}));
  EXPECT_EQ(hf::parse_tool_calls("[1]", ToolCallFormat::Arguments, "f").content, "[1]");
}

TEST(ToolCallFormatDetection, GenericWhenTheTemplateDefinesNone) {
  EXPECT_EQ(hf::tool_call_format_for_template("{{ messages[0].content }}"), ToolCallFormat::Generic);
  EXPECT_STREQ(hf::to_string(ToolCallFormat::Llama3Json), "llama3_json");
}

const json kTools = json::parse(R"([
  {"type": "function", "function": {"name": "get_weather", "parameters": {
     "type": "object", "properties": {"city": {"$ref": "#/$defs/City"}}, "required": ["city"],
     "$defs": {"City": {"type": "string", "enum": ["Paris", "Beijing"]}}}}},
  {"type": "function", "function": {"name": "now"}}])");

TEST(ToolChoiceSchema, RequiredIsAnArrayOfCallsWithDefsAtTheRoot) {
  const json s = hf::required_tool_call_schema(kTools, /*parallel=*/false);
  EXPECT_EQ(s["type"], "array");
  EXPECT_EQ(s["minItems"], 1);
  EXPECT_EQ(s["maxItems"], 1);
  ASSERT_EQ(s["items"]["anyOf"].size(), 2u);
  EXPECT_EQ(s["items"]["anyOf"][0]["properties"]["name"]["enum"], json::array({"get_weather"}));
  EXPECT_FALSE(s["items"]["anyOf"][0]["properties"]["arguments"].contains("$defs"));
  EXPECT_EQ(s["$defs"]["City"]["enum"], json::array({"Paris", "Beijing"}));
  EXPECT_EQ(s["items"]["anyOf"][1]["properties"]["arguments"]["properties"], json::object());
  EXPECT_FALSE(hf::required_tool_call_schema(kTools, true).contains("maxItems"));

  json clash = kTools;
  clash[1]["function"]["parameters"] = {{"type", "object"}, {"$defs", {{"City", {{"type", "integer"}}}}}};
  EXPECT_THROW(hf::required_tool_call_schema(clash, false), hf::InputError);
}

TEST(ToolChoiceSchema, NamedIsTheFunctionsParameters) {
  EXPECT_EQ(hf::named_tool_call_schema(kTools, "get_weather")["required"], json::array({"city"}));
  EXPECT_EQ(hf::named_tool_call_schema(kTools, "now")["type"], "object");
  EXPECT_THROW(hf::named_tool_call_schema(kTools, "missing"), hf::InputError);
}

}  // namespace
