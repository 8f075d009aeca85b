#pragma once
// Jinja2's grammar (statements and expressions with its operator precedence) → ast.h.
#include <memory>
#include <string>

#include "templates/ast.h"

namespace hf::templates {

// Throws hf::TemplateError "line L, column C: ..." on a syntax error, an unknown tag, filter or test.
std::unique_ptr<Program> parse(const std::string& source);

}  // namespace hf::templates
