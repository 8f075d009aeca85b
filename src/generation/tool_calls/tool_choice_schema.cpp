// The JSON Schemas behind tool_choice "required" and a named function, as vLLM's
// ChatCompletionRequest._get_json_schema_from_tool builds them: constrained decoding then makes
// the model's reply a well-formed call whose arguments validate against the tool's parameters.
#include "hf/error.h"
#include "hf/tool_calls.h"

namespace hf {
namespace {

const json& function_of(const json& tool) {
  static const json none = json::object();
  return tool.is_object() && tool.contains("function") && tool["function"].is_object() ? tool["function"] : none;
}

// A tool without parameters takes none: its arguments are always {}.
json parameters_of(const json& function) {
  if (function.contains("parameters") && function["parameters"].is_object() && !function["parameters"].empty())
    return function["parameters"];
  return json{{"type", "object"}, {"properties", json::object()}, {"additionalProperties", false}};
}

}  // namespace

json named_tool_call_schema(const json& tools, const std::string& name) {
  for (const json& tool : tools)
    if (function_of(tool).value("name", "") == name) return parameters_of(function_of(tool));
  throw InputError("tool_choice names the function '" + name + "', which is not among the tools");
}

json required_tool_call_schema(const json& tools, bool parallel) {
  json branches = json::array(), defs = json::object();
  for (const json& tool : tools) {
    const json& function = function_of(tool);
    json parameters = parameters_of(function);
    // "#/$defs/X" inside a tool's parameters means the root of THIS schema once nested.
    if (parameters.contains("$defs")) {
      for (const auto& [key, def] : parameters["$defs"].items()) {
        if (defs.contains(key) && defs[key] != def)
          throw InputError("tools define '$defs/" + key + "' twice with different schemas");
        defs[key] = def;
      }
      parameters.erase("$defs");
    }
    branches.push_back({{"type", "object"},
                        {"properties", {{"name", {{"type", "string"}, {"enum", {function.value("name", "")}}}},
                                        {"arguments", parameters}}},
                        {"required", {"name", "arguments"}},
                        {"additionalProperties", false}});
  }
  json schema{{"type", "array"}, {"minItems", 1}};
  if (!parallel) schema["maxItems"] = 1;
  schema["items"] = {{"anyOf", branches}};
  if (!defs.empty()) schema["$defs"] = defs;
  return schema;
}

}  // namespace hf
