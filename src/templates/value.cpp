#include "templates/value.h"

#include "templates/bigint.h"
#include "templates/budget.h"
#include "templates/errors.h"
#include "templates/pyformat.h"
#include "templates/text.h"

namespace hf::templates {

Value Value::undefined(UndefinedInfo info) {
  Value v;
  v.data_ = Undefined{std::make_shared<const UndefinedInfo>(std::move(info))};
  return v;
}

// ---- iterative destruction ----------------------------------------------------------------
// Destroying the outermost of a list nested 10^6 deep would recurse once per level. Instead the
// outermost destructor moves nested values to a worklist and releases them one by one; the
// destructors that run meanwhile (for values whose last reference that was) only add to it.
namespace {
thread_local std::vector<Value>* pending = nullptr;

bool holds_references(const Value& v) { return v.kind() >= Kind::List; }

template <typename Each>
void release_children(Each&& each_child) {
  if (pending) {
    each_child([](Value& v) {
      if (holds_references(v)) pending->push_back(std::move(v));
    });
    return;
  }
  std::vector<Value> worklist;
  pending = &worklist;
  each_child([&](Value& v) {
    if (holds_references(v)) worklist.push_back(std::move(v));
  });
  while (!worklist.empty()) {
    Value v = std::move(worklist.back());
    worklist.pop_back();
  }   // ~v may append to the worklist
  pending = nullptr;
}
}  // namespace

List::~List() {
  release_children([this](auto&& take) {
    for (auto& item : items) take(item);
  });
}

Dict::~Dict() {
  release_children([this](auto&& take) {
    for (auto& [k, v] : items) {
      take(k);
      take(v);
    }
  });
}

Value Value::from_json(const json& j) {
  ValueDepth depth("while converting the render context");
  switch (j.type()) {
    case json::value_t::null: return none();
    case json::value_t::boolean: return j.get<bool>();
    case json::value_t::number_integer: return j.get<int64_t>();
    case json::value_t::number_unsigned: return static_cast<int64_t>(j.get<uint64_t>());
    case json::value_t::number_float: return j.get<double>();
    case json::value_t::string: return j.get_ref<const std::string&>();
    case json::value_t::array: {
      auto l = List::make();
      l->items.reserve(j.size());
      for (const auto& item : j) l->items.push_back(from_json(item));
      return l;
    }
    case json::value_t::object: {
      auto d = Dict::make();
      d->items.reserve(j.size());
      for (auto it = j.begin(); it != j.end(); ++it)
        d->items.emplace_back(Value(it.key()), from_json(it.value()));
      return d;
    }
    default: return Value();
  }
}

Value::Value(const BigInt& i) {
  if (auto small = i.to_int64()) data_ = *small;
  else data_ = std::make_shared<const BigInt>(i);
}

int64_t Value::as_int() const {
  if (kind() == Kind::Bool) return as_bool() ? 1 : 0;
  if (is_big()) throw RenderError("OverflowError", "Python int too large to convert to C ssize_t");
  return std::get<int64_t>(data_);
}

BigInt Value::as_big() const {
  if (is_big()) return *std::get<std::shared_ptr<const BigInt>>(data_);
  return BigInt(as_int());
}

double Value::as_float() const {
  if (kind() == Kind::Float) return std::get<double>(data_);
  if (is_big()) return as_big().to_double();
  return static_cast<double>(as_int());
}

void Value::fail_undefined() const {
  const UndefinedInfo* info = undefined_info();
  if (!info) throw RenderError("UndefinedError", "value is undefined");
  std::string message;
  if (!info->hint.empty()) message = info->hint;
  else if (info->owner.empty()) message = "'" + info->name + "' is undefined";
  else if (info->key_is_index) message = info->owner + " has no element " + info->name;
  else message = "'" + info->owner + "' has no attribute '" + info->name + "'";
  throw RenderError(info->error_type, message);
}

const Value* Dict::find(const Value& key) const {
  if (key.is_string()) return find(std::string_view(key.as_string()));
  for (const auto& [k, v] : items)
    if (equal(k, key)) return &v;
  return nullptr;
}

const Value* Dict::find(std::string_view key) const {
  for (const auto& [k, v] : items)
    if (k.is_string() && k.as_string() == key) return &v;
  return nullptr;
}

void Dict::set(Value key, Value value) {
  for (auto& [k, v] : items)
    if (equal(k, key)) {
      v = std::move(value);
      return;
    }
  items.emplace_back(std::move(key), std::move(value));
}

const Value* CallArgs::get(size_t index, std::string_view name) const {
  if (index < positional.size()) return &positional[index];
  for (const auto& [k, v] : keyword)
    if (k == name) return &v;
  return nullptr;
}

bool truthy(const Value& v) {
  switch (v.kind()) {
    case Kind::Undefined: case Kind::None: return false;
    case Kind::Bool: return v.as_bool();
    case Kind::Int: return v.is_big() || v.as_int() != 0;
    case Kind::Float: return v.as_float() != 0.0;
    case Kind::String: return !v.as_string().empty();
    case Kind::List: return v.as_list()->is_generator || !v.as_list()->items.empty();
    case Kind::Dict: return !v.as_dict()->items.empty();
    default: return true;
  }
}

std::string type_name(const Value& v) {
  switch (v.kind()) {
    case Kind::Undefined: return "Undefined";
    case Kind::None: return "NoneType";
    case Kind::Bool: return "bool";
    case Kind::Int: return "int";
    case Kind::Float: return "float";
    case Kind::String: return v.is_markup() ? "Markup" : "str";
    case Kind::List: {
      const List& l = *v.as_list();
      return l.view_name ? l.view_name : l.is_generator ? "generator" : l.is_tuple ? "tuple" : "list";
    }
    case Kind::Dict: return "dict";
    case Kind::Callable: return "function";
    case Kind::Object: return v.as_object()->type_name();
  }
  return "object";
}

std::string owner_name(const Value& v) {
  if (v.is_none()) return "None";
  return type_name(v) + " object";
}

void append_str(std::string& out, const Value& v) {
  switch (v.kind()) {
    case Kind::Undefined: return;
    case Kind::String: out += v.as_string(); return;
    case Kind::Int: out += int_to_string(v); return;
    default: out += repr(v);
  }
}

std::string int_to_string(const Value& v) {
  return v.is_big() ? v.as_big().to_string() : std::to_string(v.as_int());
}

std::string to_str(const Value& v) {
  if (v.is_string()) return v.as_string();
  std::string out;
  append_str(out, v);
  return out;
}

namespace {
void append_repr(std::string& out, const Value& v) {
  ValueDepth depth("while getting the repr of an object");
  Budget::steps(1);
  switch (v.kind()) {
    case Kind::Undefined: out += "Undefined"; return;
    case Kind::None: out += "None"; return;
    case Kind::Bool: out += v.as_bool() ? "True" : "False"; return;
    case Kind::Int: out += int_to_string(v); return;
    case Kind::Float: out += float_repr(v.as_float()); return;
    case Kind::String: append_string_repr(out, v.as_string()); return;
    case Kind::List: {
      const List& l = *v.as_list();
      if (l.is_generator) {
        out += "<generator object>";
        return;
      }
      if (l.view_name) out += std::string(l.view_name) + "(";
      out += l.is_tuple ? '(' : '[';
      for (size_t i = 0; i < l.items.size(); ++i) {
        if (i) out += ", ";
        append_repr(out, l.items[i]);
      }
      if (l.is_tuple && l.items.size() == 1) out += ',';
      out += l.is_tuple ? ')' : ']';
      if (l.view_name) out += ')';
      return;
    }
    case Kind::Dict: {
      out += '{';
      bool first = true;
      for (const auto& [k, val] : v.as_dict()->items) {
        if (!first) out += ", ";
        first = false;
        append_repr(out, k);
        out += ": ";
        append_repr(out, val);
      }
      out += '}';
      return;
    }
    case Kind::Callable: out += v.as_callable()->repr(); return;
    case Kind::Object: out += v.as_object()->repr(); return;
  }
}
}  // namespace

std::string repr(const Value& v) {
  std::string out;
  append_repr(out, v);
  return out;
}

bool equal(const Value& a, const Value& b) {
  ValueDepth depth("in comparison");
  Budget::steps(1);
  if (a.is_number() && b.is_number()) {
    if (a.kind() == Kind::Float || b.kind() == Kind::Float) return a.as_float() == b.as_float();
    if (a.is_big() || b.is_big()) return compare(a.as_big(), b.as_big()) == 0;
    return a.as_int() == b.as_int();
  }
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Kind::Undefined: case Kind::None: return true;
    case Kind::String: return a.as_string() == b.as_string();
    case Kind::List: {
      const List& x = *a.as_list();
      const List& y = *b.as_list();
      if (&x == &y) return true;
      if (x.is_generator || y.is_generator || x.is_tuple != y.is_tuple) return false;
      if (x.items.size() != y.items.size()) return false;
      for (size_t i = 0; i < x.items.size(); ++i)
        if (!equal(x.items[i], y.items[i])) return false;
      return true;
    }
    case Kind::Dict: {
      const Dict& x = *a.as_dict();
      const Dict& y = *b.as_dict();
      if (x.items.size() != y.items.size()) return false;
      for (const auto& [k, v] : x.items) {
        const Value* other = y.find(k);
        if (!other || !equal(v, *other)) return false;
      }
      return true;
    }
    case Kind::Callable: return a.as_callable() == b.as_callable();
    case Kind::Object: return a.as_object() == b.as_object();
    default: return false;
  }
}

int compare(const Value& a, const Value& b, const char* op) {
  ValueDepth depth("in comparison");
  Budget::steps(1);
  if (a.is_undefined()) a.fail_undefined();
  if (b.is_undefined()) b.fail_undefined();
  if (a.is_number() && b.is_number()) {
    if (a.kind() == Kind::Float || b.kind() == Kind::Float) {
      double x = a.as_float(), y = b.as_float();
      return x < y ? -1 : x > y ? 1 : 0;
    }
    if (a.is_big() || b.is_big()) return compare(a.as_big(), b.as_big());
    int64_t x = a.as_int(), y = b.as_int();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (a.is_string() && b.is_string()) {
    int c = a.as_string().compare(b.as_string());   // UTF-8 byte order is code point order
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  }
  if (a.kind() == Kind::List && b.kind() == Kind::List && !a.as_list()->is_generator &&
      !b.as_list()->is_generator && a.as_list()->is_tuple == b.as_list()->is_tuple) {
    const auto& x = a.as_list()->items;
    const auto& y = b.as_list()->items;
    for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
      if (equal(x[i], y[i])) continue;
      return compare(x[i], y[i], op);
    }
    return x.size() < y.size() ? -1 : x.size() > y.size() ? 1 : 0;
  }
  throw_type_error(std::string("'") + op + "' not supported between instances of '" +
                   type_name(a) + "' and '" + type_name(b) + "'");
}

std::vector<Value> iterate(const Value& v) {
  Budget::steps(1);
  switch (v.kind()) {
    case Kind::List: Budget::steps(static_cast<int64_t>(v.as_list()->items.size())); break;
    case Kind::Dict: Budget::steps(static_cast<int64_t>(v.as_dict()->items.size())); break;
    case Kind::String: Budget::steps(static_cast<int64_t>(v.as_string().size())); break;
    default: break;
  }
  switch (v.kind()) {
    case Kind::Undefined: return {};
    case Kind::List: {
      const List& l = *v.as_list();
      if (!l.is_generator) return l.items;
      std::vector<Value> rest(l.items.begin() + std::min(l.consumed, l.items.size()), l.items.end());
      l.consumed = l.items.size();
      return rest;
    }
    case Kind::Dict: {
      std::vector<Value> keys;
      keys.reserve(v.as_dict()->items.size());
      for (const auto& kv : v.as_dict()->items) keys.push_back(kv.first);
      return keys;
    }
    case Kind::String: {
      std::vector<Value> chars;
      const std::string& s = v.as_string();
      for (size_t pos = 0; pos < s.size();) {
        size_t start = pos;
        text::next_code_point(s, pos);
        chars.emplace_back(s.substr(start, pos - start));
      }
      return chars;
    }
    default:
      throw_type_error("'" + type_name(v) + "' object is not iterable");
  }
}

}  // namespace hf::templates
