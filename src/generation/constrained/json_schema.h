#pragma once
// JSON Schema (the subset of hf/constrained.h) and "any JSON value" compiled to Graph rules.
// The output is compact JSON: properties in declared order, an optional single space after ':'
// and ','; nothing else between tokens.
#include <cstdint>

#include "generation/constrained/graph.h"
#include "hf/json.h"

namespace hf::constrained {

// The root rule of `schema`. hf::InputError names an unsupported keyword and its JSON pointer.
uint32_t compile_json_schema(Builder& b, const json& schema);
// Any JSON value (object_only: any JSON object).
uint32_t compile_any_json(Builder& b, bool object_only);

}  // namespace hf::constrained
