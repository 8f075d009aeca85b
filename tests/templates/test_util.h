#pragma once
// Shared helpers of the template tests: render a source with a JSON context, or catch its error.
#include <string>

#include "core/json.h"
#include "hf/chat_template.h"

namespace hf::test {

inline std::string render(const std::string& source, const json& context = json::object()) {
  RenderOptions options;
  options.now = parse_local_time("2025-01-15T10:30:00");
  return ChatTemplate(source).render(context, options);
}

// The message of the hf::TemplateError that compiling or rendering raises; "" if none.
inline std::string error_of(const std::string& source, const json& context = json::object()) {
  try {
    render(source, context);
  } catch (const TemplateError& e) {
    return e.what();
  }
  return "";
}

}  // namespace hf::test
