#pragma once
// Registries of the built-ins a template can name: filters (`x | trim`), tests (`x is string`),
// global functions (range, namespace, raise_exception, strftime_now, ...) and the methods of
// Python's str, list and dict that the immutable sandbox allows.
#include <string_view>

#include "templates/ast.h"
#include "templates/value.h"

namespace hf::templates {

FilterFn find_filter(std::string_view name);   // nullptr if unknown
TestFn find_test(std::string_view name);       // nullptr if unknown

// A global function (range, dict, namespace, cycler, joiner, raise_exception, strftime_now), or
// an undefined value.
Value find_global(std::string_view name);

// `self.name`: a bound method of str/list/dict, or undefined (SecurityError for the mutating
// methods the immutable sandbox blocks, like list.append or dict.update).
Value method_attribute(const Value& self, std::string_view name);
// Calls `self.name(args)` directly, without building the bound method; `found` false when
// `self` has no such (safe) method.
Value call_method(const Value& self, std::string_view name, const CallArgs& args, bool& found);

}  // namespace hf::templates
