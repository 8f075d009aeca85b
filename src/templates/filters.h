#pragma once
// Helpers shared by the filter files (filters.cpp, filters_sequence.cpp).
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "templates/ast.h"
#include "templates/errors.h"
#include "templates/evaluator.h"
#include "templates/text.h"

namespace hf::templates::filters {

inline ListPtr generator(std::vector<Value> items) {
  auto l = List::make(std::move(items));
  l->is_generator = true;
  return l;
}

inline ListPtr tuple(std::vector<Value> items) {
  auto l = List::make(std::move(items));
  l->is_tuple = true;
  return l;
}

inline Value undefined_with(std::string hint) {
  UndefinedInfo info;
  info.hint = std::move(hint);
  return Value::undefined(std::move(info));
}

inline int64_t py_len(const Value& v) {
  switch (v.kind()) {
    case Kind::Undefined: return 0;
    case Kind::String: return static_cast<int64_t>(text::length(v.as_string()));
    case Kind::List:
      if (!v.as_list()->is_generator) return static_cast<int64_t>(v.as_list()->items.size());
      break;
    case Kind::Dict: return static_cast<int64_t>(v.as_dict()->items.size());
    case Kind::Object:
      if (v.as_object()->type_name() == "LoopContext") return v.as_object()->attr("length").as_int();
      break;
    default: break;
  }
  throw_type_error("object of type '" + type_name(v) + "' has no len()");
}

// Jinja2's make_attrgetter: "a.b.0" looks up each part with getitem (item, then attribute).
inline Value lookup_path(Evaluator& ev, Value item, const Value& attribute) {
  if (!attribute.is_string()) return ev.get_item(item, attribute);
  for (const auto& part : text::split(attribute.as_string(), ".", -1)) {
    bool numeric = !part.empty() && std::all_of(part.begin(), part.end(), [](unsigned char c) { return c >= '0' && c <= '9'; });
    item = numeric ? ev.get_item(item, Value(static_cast<int64_t>(std::stoll(part)))) : ev.get_item(item, Value(part));
  }
  return item;
}

inline Value ignore_case(const Value& v) { return v.is_string() ? Value(text::lower(v.as_string())) : v; }

FilterFn find_sequence_filter(std::string_view name);
FilterFn find_html_filter(std::string_view name);
std::string escape_html(const std::string& s);   // markupsafe.escape: & < > " ' as entities
Value f_pprint(Evaluator& ev, const Value& v, const CallArgs& args);   // pprint.cpp
Value f_wordwrap(Evaluator& ev, const Value& v, const CallArgs& args); // wordwrap.cpp
Value f_urlize(Evaluator& ev, const Value& v, const CallArgs& args);   // urlize.cpp

}  // namespace hf::templates::filters
