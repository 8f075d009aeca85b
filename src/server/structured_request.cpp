// response_format, tools, tool_choice, parallel_tool_calls and history tool calls, read as
// OpenAI's API reads them; the constraint each implies, as vLLM builds it (hf/tool_calls.h).
#include "server/structured_request.h"

#include <algorithm>
#include <regex>
#include <set>

#include "hf/error.h"
#include "hf/tool_calls.h"
#include "server/api_error.h"

namespace hf::server {
namespace {

ApiError unknown_field(const std::string& param) {
  return ApiError(400, "Unrecognized request argument supplied: " + param, param, "unknown_parameter");
}

ApiError missing(const std::string& param) { return invalid_param(param, "Missing required parameter: '" + param + "'."); }

const json& object_at(const json& v, const std::string& param) {
  if (!v.is_object()) throw invalid_param(param, "Invalid type for '" + param + "': expected an object.");
  return v;
}

std::string string_at(const json& v, const std::string& param) {
  if (!v.is_string()) throw invalid_param(param, "Invalid type for '" + param + "': expected a string.");
  return v.get<std::string>();
}

void only_keys(const json& v, const std::string& param, std::initializer_list<const char*> keys) {
  for (const auto& item : v.items()) {  // no structured binding: clang < 16 cannot capture one
    const std::string& k = item.key();
    if (std::none_of(keys.begin(), keys.end(), [&](const char* known) { return k == known; }))
      throw unknown_field(param + "." + k);
  }
}

// OpenAI's rule for function and schema names.
std::string name_at(const json& v, const std::string& param) {
  static const std::regex pattern("^[a-zA-Z0-9_-]{1,64}$");
  const std::string name = string_at(v, param);
  if (!std::regex_match(name, pattern))
    throw invalid_param(param, "Invalid '" + param + "': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]{1,64}$'.");
  return name;
}

// hf::Grammar's InputError names the unsupported feature and its JSON pointer.
template <class Build>
std::shared_ptr<const Grammar> compile(const std::string& param, Build build) {
  try {
    return build();
  } catch (const InputError& e) {
    throw invalid_param(param, std::string("Invalid schema for '") + param + "': " + e.what());
  }
}

}  // namespace

json parse_response_format(const json& v) {
  object_at(v, "response_format");
  if (!v.contains("type")) throw missing("response_format.type");
  const std::string type = string_at(v["type"], "response_format.type");
  if (type == "text" || type == "json_object") {
    only_keys(v, "response_format", {"type"});
  } else if (type == "json_schema") {
    only_keys(v, "response_format", {"type", "json_schema"});
    if (!v.contains("json_schema")) throw missing("response_format.json_schema");
    const json& s = object_at(v["json_schema"], "response_format.json_schema");
    only_keys(s, "response_format.json_schema", {"name", "description", "schema", "strict"});
    if (!s.contains("name")) throw missing("response_format.json_schema.name");
    name_at(s["name"], "response_format.json_schema.name");
    if (!s.contains("schema")) throw missing("response_format.json_schema.schema");
    object_at(s["schema"], "response_format.json_schema.schema");
    if (s.contains("strict") && !s["strict"].is_null() && !s["strict"].is_boolean())
      throw invalid_param("response_format.json_schema.strict", "Invalid type for 'response_format.json_schema.strict': expected a boolean.");
  } else {
    throw invalid_param("response_format.type", "Invalid value: '" + type + "'. Supported values are: 'text', 'json_object' and 'json_schema'.");
  }
  return v;
}

json parse_tools(const json& v) {
  if (!v.is_array()) throw invalid_param("tools", "Invalid type for 'tools': expected an array.");
  if (v.empty()) throw invalid_param("tools", "Invalid 'tools': empty array. Expected an array with minimum length 1, but got an empty array instead.");
  std::set<std::string> names;
  for (size_t i = 0; i < v.size(); ++i) {
    const std::string p = "tools[" + std::to_string(i) + "]";
    const json& tool = object_at(v[i], p);
    only_keys(tool, p, {"type", "function"});
    if (!tool.contains("type")) throw missing(p + ".type");
    if (string_at(tool["type"], p + ".type") != "function")
      throw invalid_param(p + ".type", "Invalid value: '" + tool["type"].get<std::string>() + "'. Supported values are: 'function'.");
    if (!tool.contains("function")) throw missing(p + ".function");
    const json& f = object_at(tool["function"], p + ".function");
    only_keys(f, p + ".function", {"name", "description", "parameters", "strict"});
    if (!f.contains("name")) throw missing(p + ".function.name");
    const std::string name = name_at(f["name"], p + ".function.name");
    if (!names.insert(name).second) throw invalid_param(p + ".function.name", "Duplicate function name '" + name + "' in 'tools'.");
    if (f.contains("description") && !f["description"].is_null()) string_at(f["description"], p + ".function.description");
    if (f.contains("parameters") && !f["parameters"].is_null()) object_at(f["parameters"], p + ".function.parameters");
  }
  return v;
}

json parse_tool_choice(const json& v) {
  if (v.is_string()) {
    const std::string mode = v.get<std::string>();
    if (mode != "none" && mode != "auto" && mode != "required")
      throw invalid_param("tool_choice", "Invalid value: '" + mode + "'. Supported values are: 'none', 'auto' and 'required'.");
    return v;
  }
  const json& c = object_at(v, "tool_choice");
  only_keys(c, "tool_choice", {"type", "function"});
  if (!c.contains("type")) throw missing("tool_choice.type");
  if (string_at(c["type"], "tool_choice.type") != "function")
    throw invalid_param("tool_choice.type", "Invalid value: '" + c["type"].get<std::string>() + "'. Supported values are: 'function'.");
  if (!c.contains("function")) throw missing("tool_choice.function");
  only_keys(object_at(c["function"], "tool_choice.function"), "tool_choice.function", {"name"});
  if (!c["function"].contains("name")) throw missing("tool_choice.function.name");
  string_at(c["function"]["name"], "tool_choice.function.name");
  return v;
}

json parse_history_tool_calls(const json& v, const std::string& where) {
  if (!v.is_array()) throw invalid_param(where, "Invalid type for '" + where + "': expected an array.");
  json out = json::array();
  for (size_t j = 0; j < v.size(); ++j) {
    const std::string p = where + "[" + std::to_string(j) + "]";
    const json& call = object_at(v[j], p);
    only_keys(call, p, {"id", "type", "function"});
    for (const char* key : {"id", "type", "function"})
      if (!call.contains(key)) throw missing(p + "." + key);
    const std::string id = string_at(call["id"], p + ".id");
    if (string_at(call["type"], p + ".type") != "function")
      throw invalid_param(p + ".type", "Invalid value: '" + call["type"].get<std::string>() + "'. Supported values are: 'function'.");
    const json& f = object_at(call["function"], p + ".function");
    only_keys(f, p + ".function", {"name", "arguments"});
    if (!f.contains("name")) throw missing(p + ".function.name");
    if (!f.contains("arguments")) throw missing(p + ".function.arguments");
    const std::string arguments = string_at(f["arguments"], p + ".function.arguments");
    json parsed;
    try {
      parsed = parse_json(arguments);
    } catch (const json::exception&) {
      throw invalid_param(p + ".function.arguments", "Invalid '" + p + ".function.arguments': not valid JSON.");
    }
    // Chat templates render the arguments object (`| tojson`), as vLLM passes it to them.
    out.push_back({{"id", id}, {"type", "function"},
                   {"function", {{"name", string_at(f["name"], p + ".function.name")}, {"arguments", parsed}}}});
  }
  return out;
}

StructuredRequest::Resolved StructuredRequest::resolve() const {
  Resolved r;
  if (tools.is_null()) {
    if (!tool_choice.is_null()) throw invalid_param("tool_choice", "'tool_choice' is only allowed when 'tools' are specified.");
    if (parallel_tool_calls_given)
      throw invalid_param("parallel_tool_calls", "'parallel_tool_calls' is only allowed when 'tools' are specified.");
  }
  const std::string mode = tool_choice.is_string() ? tool_choice.get<std::string>() : tool_choice.is_null() ? "auto" : "function";
  r.parse_tool_calls = !tools.is_null() && mode != "none";
  r.required = r.parse_tool_calls && mode == "required";
  if (mode == "function") {
    r.forced_function = tool_choice["function"]["name"].get<std::string>();
    try {
      named_tool_call_schema(tools, r.forced_function);
    } catch (const InputError&) {
      throw invalid_param("tool_choice.function.name", "Invalid 'tool_choice': function '" + r.forced_function + "' is not among the 'tools'.");
    }
  }
  const bool forced = r.required || !r.forced_function.empty();
  const std::string format = response_format.is_null() ? "text" : response_format["type"].get<std::string>();
  if (forced && format != "text")
    throw invalid_param("response_format", "'response_format' cannot be combined with a 'tool_choice' that forces a call: both constrain the whole reply.");
  if (r.required) r.grammar = compile("tools", [&] { return Grammar::json_schema(required_tool_call_schema(tools, parallel_tool_calls)); });
  if (!r.forced_function.empty())
    r.grammar = compile("tools", [&] { return Grammar::json_schema(named_tool_call_schema(tools, r.forced_function)); });
  if (format == "json_object") r.grammar = Grammar::any_json(true);
  if (format == "json_schema")
    r.grammar = compile("response_format.json_schema.schema",
                        [&] { return Grammar::json_schema(response_format["json_schema"]["schema"]); });
  return r;
}

}  // namespace hf::server
