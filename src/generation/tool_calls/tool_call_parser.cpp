// Tool-call parsing: one state machine over the reply's text for every format, so the streamed
// and the whole-reply results are the same by construction (parse_tool_calls = put + finish).
#include <cctype>

#include "core/json.h"
#include "hf/tool_calls.h"

namespace hf {
namespace {

constexpr std::string_view kHermesOpen = "<tool_call>", kHermesClose = "</tool_call>";
constexpr std::string_view kMistralCalls = "[TOOL_CALLS]", kMistralArgs = "[ARGS]", kMistralCallId = "[CALL_ID]";
constexpr std::string_view kPythonTag = "<|python_tag|>";

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// The longest tail of `text` that is a proper prefix of `marker` (it may still become the marker).
size_t partial_marker(std::string_view text, std::string_view marker) {
  for (size_t n = std::min(text.size(), marker.size() - 1); n > 0; --n)
    if (text.substr(text.size() - n) == marker.substr(0, n)) return n;
  return 0;
}

struct NotACall {};  // the text does not parse as the format's calls: it stays content

json parse(std::string_view text) {
  try {
    return parse_json(trim(text));
  } catch (const json::exception&) {
    throw NotACall{};
  }
}

// OpenAI's function.arguments: the model's object as JSON text (a string it wrote is kept as is).
std::string arguments_text(const json& args) {
  if (args.is_string()) return args.get<std::string>();
  if (!args.is_object()) throw NotACall{};
  return args.dump();
}

// {"name", "arguments" | "parameters", "id"?}
ToolCall call_from_json(const json& j) {
  if (!j.is_object() || !j.contains("name") || !j["name"].is_string() || j["name"].get<std::string>().empty())
    throw NotACall{};
  ToolCall call;
  call.name = j["name"].get<std::string>();
  const char* key = j.contains("arguments") ? "arguments" : "parameters";
  call.arguments = j.contains(key) ? arguments_text(j[key]) : "{}";
  if (j.contains("id") && j["id"].is_string()) call.id = j["id"].get<std::string>();
  return call;
}

// Splits at `sep` outside strings, objects and arrays (Llama's `call; call`).
std::vector<std::string_view> split_top_level(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  int depth = 0;
  bool in_string = false, escaped = false;
  size_t begin = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      --depth;
    } else if (c == sep && depth == 0) {
      parts.push_back(s.substr(begin, i - begin));
      begin = i + 1;
    }
  }
  parts.push_back(s.substr(begin));
  return parts;
}

// After the first [TOOL_CALLS]: a JSON array (v3), or name[CALL_ID]id[ARGS]{...} / name[ARGS]{...}
// segments, each after its own [TOOL_CALLS] (v11+).
std::vector<ToolCall> mistral_calls(std::string_view body) {
  std::vector<ToolCall> calls;
  if (trim(body).starts_with('[')) {
    const json array = parse(body);
    if (!array.is_array()) throw NotACall{};
    for (const json& j : array) calls.push_back(call_from_json(j));
    return calls;
  }
  for (size_t begin = 0; begin <= body.size();) {
    size_t end = body.find(kMistralCalls, begin);
    if (end == std::string_view::npos) end = body.size();
    const std::string_view segment = body.substr(begin, end - begin);
    const size_t args = segment.find(kMistralArgs);
    if (args == std::string_view::npos) throw NotACall{};
    ToolCall call;
    std::string_view head = segment.substr(0, args);
    if (const size_t id = head.find(kMistralCallId); id != std::string_view::npos) {
      call.id = std::string(trim(head.substr(id + kMistralCallId.size())));
      head = head.substr(0, id);
    }
    call.name = std::string(trim(head));
    if (call.name.empty()) throw NotACall{};
    call.arguments = arguments_text(parse(segment.substr(args + kMistralArgs.size())));
    calls.push_back(std::move(call));
    begin = end + kMistralCalls.size();
  }
  return calls;
}

std::vector<ToolCall> generic_calls(const json& j) {
  std::vector<ToolCall> calls;
  if (j.is_array()) {
    for (const json& c : j) calls.push_back(call_from_json(c));
  } else if (j.is_object() && j.contains("tool_calls")) {
    if (!j["tool_calls"].is_array()) throw NotACall{};
    for (const json& c : j["tool_calls"]) calls.push_back(call_from_json(c));
  } else if (j.is_object() && j.contains("tool_call")) {
    calls.push_back(call_from_json(j["tool_call"]));
  } else {
    calls.push_back(call_from_json(j));
  }
  return calls;
}

}  // namespace

const char* to_string(ToolCallFormat format) {
  switch (format) {
    case ToolCallFormat::Hermes: return "hermes";
    case ToolCallFormat::Llama3Json: return "llama3_json";
    case ToolCallFormat::Mistral: return "mistral";
    case ToolCallFormat::Generic: return "generic";
    case ToolCallFormat::Arguments: return "arguments";
  }
  return "generic";
}

ToolCallFormat tool_call_format_for_template(std::string_view source) {
  if (source.find(kHermesOpen) != std::string_view::npos) return ToolCallFormat::Hermes;
  if (source.find(kMistralCalls) != std::string_view::npos) return ToolCallFormat::Mistral;
  if (source.find(kPythonTag) != std::string_view::npos || source.find("\"parameters\": ") != std::string_view::npos)
    return ToolCallFormat::Llama3Json;
  return ToolCallFormat::Generic;
}

ToolCallStreamParser::ToolCallStreamParser(ToolCallFormat format, std::string function_name)
    : format_(format), function_name_(std::move(function_name)) {
  if (format_ == ToolCallFormat::Hermes || format_ == ToolCallFormat::Mistral) mode_ = Mode::Content;
  if (format_ == ToolCallFormat::Arguments) mode_ = Mode::Rest;
}

// `body` parsed as the format's calls, or `raw` given back as content.
void ToolCallStreamParser::emit_calls(std::string_view body, std::string_view raw, Output& out) {
  try {
    std::vector<ToolCall> calls;
    switch (format_) {
      case ToolCallFormat::Hermes: calls.push_back(call_from_json(parse(body))); break;
      case ToolCallFormat::Mistral: calls = mistral_calls(body); break;
      case ToolCallFormat::Generic: calls = generic_calls(parse(body)); break;
      case ToolCallFormat::Arguments: {
        const json args = parse(body);
        if (!args.is_object()) throw NotACall{};
        calls.push_back({"", function_name_, args.dump()});
        break;
      }
      case ToolCallFormat::Llama3Json: {
        std::string_view rest = trim(body);
        if (rest.starts_with(kPythonTag)) rest.remove_prefix(kPythonTag.size());
        for (std::string_view part : split_top_level(rest, ';')) calls.push_back(call_from_json(parse(part)));
        break;
      }
    }
    calls_ += calls.size();
    for (auto& c : calls) out.tool_calls.push_back(std::move(c));
  } catch (const NotACall&) {
    out.content += raw;
  }
}

// Content is released as soon as it cannot begin a call; whitespace just before a call, or after
// the last one at the end, belongs to no one and is dropped (vLLM's content is the text before
// the calls).
ToolCallStreamParser::Output ToolCallStreamParser::release_content(bool final) {
  Output out;
  for (;;) {
    switch (mode_) {
      case Mode::Start: {  // Llama 3 / Generic: does the reply begin with a call?
        const std::string_view rest = trim(held_);
        if (rest.empty()) {
          if (final) out.content += std::exchange(held_, "");
          return out;
        }
        const bool call = format_ == ToolCallFormat::Llama3Json
                              ? rest.starts_with(kPythonTag) || rest.starts_with('{')
                              : rest.starts_with('{') || rest.starts_with('[');
        if (call) {
          mode_ = Mode::Rest;
        } else if (!final && format_ == ToolCallFormat::Llama3Json && kPythonTag.starts_with(rest)) {
          return out;  // may still become <|python_tag|>
        } else {
          mode_ = Mode::Content;
        }
        continue;
      }
      case Mode::Content: {
        const std::string_view marker = format_ == ToolCallFormat::Hermes    ? kHermesOpen
                                        : format_ == ToolCallFormat::Mistral ? kMistralCalls
                                                                             : std::string_view();
        if (marker.empty()) {
          out.content += std::exchange(held_, "");
          return out;
        }
        if (const size_t at = held_.find(marker); at != std::string::npos) {
          std::string_view before(held_.data(), at);
          while (!before.empty() && is_space(before.back())) before.remove_suffix(1);
          out.content += before;
          held_.erase(0, at + marker.size());
          mode_ = format_ == ToolCallFormat::Hermes ? Mode::Call : Mode::Rest;
          continue;
        }
        size_t end = held_.size();
        if (!final) {
          end -= partial_marker(held_, marker);
          while (end > 0 && is_space(held_[end - 1])) --end;
        } else if (calls_ > 0 && trim(held_).empty()) {
          end = 0;
          held_.clear();
        }
        out.content += held_.substr(0, end);
        held_.erase(0, end);
        return out;
      }
      case Mode::Call: {  // Hermes, inside <tool_call>
        const size_t close = held_.find(kHermesClose);
        if (close == std::string::npos && !final) return out;
        const std::string body = held_.substr(0, close);
        emit_calls(body, std::string(kHermesOpen) + held_.substr(0, close == std::string::npos ? close : close + kHermesClose.size()), out);
        held_.erase(0, close == std::string::npos ? held_.size() : close + kHermesClose.size());
        mode_ = Mode::Content;
        if (close == std::string::npos) return out;
        continue;
      }
      case Mode::Rest: {  // everything to the end is calls
        if (!final) return out;
        const std::string raw = format_ == ToolCallFormat::Mistral ? std::string(kMistralCalls) + held_ : held_;
        emit_calls(held_, raw, out);
        held_.clear();
        return out;
      }
    }
  }
}

ToolCallStreamParser::Output ToolCallStreamParser::put(std::string_view text) {
  held_ += text;
  return release_content(false);
}

ToolCallStreamParser::Output ToolCallStreamParser::finish() { return release_content(true); }

ParsedToolCalls parse_tool_calls(std::string_view text, ToolCallFormat format, const std::string& function_name) {
  ToolCallStreamParser parser(format, function_name);
  ToolCallStreamParser::Output a = parser.put(text), b = parser.finish();
  ParsedToolCalls out{a.content + b.content, std::move(a.tool_calls)};
  for (auto& c : b.tool_calls) out.tool_calls.push_back(std::move(c));
  return out;
}

}  // namespace hf
