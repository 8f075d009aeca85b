#pragma once
// Reading the arguments of a filter, test, global or method call the way Python binds them:
// by position, else by keyword, else the default.
#include <string>
#include <string_view>

#include "templates/errors.h"
#include "templates/value.h"

namespace hf::templates {

inline Value arg(const CallArgs& args, size_t index, std::string_view name, Value fallback = Value::none()) {
  const Value* v = args.get(index, name);
  return v ? *v : fallback;
}

inline bool has_arg(const CallArgs& args, size_t index, std::string_view name) {
  const Value* v = args.get(index, name);
  return v && !v->is_none() && !v->is_undefined();
}

inline int64_t int_arg(const CallArgs& args, size_t index, std::string_view name, int64_t fallback) {
  const Value* v = args.get(index, name);
  if (!v || v->is_none() || v->is_undefined()) return fallback;
  if (!v->is_integer()) throw_type_error("'" + std::string(name) + "' must be an integer, not " + type_name(*v));
  return v->as_int();
}

inline bool bool_arg(const CallArgs& args, size_t index, std::string_view name, bool fallback) {
  const Value* v = args.get(index, name);
  return v ? truthy(*v) : fallback;
}

inline std::string str_arg(const CallArgs& args, size_t index, std::string_view name, std::string fallback) {
  const Value* v = args.get(index, name);
  if (!v || v->is_none()) return fallback;
  return to_str(*v);
}

// A string argument Python requires to be a str (str.split(sep), str.startswith(prefix), ...).
inline std::string require_str(const Value& v, const char* what) {
  if (!v.is_string()) throw_type_error(std::string(what) + " must be str, not " + type_name(v));
  return v.as_string();
}

}  // namespace hf::templates
