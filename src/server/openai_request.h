#pragma once
// The body of POST /v1/chat/completions and /v1/completions, parsed and validated strictly as
// OpenAI's API defines it: every field is checked for type and range, and a field the server does
// not know is a 400 naming it (never silently ignored). Each field is one entry of a table
// (openai_request.cpp), so a later feature (response_format, tools) adds its entries there and
// its data in `CompletionRequest::extensions`.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
#include "hf/generation_config.h"
#include "server/structured_request.h"

namespace hf::server {

enum class Endpoint { Chat, Completions };

struct CompletionRequest {
  Endpoint endpoint = Endpoint::Chat;
  std::string model;
  json messages = json::array();          // chat: [{role, content}] with text content
  std::vector<std::string> prompts;       // completions: one or several prompts
  json chat_template_kwargs = json::object();

  // Sampling, in transformers' terms: the request's values over the model's generation config.
  GenerationConfig generation;
  std::optional<int> max_tokens;          // max_tokens / max_completion_tokens; unset = up to the context
  float presence_penalty = 0, frequency_penalty = 0;  // OpenAI's additive penalties
  std::vector<std::string> stop;          // up to 4 stop sequences, excluded from the output
  int n = 1;
  bool stream = false, include_usage = false;
  bool logprobs = false;
  int top_logprobs = 0;
  std::string user;

  // response_format, tools, tool_choice, parallel_tool_calls as given, and what they imply.
  StructuredRequest structured;
  StructuredRequest::Resolved output;

  json extensions = json::object();      // fields a later feature parses (kept raw, by name)
};

// Parses a request body; ApiError(400) for malformed JSON, an unknown field, a wrong type or an
// unsupported value, naming the field in `param`.
CompletionRequest parse_completion_request(const std::string& body, Endpoint endpoint);

}  // namespace hf::server
