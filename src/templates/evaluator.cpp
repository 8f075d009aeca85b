// Expression evaluation and calls. Statements are in statements.cpp.
#include "templates/evaluator.h"

#include "templates/builtins.h"
#include "templates/errors.h"
#include "templates/operators.h"
#include "templates/text.h"

namespace hf::templates {

namespace {

Value undefined_attribute(const Value& obj, std::string_view name) {
  UndefinedInfo info;
  info.name = std::string(name);
  info.owner = owner_name(obj);
  return Value::undefined(std::move(info));
}

Value undefined_element(const Value& obj, const Value& key) {
  UndefinedInfo info;
  info.name = repr(key);
  info.owner = owner_name(obj);
  info.key_is_index = true;
  return Value::undefined(std::move(info));
}

// The sandbox hides attributes starting with an underscore (Python internals).
Value unsafe_attribute(const Value& obj, std::string_view name) {
  UndefinedInfo info;
  info.name = std::string(name);
  info.hint = "access to attribute '" + std::string(name) + "' of '" + type_name(obj) + "' object is unsafe.";
  info.error_type = "SecurityError";
  return Value::undefined(std::move(info));
}

bool cmp(CmpOp op, const Value& a, const Value& b) {
  switch (op) {
    case CmpOp::Eq: return equal(a, b);
    case CmpOp::Ne: return !equal(a, b);
    case CmpOp::Lt: return compare(a, b, "<") < 0;
    case CmpOp::Le: return compare(a, b, "<=") <= 0;
    case CmpOp::Gt: return compare(a, b, ">") > 0;
    case CmpOp::Ge: return compare(a, b, ">=") >= 0;
    case CmpOp::In: return contains(b, a);
    case CmpOp::NotIn: return !contains(b, a);
  }
  return false;
}

}  // namespace

namespace {

// Builtins take time in proportion to their input (a 64 MB string's length, a sort): one step
// per 64 bytes of it. What they build is charged to the memory budget.
void charge_input(const Value& v) { Budget::steps(shallow_bytes(v) / 64); }

Value built(Value result) {
  Budget::bytes(shallow_bytes(result));
  return result;
}

// Python's slice object, for `x[a:b, c]`: the tuple key (slice(a, b, None), c) fits no list or
// dict, so Jinja2's getitem gives Undefined.
struct SliceObject : Object {
  std::string text;
  Value attr(std::string_view) const override { return Value(); }
  std::string type_name() const override { return "slice"; }
  std::string repr() const override { return text; }
};

}  // namespace

Evaluator::Evaluator(const Program& program, std::shared_ptr<Frame> globals, std::time_t now,
                     const RenderOptions& options)
    : budget_(options), program_(program), frame_(std::move(globals)), now_(now) {}

Evaluator::~Evaluator() {
  // Break the cycles; the values die when `dropped` does, after the loops.
  std::vector<Value> dropped;
  for (const auto& weak : closures_)
    if (auto frame = weak.lock()) {
      for (auto& [name, value] : frame->vars) dropped.push_back(std::move(value));
      frame->vars.clear();
    }
  for (const auto& weak : objects_)
    if (auto object = weak.lock()) object->release();
}

void Evaluator::track_closure(const std::shared_ptr<Frame>& frame) {
  if (closures_.empty() || closures_.back().lock() != frame) closures_.push_back(frame);
}

void Evaluator::track_object(const ObjectPtr& object) { objects_.push_back(object); }

Value Evaluator::lookup(const std::string& name) {
  for (Frame* f = frame_.get(); f; f = f->parent.get())
    if (Value* v = f->find_local(name)) return *v;
  Value global = find_global(name);
  if (!global.is_undefined()) return global;
  UndefinedInfo info;
  info.name = name;
  return Value::undefined(std::move(info));
}

Value Evaluator::get_attr(const Value& obj, std::string_view name) {
  if (obj.is_undefined()) obj.fail_undefined();
  if (!name.empty() && name[0] == '_') return unsafe_attribute(obj, name);
  switch (obj.kind()) {
    case Kind::Dict: {
      // Python's getattr finds dict methods (items, get, ...) before keys of the same name.
      Value method = method_attribute(obj, name);
      if (!method.is_undefined() || method.undefined_info()) return method;
      if (const Value* v = obj.as_dict()->find(name)) return *v;
      break;
    }
    case Kind::String:
    case Kind::List: {
      if (obj.kind() == Kind::List && obj.as_list()->is_group && (name == "grouper" || name == "list"))
        return obj.as_list()->items[name == "grouper" ? 0 : 1];
      Value method = method_attribute(obj, name);
      if (!method.is_undefined() || method.undefined_info()) return method;
      break;
    }
    case Kind::Object: return obj.as_object()->attr(name);
    default: break;
  }
  return undefined_attribute(obj, name);
}

Value Evaluator::get_item(const Value& obj, const Value& key) {
  if (obj.is_undefined()) obj.fail_undefined();
  switch (obj.kind()) {
    case Kind::Dict:
      if (const Value* v = obj.as_dict()->find(key)) return *v;
      break;
    case Kind::List: {
      const List& l = *obj.as_list();
      if (key.is_integer() && !l.is_generator) {
        int64_t i = key.as_int(), n = static_cast<int64_t>(l.items.size());
        if (i < 0) i += n;
        if (i >= 0 && i < n) return l.items[static_cast<size_t>(i)];
        return undefined_element(obj, key);
      }
      break;
    }
    case Kind::String:
      if (key.is_integer()) {
        auto cps = text::code_points(obj.as_string());
        int64_t i = key.as_int(), n = static_cast<int64_t>(cps.size());
        if (i < 0) i += n;
        if (i >= 0 && i < n) return Value::string_like(obj, text::from_code_points(&cps[i], &cps[i] + 1));
        return undefined_element(obj, key);
      }
      break;
    default: break;
  }
  // Jinja2: a failed subscript with a string key falls back to the attribute.
  if (key.is_string()) return get_attr(obj, key.as_string());
  return undefined_element(obj, key);
}

Value Evaluator::call(const Value& callee, CallArgs& args) {
  if (callee.kind() == Kind::Callable) return callee.as_callable()->call(*this, args);
  if (callee.kind() == Kind::Object) {   // `loop(children)` in a recursive loop
    Value call = callee.as_object()->attr("__call__");
    if (call.kind() == Kind::Callable) return call.as_callable()->call(*this, args);
  }
  if (callee.is_undefined()) callee.fail_undefined();
  throw_type_error("'" + type_name(callee) + "' object is not callable");
}

void Evaluator::eval_args(const Expr& e, size_t first, CallArgs& args) {
  args.positional.reserve(e.a.size() - first);
  for (size_t i = first; i < e.a.size(); ++i) args.positional.push_back(eval(*e.a[i]));
  for (const auto& [name, expr] : e.kwargs) {
    if (name == "*") {   // f(*items): the items join the positional arguments
      for (Value& item : iterate(eval(*expr))) args.positional.push_back(std::move(item));
    } else if (name == "**") {   // f(**mapping): its items join the keyword arguments
      Value mapping = eval(*expr);
      if (mapping.kind() != Kind::Dict)
        throw_type_error("argument after ** must be a mapping, not " + type_name(mapping));
      for (const auto& [key, value] : mapping.as_dict()->items) {
        if (!key.is_string()) throw_type_error("keywords must be strings");
        args.keyword.emplace_back(key.as_string(), value);
      }
    } else {
      args.keyword.emplace_back(name, eval(*expr));
    }
  }
}

Value Evaluator::eval_call(const Expr& e) {
  const Expr& callee = *e.a[0];
  if (callee.kind == ExprKind::GetAttr) {
    // obj.method(...): call str/list/dict methods directly, without a bound-method object.
    Value obj = eval(*callee.a[0]);
    CallArgs args;
    eval_args(e, 1, args);
    charge_input(obj);
    if (obj.kind() == Kind::String || obj.kind() == Kind::List || obj.kind() == Kind::Dict) {
      bool found = false;
      Value result = call_method(obj, callee.name, args, found);
      if (found) return result;
    }
    return call(get_attr(obj, callee.name), args);
  }
  Value fn = eval(callee);
  CallArgs args;
  eval_args(e, 1, args);
  return call(fn, args);
}

// Jinja2 compiles a template with an unknown filter or test, and raises when it runs.
static FilterFn filter_of(const Expr& e) {
  if (!e.filter) throw RenderError("TemplateSyntaxError", "No filter named '" + e.name + "'.");
  return e.filter;
}

static TestFn test_of(const Expr& e) {
  if (!e.test) throw RenderError("TemplateSyntaxError", "No test named '" + e.name + "'.");
  return e.test;
}

Value Evaluator::apply_filter_chain(const Expr* chain, Value input) {
  if (!chain) return input;
  filter_of(*chain);
  Value inner = chain->a[0] ? apply_filter_chain(chain->a[0].get(), std::move(input)) : std::move(input);
  CallArgs args;
  eval_args(*chain, 1, args);
  return chain->filter(*this, inner, args);
}


Value Evaluator::eval(const Expr& e) {
  Budget::steps(1);
  switch (e.kind) {
    case ExprKind::Literal: return e.value;
    case ExprKind::Name: return lookup(e.name);
    case ExprKind::GetAttr: return get_attr(eval(*e.a[0]), e.name);
    case ExprKind::GetItem: {
      Value obj = eval(*e.a[0]);
      return get_item(obj, eval(*e.a[1]));
    }
    case ExprKind::Slice: {
      auto part = [&](size_t i) { return e.a[i] ? eval(*e.a[i]) : Value::none(); };
      if (!e.a[0]) {   // a slice inside a tuple subscript
        auto slice = std::make_shared<SliceObject>();
        slice->text = "slice(" + repr(part(1)) + ", " + repr(part(2)) + ", " + repr(part(3)) + ")";
        return ObjectPtr(slice);
      }
      Value obj = eval(*e.a[0]);
      return slice(obj, part(1), part(2), part(3));
    }
    case ExprKind::Call: return built(eval_call(e));
    case ExprKind::Filter: {
      Value input = e.a[0] ? eval(*e.a[0]) : Value();
      CallArgs args;
      eval_args(e, 1, args);
      charge_input(input);
      return built(filter_of(e)(*this, input, args));
    }
    case ExprKind::Test: {
      Value input = eval(*e.a[0]);
      charge_input(input);
      CallArgs args;
      eval_args(e, 1, args);
      return test_of(e)(*this, input, args) != e.negated;
    }
    case ExprKind::Neg: return negate(eval(*e.a[0]));
    case ExprKind::Pos: {
      Value v = eval(*e.a[0]);
      if (v.is_undefined()) v.fail_undefined();
      if (!v.is_number()) throw_type_error("bad operand type for unary +: '" + type_name(v) + "'");
      return v.kind() == Kind::Bool ? Value(v.as_int()) : v;
    }
    case ExprKind::Not: return !truthy(eval(*e.a[0]));
    case ExprKind::And: {
      Value left = eval(*e.a[0]);
      return truthy(left) ? eval(*e.a[1]) : left;
    }
    case ExprKind::Or: {
      Value left = eval(*e.a[0]);
      return truthy(left) ? left : eval(*e.a[1]);
    }
    case ExprKind::Binary: {
      Value left = eval(*e.a[0]);
      return binary_op(e.op, left, eval(*e.a[1]));
    }
    case ExprKind::Compare: {
      Value left = eval(*e.a[0]);
      for (size_t i = 0; i < e.ops.size(); ++i) {
        Value right = eval(*e.a[i + 1]);
        if (!cmp(e.ops[i], left, right)) return false;
        left = std::move(right);
      }
      return true;
    }
    case ExprKind::Concat: {
      std::string s;
      for (const auto& part : e.a) append_str(s, eval(*part));
      Budget::bytes(static_cast<int64_t>(s.size()));
      return s;
    }
    case ExprKind::CondExpr: {
      if (truthy(eval(*e.a[0]))) return eval(*e.a[1]);
      if (e.a[2]) return eval(*e.a[2]);
      UndefinedInfo info;
      info.hint = "the inline if-expression on line " + std::to_string(e.line) +
                  " evaluated to false and no else section was defined.";
      return Value::undefined(std::move(info));
    }
    case ExprKind::ListLit:
    case ExprKind::TupleLit: {
      auto l = List::make();
      l->is_tuple = e.kind == ExprKind::TupleLit;
      l->items.reserve(e.a.size());
      for (const auto& item : e.a) l->items.push_back(eval(*item));
      return built(l);
    }
    case ExprKind::DictLit: {
      auto d = Dict::make();
      for (size_t i = 0; i + 1 < e.a.size(); i += 2) {
        Value key = eval(*e.a[i]);
        if (key.kind() == Kind::List && !key.as_list()->is_tuple)
          throw_type_error("unhashable type: 'list'");
        if (key.kind() == Kind::Dict) throw_type_error("unhashable type: 'dict'");
        d->set(std::move(key), eval(*e.a[i + 1]));
      }
      return d;
    }
  }
  return Value();
}

// ---- macros ---------------------------------------------------------------------------------

namespace {
struct Macro : Callable {
  const Stmt* def;
  std::shared_ptr<Frame> closure;
  std::string name;
  Macro(const Stmt* d, std::shared_ptr<Frame> c, std::string n) : def(d), closure(std::move(c)), name(std::move(n)) {}
  Value call(Evaluator& ev, CallArgs& args) const override { return ev.call_macro(*def, closure, args, name); }
  std::string repr() const override { return "<Macro '" + name + "'>"; }
};
}  // namespace

CallablePtr make_macro(const Stmt* def, std::shared_ptr<Frame> closure, std::string name) {
  return std::make_shared<Macro>(def, std::move(closure), std::move(name));
}

Value Evaluator::call_macro(const Stmt& def, const std::shared_ptr<Frame>& closure, CallArgs& args,
                            const std::string& name) {
  if (call_depth_ >= Budget::max_recursion_depth())
    throw RenderError("RecursionError", "maximum recursion depth exceeded (" +
                                            std::to_string(Budget::max_recursion_depth()) +
                                            " nested macro calls) in macro '" + name +
                                            "' (RenderOptions::max_recursion_depth)");
  auto frame = std::make_shared<Frame>();
  frame->parent = closure;
  std::swap(frame_, frame);   // frame_ = the macro's frame; `frame` = the caller's
  struct Restore {
    Evaluator& ev;
    std::shared_ptr<Frame>& saved;
    ~Restore() {
      std::swap(ev.frame_, saved);
      --ev.call_depth_;
    }
  } restore{*this, frame};
  ++call_depth_;

  const auto& params = def.params;
  for (size_t i = 0; i < params.size(); ++i) {
    const Value* given = i < args.positional.size() ? &args.positional[i] : nullptr;
    if (!given)
      for (const auto& [k, v] : args.keyword)
        if (k == params[i].name) given = &v;
    if (given) {
      frame_->set(params[i].name, *given);
    } else if (params[i].default_value) {
      frame_->set(params[i].name, eval(*params[i].default_value));
    } else {
      UndefinedInfo info;
      info.hint = "parameter '" + params[i].name + "' was not provided";
      info.name = params[i].name;
      frame_->set(params[i].name, Value::undefined(std::move(info)));
    }
  }
  auto varargs = List::make();
  varargs->is_tuple = true;
  for (size_t i = params.size(); i < args.positional.size(); ++i) varargs->items.push_back(args.positional[i]);
  auto kwargs = Dict::make();
  for (const auto& [k, v] : args.keyword) {
    if (k == "caller") {
      frame_->set("caller", v);
      continue;
    }
    bool is_param = false;
    for (const auto& p : params) is_param = is_param || p.name == k;
    if (!is_param) kwargs->set(Value(k), v);
  }
  frame_->set("varargs", Value(varargs));
  frame_->set("kwargs", Value(kwargs));

  std::string output;
  std::string* saved_out = out_;
  out_ = &output;
  try {
    exec(def.body);
  } catch (...) {
    out_ = saved_out;
    throw;
  }
  out_ = saved_out;
  return output;
}

}  // namespace hf::templates
