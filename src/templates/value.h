#pragma once
// Template values with Python semantics: None, bool, int, float, str, list/tuple, dict (ordered),
// Jinja2's Undefined, callables (macros, builtins, bound methods) and objects (namespace, loop).
// int and float stay distinct (1 prints "1", 1.0 prints "1.0"); lists and dicts are shared,
// immutable once built (the sandbox forbids mutation), so copying a Value is cheap.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/json.h"

namespace hf::templates {

class Value;
class Evaluator;
class BigInt;
struct List;
struct Dict;
struct Callable;
struct Object;
using ListPtr = std::shared_ptr<List>;
using DictPtr = std::shared_ptr<Dict>;
using CallablePtr = std::shared_ptr<const Callable>;
using ObjectPtr = std::shared_ptr<Object>;

// Why a value is undefined, for Jinja2's messages ("'dict object' has no attribute 'x'").
struct UndefinedInfo {
  std::string name;          // variable, attribute or key that was missing
  std::string owner;         // "dict object", "None", ... ; empty for a missing variable
  std::string hint;          // replaces the generated message when set
  std::string error_type = "UndefinedError";   // SecurityError for unsafe attributes
  bool key_is_index = false; // "has no element 3" rather than "has no attribute"
};

enum class Kind : uint8_t { Undefined, None, Bool, Int, Float, String, List, Dict, Callable, Object };

class Value {
 public:
  struct Undefined { std::shared_ptr<const UndefinedInfo> info; };
  struct None {};

  Value() : data_(Undefined{}) {}
  Value(None) : data_(None{}) {}
  Value(bool b) : data_(b) {}
  Value(int64_t i) : data_(i) {}
  Value(int i) : data_(static_cast<int64_t>(i)) {}
  Value(size_t i) : data_(static_cast<int64_t>(i)) {}
  Value(double f) : data_(f) {}
  Value(std::string s) : data_(std::move(s)) {}
  Value(std::string_view s) : data_(std::string(s)) {}
  Value(const char* s) : data_(std::string(s)) {}
  Value(ListPtr l) : data_(std::move(l)) {}
  Value(DictPtr d) : data_(std::move(d)) {}
  Value(CallablePtr c) : data_(std::move(c)) {}
  Value(ObjectPtr o) : data_(std::move(o)) {}
  Value(const BigInt& i);   // an int64_t when it fits (a BigInt is only ever held beyond 64 bits)

  static Value none() { return Value(None{}); }
  // markupsafe's Markup: a str that is already HTML ("safe"). transformers' environment does not
  // autoescape, so it prints as any str; it differs in `is escaped`, in |e (not escaped twice)
  // and in + and % (the other operand is escaped).
  static Value markup(std::string s) {
    Value v(std::move(s));
    v.markup_ = true;
    return v;
  }
  // `s` as Markup when `like` is Markup: the result of a str method that Markup wraps.
  static Value string_like(const Value& like, std::string s) {
    return like.is_markup() ? markup(std::move(s)) : Value(std::move(s));
  }
  static Value undefined(UndefinedInfo info);
  static Value from_json(const json& j);

  Kind kind() const { return is_big() ? Kind::Int : static_cast<Kind>(data_.index()); }
  bool is_big() const { return std::holds_alternative<std::shared_ptr<const BigInt>>(data_); }
  bool is_undefined() const { return kind() == Kind::Undefined; }
  bool is_none() const { return kind() == Kind::None; }
  bool is_string() const { return kind() == Kind::String; }
  bool is_markup() const { return markup_; }
  bool is_number() const { return kind() == Kind::Int || kind() == Kind::Float || kind() == Kind::Bool; }
  bool is_integer() const { return kind() == Kind::Int || kind() == Kind::Bool; }

  bool as_bool() const { return std::get<bool>(data_); }
  int64_t as_int() const;             // Int or Bool; OverflowError past 64 bits (as Python's ssize_t)
  BigInt as_big() const;              // Int or Bool, any size
  double as_float() const;            // any number
  const std::string& as_string() const { return std::get<std::string>(data_); }
  const ListPtr& as_list() const { return std::get<ListPtr>(data_); }
  const DictPtr& as_dict() const { return std::get<DictPtr>(data_); }
  const CallablePtr& as_callable() const { return std::get<CallablePtr>(data_); }
  const ObjectPtr& as_object() const { return std::get<ObjectPtr>(data_); }
  const UndefinedInfo* undefined_info() const { return std::get<Undefined>(data_).info.get(); }

  // Throws the UndefinedError (or SecurityError) that using this undefined value raises.
  [[noreturn]] void fail_undefined() const;

 private:
  std::variant<Undefined, None, bool, int64_t, double, std::string, ListPtr, DictPtr, CallablePtr,
               ObjectPtr, std::shared_ptr<const BigInt>>
      data_;
  bool markup_ = false;
};

// A list, a tuple, or the lazy generator that map/select/selectattr/unique return. Generators are
// materialized, but keep Python's observable behaviour: always truthy, no len(), not JSON
// serializable, and exhausted once iterated (`consumed` counts the items already taken).
struct List {
  std::vector<Value> items;
  bool is_tuple = false;
  bool is_generator = false;
  bool is_group = false;             // groupby's (grouper, list) tuple: also .grouper and .list
  const char* view_name = nullptr;   // "dict_items", "dict_keys", "dict_values": dict.items() etc.
  mutable size_t consumed = 0;
  ~List();   // iterative: a list nested 10^6 deep must not recurse once per level

  static ListPtr make(std::vector<Value> items = {}) {
    auto l = std::make_shared<List>();
    l->items = std::move(items);
    return l;
  }
};

struct Dict {
  std::vector<std::pair<Value, Value>> items;   // insertion order, as Python dicts
  const Value* find(const Value& key) const;
  const Value* find(std::string_view key) const;
  void set(Value key, Value value);
  ~Dict();
  static DictPtr make() { return std::make_shared<Dict>(); }
};

struct CallArgs {
  std::vector<Value> positional;
  std::vector<std::pair<std::string, Value>> keyword;
  // The argument at `index`, else the keyword `name`, else nullptr.
  const Value* get(size_t index, std::string_view name) const;
};

struct Callable {
  virtual ~Callable() = default;
  virtual Value call(Evaluator& ev, CallArgs& args) const = 0;
  virtual std::string repr() const = 0;
};

// Objects with attributes: namespace(), the loop variable, cycler, joiner.
struct Object {
  virtual ~Object() = default;
  virtual Value attr(std::string_view name) const = 0;
  virtual bool set_attr(const std::string& name, Value value) { return false; }
  virtual std::string type_name() const = 0;
  virtual std::string repr() const { return "<" + type_name() + " object>"; }
  // Drops the values the object holds (called when the render ends, to break reference cycles).
  virtual void release() {}
};

// Python's view of values.
bool truthy(const Value& v);
std::string type_name(const Value& v);       // "str", "int", "NoneType", "dict", "generator", ...
std::string owner_name(const Value& v);      // Jinja's object_type_repr: "dict object", "None"
std::string to_str(const Value& v);          // str(v); undefined prints ""
std::string int_to_string(const Value& v);   // str(i) of an int of any size
void append_str(std::string& out, const Value& v);
std::string repr(const Value& v);            // repr(v)
bool equal(const Value& a, const Value& b);  // a == b
int compare(const Value& a, const Value& b, const char* op);   // <0, 0, >0; TypeError if unorderable

// Iteration as Python's iter(): lists and tuples give items, dicts their keys, strings their
// characters, undefined nothing; None and numbers raise TypeError.
std::vector<Value> iterate(const Value& v);

}  // namespace hf::templates
