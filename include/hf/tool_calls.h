#pragma once
// Tool calls: a model's text turned back into the structured calls an application executes, in
// the format the model's own chat template teaches it (vLLM's tool parsers do the same work):
//
//   auto format = hf::tool_call_format_for_template(tok.chat_template());
//   hf::ParsedToolCalls out = hf::parse_tool_calls(reply_text, format);
//   for (auto& call : out.tool_calls) run(call.name, hf::json::parse(call.arguments));
//
// While streaming, ToolCallStreamParser releases content as soon as it is known not to begin a
// tool call, and each call once it is complete; put() over the pieces then finish() gives exactly
// what parse_tool_calls gives for the whole text.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "hf/export.h"
#include "hf/json.h"

namespace hf {

enum class ToolCallFormat {
  // <tool_call>{"name": ..., "arguments": {...}}</tool_call>, any number, anywhere in the reply
  // (Qwen2.5, Qwen3, QwQ, Hermes 2 Pro, SmolLM3).
  Hermes,
  // The reply IS the call: optional <|python_tag|>, then {"name": ..., "parameters": {...}}
  // ("arguments" also read), several separated by ';' (Llama 3.1, 3.2, 3.3).
  Llama3Json,
  // [TOOL_CALLS] then a JSON array of {"name", "arguments", "id"?} (Mistral Nemo, v3 tokenizer),
  // or name[ARGS]{...} / name[CALL_ID]id[ARGS]{...}, each after its own [TOOL_CALLS] (Devstral,
  // Mistral Small 3.2, Ministral 3). Everything after the first [TOOL_CALLS] is calls.
  Mistral,
  // The reply IS JSON: {"tool_calls": [call...]}, {"tool_call": call}, a call, or [call...], a
  // call being {"name", "arguments" or "parameters"}. For templates that define no format, and the
  // output of a `required` tool choice (tool_choice_schema).
  Generic,
  // The reply is the arguments object of one function named beforehand (a named tool choice).
  Arguments,
};

HF_API const char* to_string(ToolCallFormat format);

// The format a chat template defines, read from its source: it renders tool calls with
// <tool_call> (Hermes), [TOOL_CALLS] (Mistral), <|python_tag|> or "parameters": (Llama 3), or
// none of those (Generic).
HF_API ToolCallFormat tool_call_format_for_template(std::string_view template_source);

struct HF_API ToolCall {
  std::string id;         // the model's own id when its format carries one (Mistral), else ""
  std::string name;
  std::string arguments;  // a JSON object as text (OpenAI's function.arguments)
  bool operator==(const ToolCall&) const = default;
};

struct HF_API ParsedToolCalls {
  std::string content;              // the reply's text outside the calls
  std::vector<ToolCall> tool_calls;
};

class HF_API ToolCallStreamParser {
 public:
  // `function_name`: the function of a named tool choice (format Arguments only).
  explicit ToolCallStreamParser(ToolCallFormat format, std::string function_name = "");

  struct Output {
    std::string content;              // text released since the last call
    std::vector<ToolCall> tool_calls; // calls completed since the last call
  };
  // The next piece of the reply.
  Output put(std::string_view text);
  // The reply ended: what was held back, as calls when it parses as them, else as content.
  Output finish();
  // Calls released so far (their number is the OpenAI `index` of the next one).
  size_t calls_released() const { return calls_; }

 private:
  enum class Mode { Start, Content, Call, Rest };
  Output release_content(bool final);
  void emit_calls(std::string_view body, std::string_view raw, Output& out);

  ToolCallFormat format_;
  std::string function_name_;
  Mode mode_ = Mode::Start;
  std::string held_;  // text not yet released
  size_t calls_ = 0;
};

// The whole reply at once (= put(text) then finish()).
HF_API ParsedToolCalls parse_tool_calls(std::string_view text, ToolCallFormat format,
                                        const std::string& function_name = "");

// The JSON Schemas constrained decoding enforces for a tool choice, as vLLM builds them. `tools` is
// OpenAI's array of {"type": "function", "function": {"name", "parameters"?, ...}}.
// `required`: an array of one (with `parallel`, one or more) {"name", "arguments"} objects, one
// anyOf branch per tool whose arguments validate against that tool's `parameters` (each tool's
// `$defs` hoisted to the root, where its "#/$defs/..." references point). Read back with Generic.
HF_API json required_tool_call_schema(const json& tools, bool parallel);
// A named function: that function's `parameters` (an empty object schema when it has none).
// Read back with Arguments. hf::InputError when no tool has that name.
HF_API json named_tool_call_schema(const json& tools, const std::string& name);

}  // namespace hf
