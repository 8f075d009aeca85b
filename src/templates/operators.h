#pragma once
// Python's operators on template values: + - * / // % ** and `in`.
#include "templates/ast.h"
#include "templates/value.h"

namespace hf::templates {

Value binary_op(BinOp op, const Value& a, const Value& b);
Value negate(const Value& v);
bool contains(const Value& container, const Value& item);   // item in container
Value slice(const Value& obj, const Value& start, const Value& stop, const Value& step);

}  // namespace hf::templates
