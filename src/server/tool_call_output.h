#pragma once
// Tool calls in a chat answer, shaped as OpenAI's API returns them: which format the model's
// replies are parsed with, the ids, and the `tool_calls` arrays of a message and of a streamed
// delta.
#include <string>
#include <vector>

#include "core/json.h"
#include "hf/tokenizer.h"
#include "hf/tool_calls.h"
#include "server/structured_request.h"

namespace hf::server {

// The parser of one choice: a forced call's own shape (named: its arguments; required: a JSON
// array of calls), else the format the model's chat template teaches (the "tool_use" template
// when there is one, as transformers renders tools with it).
ToolCallStreamParser tool_call_parser(const Tokenizer& tokenizer, const StructuredRequest::Resolved& output);
// Mistral's templates accept only 9 alphanumeric characters as a call id; others get OpenAI's
// "call_" + 24.
std::string new_tool_call_id(const Tokenizer& tokenizer, const StructuredRequest::Resolved& output);
// Whether the format's markers are special tokens the decoded text must keep.
bool tool_call_markers_are_special(const Tokenizer& tokenizer, const StructuredRequest::Resolved& output);

// message.tool_calls: [{"id", "type": "function", "function": {"name", "arguments"}}].
json tool_calls_json(const std::vector<ToolCall>& calls);
// A streamed delta's tool_calls: the same with each call's "index" among the choice's calls.
json tool_call_deltas_json(const std::vector<ToolCall>& calls, size_t first_index);

}  // namespace hf::server
