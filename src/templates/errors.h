#pragma once
// Errors raised while rendering. Each carries the Python exception class the reference raises
// (TypeError, UndefinedError, SecurityError, ...) so messages read as a transformers user expects,
// plus the template line once the evaluator knows it. raise_exception(msg) is not one of these:
// it throws a plain hf::TemplateError whose what() is exactly msg.
#include <string>

#include "hf/error.h"

namespace hf::templates {

class RenderError : public TemplateError {
 public:
  RenderError(std::string type, std::string detail, int line = 0)
      : TemplateError(compose(type, detail, line)), type_(std::move(type)),
        detail_(std::move(detail)), line_(line) {}
  const std::string& type() const { return type_; }
  const std::string& detail() const { return detail_; }
  int line() const { return line_; }

 private:
  static std::string compose(const std::string& type, const std::string& detail, int line) {
    std::string where = line > 0 ? "line " + std::to_string(line) + ": " : "";
    return where + type + ": " + detail;
  }
  std::string type_, detail_;
  int line_;
};

[[noreturn]] inline void throw_type_error(std::string detail) {
  throw RenderError("TypeError", std::move(detail));
}
[[noreturn]] inline void throw_value_error(std::string detail) {
  throw RenderError("ValueError", std::move(detail));
}

}  // namespace hf::templates
