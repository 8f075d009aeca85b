// Strict parsing of OpenAI completion requests: one table entry per accepted field.
#include "server/openai_request.h"

#include <functional>
#include <limits>
#include <map>

#include "server/api_error.h"

namespace hf::server {
namespace {

const char* type_name(const json& v) {
  if (v.is_string()) return "a string";
  if (v.is_boolean()) return "a boolean";
  if (v.is_number()) return "a number";
  if (v.is_array()) return "an array";
  if (v.is_object()) return "an object";
  return "null";
}

ApiError wrong_type(const std::string& param, const char* expected, const json& v) {
  return ApiError(400, std::string("Invalid type for '") + param + "': expected " + expected + ", but got " +
                           type_name(v) + " instead.",
                  param, "invalid_type");
}

double number(const json& v, const std::string& param, double lo, double hi) {
  if (!v.is_number()) throw wrong_type(param, "a decimal", v);
  const double x = v.get<double>();
  if (x < lo) throw invalid_param(param, std::to_string(x) + " is less than the minimum of " + std::to_string(lo) + " - '" + param + "'");
  if (x > hi) throw invalid_param(param, std::to_string(x) + " is greater than the maximum of " + std::to_string(hi) + " - '" + param + "'");
  return x;
}

int64_t integer(const json& v, const std::string& param, int64_t lo, int64_t hi) {
  if (!v.is_number_integer()) throw wrong_type(param, "an integer", v);
  const int64_t x = v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(INT64_MAX) ? INT64_MAX : v.get<int64_t>();
  if (x < lo) throw invalid_param(param, std::to_string(x) + " is less than the minimum of " + std::to_string(lo) + " - '" + param + "'");
  if (x > hi) throw invalid_param(param, std::to_string(x) + " is greater than the maximum of " + std::to_string(hi) + " - '" + param + "'");
  return x;
}

bool boolean(const json& v, const std::string& param) {
  if (!v.is_boolean()) throw wrong_type(param, "a boolean", v);
  return v.get<bool>();
}

std::string string(const json& v, const std::string& param) {
  if (!v.is_string()) throw wrong_type(param, "a string", v);
  return v.get<std::string>();
}

// A message's content: a string, or text content parts joined (OpenAI's array form).
std::string message_content(const json& c, const std::string& where) {
  if (c.is_string()) return c.get<std::string>();
  if (!c.is_array()) throw wrong_type(where, "a string or an array of content parts", c);
  std::string text;
  for (size_t j = 0; j < c.size(); ++j) {
    const std::string p = where + "[" + std::to_string(j) + "]";
    if (!c[j].is_object()) throw wrong_type(p, "an object", c[j]);
    for (const auto& [k, v] : c[j].items())
      if (k != "type" && k != "text") throw ApiError(400, "Unrecognized content part field: '" + p + "." + k + "'.", p + "." + k, "unknown_parameter");
    const std::string type = c[j].contains("type") ? string(c[j]["type"], p + ".type") : "";
    if (type != "text")
      throw invalid_param(p + ".type", "Content part type '" + type + "' is not supported by this model (only 'text').");
    text += string(c[j].value("text", json()), p + ".text");
  }
  return text;
}

json parse_messages(const json& v) {
  if (!v.is_array()) throw wrong_type("messages", "an array", v);
  if (v.empty()) throw invalid_param("messages", "'messages' must contain at least one message.");
  json out = json::array();
  for (size_t i = 0; i < v.size(); ++i) {
    const std::string p = "messages[" + std::to_string(i) + "]";
    const json& m = v[i];
    if (!m.is_object()) throw wrong_type(p, "an object", m);
    for (const auto& [k, val] : m.items())
      if (k != "role" && k != "content" && k != "name" && k != "tool_calls" && k != "tool_call_id" && k != "refusal")
        throw ApiError(400, "Unrecognized message field: '" + p + "." + k + "'.", p + "." + k, "unknown_parameter");
    // An answer's message sent back as is carries "refusal" (null here: this server never refuses).
    if (m.contains("refusal") && !m["refusal"].is_null())
      throw invalid_param(p + ".refusal", "'" + p + ".refusal' must be null: refusals are not rendered by chat templates.");
    if (!m.contains("role")) throw invalid_param(p + ".role", "Missing required parameter: '" + p + ".role'.");
    std::string role = string(m["role"], p + ".role");
    if (role == "developer") role = "system";  // OpenAI's newer name for the system message
    if (role != "system" && role != "user" && role != "assistant" && role != "tool")
      throw invalid_param(p + ".role", "Invalid value: '" + role + "'. Supported values are: 'system', 'developer', 'user', 'assistant' and 'tool'.");
    const bool calls = role == "assistant" && m.contains("tool_calls") && !m["tool_calls"].is_null();
    if (m.contains("tool_calls") && !m["tool_calls"].is_null() && role != "assistant")
      throw invalid_param(p + ".tool_calls", "'" + p + ".tool_calls' is only allowed in assistant messages.");
    if (m.contains("tool_call_id") && role != "tool")
      throw invalid_param(p + ".tool_call_id", "'" + p + ".tool_call_id' is only allowed in tool messages.");
    if (role == "tool" && !m.contains("tool_call_id"))
      throw invalid_param(p + ".tool_call_id", "Missing required parameter: '" + p + ".tool_call_id'.");
    const bool no_content = !m.contains("content") || m["content"].is_null();
    if (no_content && !calls) throw invalid_param(p + ".content", "Missing required parameter: '" + p + ".content'.");
    // An assistant turn that only calls tools has content null (as OpenAI returns it); templates
    // get "" (vLLM's text content), since some test it as a string ('</think>' in content).
    json message{{"role", role}, {"content", no_content ? "" : message_content(m["content"], p + ".content")}};
    if (calls) message["tool_calls"] = parse_history_tool_calls(m["tool_calls"], p + ".tool_calls");
    if (role == "tool") message["tool_call_id"] = string(m["tool_call_id"], p + ".tool_call_id");
    out.push_back(std::move(message));
  }
  return out;
}

std::vector<std::string> parse_stop(const json& v) {
  if (v.is_string()) return {v.get<std::string>()};
  if (!v.is_array()) throw wrong_type("stop", "a string or an array of strings", v);
  if (v.size() > 4) throw invalid_param("stop", "'stop' accepts at most 4 sequences, got " + std::to_string(v.size()) + ".");
  std::vector<std::string> out;
  for (size_t i = 0; i < v.size(); ++i) out.push_back(string(v[i], "stop[" + std::to_string(i) + "]"));
  for (const auto& s : out)
    if (s.empty()) throw invalid_param("stop", "'stop' sequences must not be empty.");
  return out;
}

std::vector<std::string> parse_prompt(const json& v) {
  if (v.is_string()) return {v.get<std::string>()};
  if (!v.is_array() || v.empty()) throw wrong_type("prompt", "a string or a non-empty array of strings", v);
  std::vector<std::string> out;
  for (size_t i = 0; i < v.size(); ++i) out.push_back(string(v[i], "prompt[" + std::to_string(i) + "]"));
  return out;
}

using Setter = std::function<void(const json&, CompletionRequest&)>;
struct Field {
  bool chat, completions;
  Setter set;
};

// Every accepted field. Hugging Face extras keep their transformers names (top_k, min_p,
// repetition_penalty); `temperature: 0` means greedy, as in OpenAI's API.
const std::map<std::string, Field>& fields() {
  static const std::map<std::string, Field> table = {
      {"model", {true, true, [](const json& v, CompletionRequest& r) { r.model = string(v, "model"); }}},
      {"messages", {true, false, [](const json& v, CompletionRequest& r) { r.messages = parse_messages(v); }}},
      {"prompt", {false, true, [](const json& v, CompletionRequest& r) { r.prompts = parse_prompt(v); }}},
      {"max_tokens", {true, true, [](const json& v, CompletionRequest& r) { r.max_tokens = integer(v, "max_tokens", 1, INT32_MAX); }}},
      {"max_completion_tokens", {true, false, [](const json& v, CompletionRequest& r) {
         r.max_tokens = integer(v, "max_completion_tokens", 1, INT32_MAX); }}},
      {"temperature", {true, true, [](const json& v, CompletionRequest& r) {
         const double t = number(v, "temperature", 0, 2);
         r.generation.do_sample = t > 0;
         if (t > 0) r.generation.temperature = static_cast<float>(t); }}},
      {"top_p", {true, true, [](const json& v, CompletionRequest& r) {
         const double p = number(v, "top_p", 0, 1);
         if (p == 0) throw invalid_param("top_p", "'top_p' must be greater than 0.");
         r.generation.top_p = static_cast<float>(p); }}},
      {"top_k", {true, true, [](const json& v, CompletionRequest& r) {
         r.generation.top_k = static_cast<int>(integer(v, "top_k", 0, INT32_MAX)); }}},
      {"min_p", {true, true, [](const json& v, CompletionRequest& r) { r.generation.min_p = static_cast<float>(number(v, "min_p", 0, 1)); }}},
      {"repetition_penalty", {true, true, [](const json& v, CompletionRequest& r) {
         const double p = number(v, "repetition_penalty", 0, 1e9);
         if (p == 0) throw invalid_param("repetition_penalty", "'repetition_penalty' must be greater than 0.");
         r.generation.repetition_penalty = static_cast<float>(p); }}},
      {"presence_penalty", {true, true, [](const json& v, CompletionRequest& r) {
         r.presence_penalty = static_cast<float>(number(v, "presence_penalty", -2, 2)); }}},
      {"frequency_penalty", {true, true, [](const json& v, CompletionRequest& r) {
         r.frequency_penalty = static_cast<float>(number(v, "frequency_penalty", -2, 2)); }}},
      {"seed", {true, true, [](const json& v, CompletionRequest& r) {
         r.generation.seed = static_cast<uint64_t>(integer(v, "seed", INT64_MIN, INT64_MAX)); }}},
      {"stop", {true, true, [](const json& v, CompletionRequest& r) { r.stop = parse_stop(v); }}},
      {"n", {true, true, [](const json& v, CompletionRequest& r) { r.n = static_cast<int>(integer(v, "n", 1, 16)); }}},
      {"stream", {true, true, [](const json& v, CompletionRequest& r) { r.stream = boolean(v, "stream"); }}},
      {"stream_options", {true, true, [](const json& v, CompletionRequest& r) {
         if (!v.is_object()) throw wrong_type("stream_options", "an object", v);
         for (const auto& [k, x] : v.items()) {
           if (k != "include_usage")
             throw ApiError(400, "Unrecognized request argument supplied: stream_options." + k, "stream_options." + k, "unknown_parameter");
           if (!x.is_null()) r.include_usage = boolean(x, "stream_options.include_usage");
         } }}},
      {"logprobs", {true, false, [](const json& v, CompletionRequest& r) { r.logprobs = boolean(v, "logprobs"); }}},
      {"top_logprobs", {true, false, [](const json& v, CompletionRequest& r) {
         r.top_logprobs = static_cast<int>(integer(v, "top_logprobs", 0, 20)); }}},
      {"user", {true, true, [](const json& v, CompletionRequest& r) { r.user = string(v, "user"); }}},
      {"response_format", {true, false, [](const json& v, CompletionRequest& r) { r.structured.response_format = parse_response_format(v); }}},
      {"tools", {true, false, [](const json& v, CompletionRequest& r) { r.structured.tools = parse_tools(v); }}},
      {"tool_choice", {true, false, [](const json& v, CompletionRequest& r) { r.structured.tool_choice = parse_tool_choice(v); }}},
      {"parallel_tool_calls", {true, false, [](const json& v, CompletionRequest& r) {
         r.structured.parallel_tool_calls = boolean(v, "parallel_tool_calls");
         r.structured.parallel_tool_calls_given = true; }}},
      {"chat_template_kwargs", {true, false, [](const json& v, CompletionRequest& r) {
         if (!v.is_object()) throw wrong_type("chat_template_kwargs", "an object", v);
         r.chat_template_kwargs = v; }}},
  };
  return table;
}

}  // namespace

CompletionRequest parse_completion_request(const std::string& body, Endpoint endpoint) {
  json doc;
  try {
    doc = parse_json(body);   // depth-bounded: a body nested 10^5 deep is a 400, not a stack overflow
  } catch (const json::parse_error& e) {
    throw ApiError(400, std::string("We could not parse the JSON body of your request: ") + e.what(), "", "invalid_json");
  }
  if (!doc.is_object()) throw ApiError(400, "The request body must be a JSON object.", "", "invalid_json");
  CompletionRequest r;
  r.endpoint = endpoint;
  const bool chat = endpoint == Endpoint::Chat;
  for (const auto& [key, value] : doc.items()) {
    auto it = fields().find(key);
    if (it == fields().end() || !(chat ? it->second.chat : it->second.completions))
      throw ApiError(400, "Unrecognized request argument supplied: " + key, key, "unknown_parameter");
    if (value.is_null()) continue;  // null = not given, as OpenAI's API treats optional fields
    it->second.set(value, r);
  }
  const char* required = chat ? "messages" : "prompt";
  if (!doc.contains("model") || doc["model"].is_null()) throw invalid_param("model", "Missing required parameter: 'model'.");
  if (!doc.contains(required) || doc[required].is_null())
    throw invalid_param(required, std::string("Missing required parameter: '") + required + "'.");
  if (doc.contains("stream_options") && !doc["stream_options"].is_null() && !r.stream)
    throw invalid_param("stream_options", "The 'stream_options' parameter is only allowed when 'stream' is enabled.");
  if (r.top_logprobs > 0 && !r.logprobs)
    throw invalid_param("top_logprobs", "'top_logprobs' requires 'logprobs' to be true.");
  r.output = r.structured.resolve();
  // OpenAI samples unless temperature is 0; the model's generation config supplies the rest.
  if (!r.generation.do_sample.has_value()) r.generation.do_sample = true;
  return r;
}

}  // namespace hf::server
