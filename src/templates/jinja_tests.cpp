// Jinja2's built-in tests: `x is defined`, `x is string`, `x is divisibleby 3`, ...
#include <string_view>
#include <utility>

#include "templates/args.h"
#include "templates/builtins.h"
#include "templates/operators.h"
#include "templates/text.h"

namespace hf::templates {

namespace {

const Value& other(const CallArgs& a) {
  const Value* v = a.get(0, "other");
  if (!v) throw_type_error("test requires an argument to compare with");
  return *v;
}

bool cased_all(const Value& v, bool upper) {
  std::string s = to_str(v);
  bool cased = false;
  for (size_t pos = 0; pos < s.size();) {
    char32_t cp = text::next_code_point(s, pos);
    if (!text::is_alpha(cp)) continue;
    if ((upper ? text::to_upper(cp) : text::to_lower(cp)) != cp) return false;
    cased = true;
  }
  return cased;
}

bool test_defined(Evaluator&, const Value& v, const CallArgs&) { return !v.is_undefined(); }
bool test_undefined(Evaluator&, const Value& v, const CallArgs&) { return v.is_undefined(); }
bool test_none(Evaluator&, const Value& v, const CallArgs&) { return v.is_none(); }
bool test_boolean(Evaluator&, const Value& v, const CallArgs&) { return v.kind() == Kind::Bool; }
bool test_true(Evaluator&, const Value& v, const CallArgs&) { return v.kind() == Kind::Bool && v.as_bool(); }
bool test_false(Evaluator&, const Value& v, const CallArgs&) { return v.kind() == Kind::Bool && !v.as_bool(); }
bool test_integer(Evaluator&, const Value& v, const CallArgs&) { return v.kind() == Kind::Int; }
bool test_float(Evaluator&, const Value& v, const CallArgs&) { return v.kind() == Kind::Float; }
bool test_number(Evaluator&, const Value& v, const CallArgs&) { return v.is_number(); }
bool test_string(Evaluator&, const Value& v, const CallArgs&) { return v.is_string(); }
bool test_mapping(Evaluator&, const Value& v, const CallArgs&) { return v.kind() == Kind::Dict; }
bool test_callable(Evaluator&, const Value& v, const CallArgs&) { return v.kind() == Kind::Callable; }
bool test_escaped(Evaluator&, const Value& v, const CallArgs&) { return v.is_markup(); }   // has __html__
bool test_lower(Evaluator&, const Value& v, const CallArgs&) { return cased_all(v, false); }
bool test_upper(Evaluator&, const Value& v, const CallArgs&) { return cased_all(v, true); }
// jinja2: value % 2 == 1 / == 0, so floats are accepted (0.5 is neither odd nor even).
bool test_odd(Evaluator&, const Value& v, const CallArgs&) { return equal(binary_op(BinOp::Mod, v, Value(2)), Value(1)); }
bool test_even(Evaluator&, const Value& v, const CallArgs&) { return equal(binary_op(BinOp::Mod, v, Value(2)), Value(0)); }

bool test_divisibleby(Evaluator&, const Value& v, const CallArgs& a) {
  Value num = arg(a, 0, "num");
  Value rem = binary_op(BinOp::Mod, v, num);
  return equal(rem, Value(0));
}

// iter(v) succeeds: strings, lists, dicts, generators, and Undefined (which iterates empty).
bool test_iterable(Evaluator&, const Value& v, const CallArgs&) {
  switch (v.kind()) {
    case Kind::Undefined: case Kind::String: case Kind::List: case Kind::Dict: return true;
    default: return false;
  }
}

// len(v) and v.__getitem__ both exist: not generators.
bool test_sequence(Evaluator&, const Value& v, const CallArgs&) {
  switch (v.kind()) {
    case Kind::Undefined: case Kind::String: case Kind::Dict: return true;
    case Kind::List: return !v.as_list()->is_generator;
    default: return false;
  }
}

bool test_sameas(Evaluator&, const Value& v, const CallArgs& a) {
  const Value& o = other(a);
  if (v.kind() != o.kind()) return false;
  switch (v.kind()) {
    case Kind::List: return v.as_list() == o.as_list();
    case Kind::Dict: return v.as_dict() == o.as_dict();
    default: return equal(v, o);
  }
}

bool test_in(Evaluator&, const Value& v, const CallArgs& a) { return contains(arg(a, 0, "seq"), v); }
bool test_eq(Evaluator&, const Value& v, const CallArgs& a) { return equal(v, other(a)); }
bool test_ne(Evaluator&, const Value& v, const CallArgs& a) { return !equal(v, other(a)); }
bool test_lt(Evaluator&, const Value& v, const CallArgs& a) { return compare(v, other(a), "<") < 0; }
bool test_le(Evaluator&, const Value& v, const CallArgs& a) { return compare(v, other(a), "<=") <= 0; }
bool test_gt(Evaluator&, const Value& v, const CallArgs& a) { return compare(v, other(a), ">") > 0; }
bool test_ge(Evaluator&, const Value& v, const CallArgs& a) { return compare(v, other(a), ">=") >= 0; }

bool test_filter(Evaluator&, const Value& v, const CallArgs&) {
  return v.is_string() && find_filter(v.as_string()) != nullptr;
}
bool test_test(Evaluator&, const Value& v, const CallArgs&) {
  return v.is_string() && find_test(v.as_string()) != nullptr;
}

constexpr std::pair<std::string_view, TestFn> kTests[] = {
    {"defined", test_defined}, {"undefined", test_undefined}, {"none", test_none},
    {"boolean", test_boolean}, {"true", test_true}, {"false", test_false},
    {"integer", test_integer}, {"float", test_float}, {"number", test_number},
    {"string", test_string}, {"mapping", test_mapping}, {"iterable", test_iterable},
    {"sequence", test_sequence}, {"callable", test_callable}, {"escaped", test_escaped},
    {"lower", test_lower}, {"upper", test_upper}, {"odd", test_odd}, {"even", test_even},
    {"divisibleby", test_divisibleby}, {"sameas", test_sameas}, {"in", test_in},
    {"eq", test_eq}, {"equalto", test_eq}, {"==", test_eq}, {"ne", test_ne}, {"!=", test_ne},
    {"lt", test_lt}, {"lessthan", test_lt}, {"<", test_lt}, {"le", test_le}, {"<=", test_le},
    {"gt", test_gt}, {"greaterthan", test_gt}, {">", test_gt}, {"ge", test_ge}, {">=", test_ge},
    {"filter", test_filter}, {"test", test_test},
};

}  // namespace

TestFn find_test(std::string_view name) {
  for (const auto& [n, fn] : kTests)
    if (n == name) return fn;
  return nullptr;
}

}  // namespace hf::templates
