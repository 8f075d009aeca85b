// Tool calls of a chat answer in OpenAI's shapes.
#include "server/tool_call_output.h"

#include "server/random_id.h"

namespace hf::server {
namespace {

ToolCallFormat format_of(const Tokenizer& tok, const StructuredRequest::Resolved& output) {
  if (!output.forced_function.empty()) return ToolCallFormat::Arguments;
  if (output.required) return ToolCallFormat::Generic;
  const std::string name = tok.has_chat_template("tool_use") ? "tool_use" : "";
  return tok.has_chat_template(name) ? tool_call_format_for_template(tok.chat_template(name)) : ToolCallFormat::Generic;
}

json call_json(const ToolCall& c) {
  return json{{"id", c.id}, {"type", "function"}, {"function", {{"name", c.name}, {"arguments", c.arguments}}}};
}

}  // namespace

ToolCallStreamParser tool_call_parser(const Tokenizer& tok, const StructuredRequest::Resolved& output) {
  return ToolCallStreamParser(format_of(tok, output), output.forced_function);
}

std::string new_tool_call_id(const Tokenizer& tok, const StructuredRequest::Resolved& output) {
  return format_of(tok, output) == ToolCallFormat::Mistral ? random_alphanumeric(9) : "call_" + random_alphanumeric(24);
}

bool tool_call_markers_are_special(const Tokenizer& tok, const StructuredRequest::Resolved& output) {
  return format_of(tok, output) == ToolCallFormat::Mistral;
}

json tool_calls_json(const std::vector<ToolCall>& calls) {
  json out = json::array();
  for (const auto& c : calls) out.push_back(call_json(c));
  return out;
}

json tool_call_deltas_json(const std::vector<ToolCall>& calls, size_t first_index) {
  json out = json::array();
  for (size_t i = 0; i < calls.size(); ++i) {
    json d{{"index", first_index + i}};
    d.update(call_json(calls[i]));
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace hf::server
