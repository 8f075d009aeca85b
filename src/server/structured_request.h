#pragma once
// The structured-output and tool fields of a chat request (response_format, tools, tool_choice,
// parallel_tool_calls, assistant tool_calls and `tool` messages in the history), validated as
// strictly as OpenAI's API does, and the grammar constrained decoding enforces for them.
// ApiError(400) names the offending field; a schema feature constrained decoding does not
// support is a 400 naming it, never a silently unconstrained answer.
#include <memory>
#include <string>

#include "core/json.h"
#include "hf/constrained.h"

namespace hf::server {

struct StructuredRequest {
  json response_format;              // null, or {"type": "text" | "json_object" | "json_schema", ...}
  json tools;                        // null, or OpenAI's tools array
  json tool_choice;                  // null (= "auto" with tools, "none" without), a mode or a named function
  bool parallel_tool_calls = true;
  bool parallel_tool_calls_given = false;

  // After every field was read (the fields depend on each other).
  struct Resolved {
    bool parse_tool_calls = false;     // tools given and tool_choice is not "none"
    std::string forced_function;       // a named tool choice: the reply is that function's arguments
    bool required = false;             // tool_choice "required": the reply is a JSON array of calls
    std::shared_ptr<const Grammar> grammar;  // null = unconstrained
  };
  Resolved resolve() const;
};

// Field readers for the request table (openai_request.cpp).
json parse_response_format(const json& v);
json parse_tools(const json& v);
json parse_tool_choice(const json& v);

// The tool_calls of an assistant message in the history (`where` = "messages[i].tool_calls"),
// with each function.arguments parsed from its JSON string into the object chat templates render.
json parse_history_tool_calls(const json& v, const std::string& where);

}  // namespace hf::server
