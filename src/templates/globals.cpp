// Global functions: Jinja2's range, dict, namespace, cycler, joiner, and transformers'
// raise_exception and strftime_now.
#include <array>
#include <ctime>

#include "templates/args.h"
#include "templates/builtins.h"
#include "templates/evaluator.h"

namespace hf::templates {

namespace {

constexpr int64_t kMaxRange = 100000;   // jinja2.sandbox.MAX_RANGE

// namespace(): the one mutable object templates have (`{% set ns.found = true %}`).
struct Namespace : Object {
  Dict attrs;
  Value attr(std::string_view name) const override {
    if (const Value* v = attrs.find(name)) return *v;
    UndefinedInfo info;
    info.name = std::string(name);
    info.owner = "Namespace";
    return Value::undefined(std::move(info));
  }
  bool set_attr(const std::string& name, Value value) override {
    attrs.set(Value(name), std::move(value));
    return true;
  }
  void release() override { attrs.items.clear(); }
  std::string type_name() const override { return "Namespace"; }
  std::string repr() const override {
    std::string out = "<Namespace ";
    Value d{std::make_shared<Dict>(attrs)};
    return out + hf::templates::repr(d) + ">";
  }
};

struct Cycler : Object, std::enable_shared_from_this<Cycler> {
  std::vector<Value> items;
  size_t pos = 0;
  struct Method : Callable {
    std::shared_ptr<Cycler> owner;   // shared: `ns.next = cycler(1, 2).next` outlives the expression
    bool is_next;
    Method(std::shared_ptr<Cycler> o, bool n) : owner(std::move(o)), is_next(n) {}
    Value call(Evaluator&, CallArgs&) const override {
      if (!is_next) {
        owner->pos = 0;
        return Value::none();
      }
      Value v = owner->items[owner->pos];
      owner->pos = (owner->pos + 1) % owner->items.size();
      return v;
    }
    std::string repr() const override { return "<bound method Cycler>"; }
  };
  Value attr(std::string_view name) const override {
    auto self = std::const_pointer_cast<Cycler>(shared_from_this());
    if (name == "current") return items[pos];
    if (name == "next") return CallablePtr(std::make_shared<Method>(self, true));
    if (name == "reset") return CallablePtr(std::make_shared<Method>(self, false));
    return Value();
  }
  void release() override { items.assign(1, Value::none()), pos = 0; }
  std::string type_name() const override { return "Cycler"; }
};

using Fn = Value (*)(Evaluator&, CallArgs&);

struct Builtin : Callable {
  const char* name;
  Fn fn;
  Builtin(const char* n, Fn f) : name(n), fn(f) {}
  Value call(Evaluator& ev, CallArgs& args) const override { return fn(ev, args); }
  std::string repr() const override { return std::string("<built-in function ") + name + ">"; }
};

Value g_range(Evaluator& ev, CallArgs& a) {
  if (a.positional.empty() || a.positional.size() > 3) throw_type_error("range expected 1 to 3 arguments");
  for (const auto& v : a.positional)
    if (!v.is_integer()) throw_type_error("'" + type_name(v) + "' object cannot be interpreted as an integer");
  int64_t start = 0, stop, step = 1;
  if (a.positional.size() == 1) stop = a.positional[0].as_int();
  else {
    start = a.positional[0].as_int();
    stop = a.positional[1].as_int();
    if (a.positional.size() == 3) step = a.positional[2].as_int();
  }
  if (step == 0) throw_value_error("range() arg 3 must not be zero");
  // Python's range length, in 128 bits: stop - start overflows 64 bits for range(-2**63, 2**63-1).
  __int128 span = step > 0 ? static_cast<__int128>(stop) - start : static_cast<__int128>(start) - stop;
  __int128 stride = step > 0 ? static_cast<__int128>(step) : -static_cast<__int128>(step);
  __int128 n = span > 0 ? (span + stride - 1) / stride : 0;
  if (n > kMaxRange)
    throw RenderError("OverflowError", "Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).");
  ev.count_iterations(static_cast<size_t>(n));
  auto l = List::make();
  l->items.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) l->items.emplace_back(start + i * step);
  return l;
}

Value g_dict(Evaluator&, CallArgs& a) {
  auto d = Dict::make();
  if (!a.positional.empty() && a.positional[0].kind() == Kind::Dict) *d = *a.positional[0].as_dict();
  for (const auto& [k, v] : a.keyword) d->set(Value(k), v);
  return d;
}

Value g_namespace(Evaluator& ev, CallArgs& a) {
  auto ns = std::make_shared<Namespace>();
  ev.track_object(ns);
  if (!a.positional.empty() && a.positional[0].kind() == Kind::Dict) ns->attrs = *a.positional[0].as_dict();
  for (const auto& [k, v] : a.keyword) ns->attrs.set(Value(k), v);
  return ObjectPtr(ns);
}

Value g_cycler(Evaluator& ev, CallArgs& a) {
  if (a.positional.empty()) throw_type_error("cycler needs at least one item");
  auto c = std::make_shared<Cycler>();
  ev.track_object(c);
  c->items = a.positional;
  return ObjectPtr(c);
}

struct Joiner : Callable {
  std::string sep;
  mutable bool used = false;
  explicit Joiner(std::string s) : sep(std::move(s)) {}
  Value call(Evaluator&, CallArgs&) const override {
    if (!used) {
      used = true;
      return "";
    }
    return sep;
  }
  std::string repr() const override { return "<Joiner>"; }
};

Value g_joiner(Evaluator&, CallArgs& a) {
  return CallablePtr(std::make_shared<Joiner>(str_arg(a, 0, "sep", ", ")));
}

// transformers: raise_exception(message) raises TemplateError(message) — the text is the template's.
Value g_raise_exception(Evaluator&, CallArgs& a) {
  throw TemplateError(str_arg(a, 0, "message", ""));
}

// transformers: strftime_now(format) = datetime.now().strftime(format), local time.
Value g_strftime_now(Evaluator& ev, CallArgs& a) {
  std::string format = str_arg(a, 0, "format", "");
  std::time_t now = ev.now();
  std::tm local{};
  localtime_r(&now, &local);
  std::string out(256 + format.size() * 8, '\0');
  size_t n = std::strftime(out.data(), out.size(), format.c_str(), &local);
  out.resize(n);
  return out;
}

const std::array<std::pair<std::string_view, CallablePtr>, 7>& globals() {
  static const std::array<std::pair<std::string_view, CallablePtr>, 7> table = {{
      {"range", std::make_shared<Builtin>("range", g_range)},
      {"dict", std::make_shared<Builtin>("dict", g_dict)},
      {"namespace", std::make_shared<Builtin>("namespace", g_namespace)},
      {"cycler", std::make_shared<Builtin>("cycler", g_cycler)},
      {"joiner", std::make_shared<Builtin>("joiner", g_joiner)},
      {"raise_exception", std::make_shared<Builtin>("raise_exception", g_raise_exception)},
      {"strftime_now", std::make_shared<Builtin>("strftime_now", g_strftime_now)},
  }};
  return table;
}

}  // namespace

Value find_global(std::string_view name) {
  for (const auto& [n, fn] : globals())
    if (n == name) return fn;
  return Value();
}

}  // namespace hf::templates
