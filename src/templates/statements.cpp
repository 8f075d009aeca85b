// Statement execution: text, print, if, for (with Jinja2's `loop` variable), set, macro, call,
// filter and with blocks. Errors get the line of the innermost statement that raised them.
#include "templates/errors.h"
#include "templates/evaluator.h"
#include "templates/text.h"

namespace hf::templates {

namespace {

// Jinja2's LoopContext for one iteration; the evaluator updates `index0` as the loop advances.
struct LoopObject : Object, std::enable_shared_from_this<LoopObject> {
  std::shared_ptr<const std::vector<Value>> items;
  size_t index0 = 0;
  int depth = 1;                          // nesting of recursive loop(...) calls
  CallablePtr recurse;                    // loop(...) of a `recursive` loop, else null
  mutable std::vector<Value> last_changed;   // loop.changed(): the values it saw last
  mutable bool changed_called = false;

  // loop(children): renders the loop body over `children`, one level deeper.
  struct Recurse : Callable {
    const Stmt* stmt;
    std::shared_ptr<Frame> outer;
    int depth;
    Recurse(const Stmt* s, std::shared_ptr<Frame> o, int d) : stmt(s), outer(std::move(o)), depth(d) {}
    Value call(Evaluator& ev, CallArgs& args) const override {
      if (args.positional.size() != 1 || !args.keyword.empty())
        throw_type_error("loop() takes exactly one argument (the items of the next level)");
      return ev.call_loop(*stmt, args.positional[0], outer, depth + 1);
    }
    std::string repr() const override { return "<recursive loop>"; }
  };

  struct Changed : Callable {
    std::shared_ptr<const LoopObject> loop;
    explicit Changed(std::shared_ptr<const LoopObject> l) : loop(std::move(l)) {}
    Value call(Evaluator&, CallArgs& args) const override {
      bool same = loop->changed_called && loop->last_changed.size() == args.positional.size();
      for (size_t i = 0; same && i < args.positional.size(); ++i)
        same = equal(loop->last_changed[i], args.positional[i]);
      loop->changed_called = true;
      loop->last_changed = args.positional;
      return !same;
    }
    std::string repr() const override { return "<bound method LoopContext.changed>"; }
  };

  struct Cycle : Callable {
    std::shared_ptr<const LoopObject> loop;   // shared: `loop.cycle` may be stored past the loop
    explicit Cycle(std::shared_ptr<const LoopObject> l) : loop(std::move(l)) {}
    Value call(Evaluator&, CallArgs& args) const override {
      if (args.positional.empty()) throw_type_error("no items for cycling given");
      return args.positional[loop->index0 % args.positional.size()];
    }
    std::string repr() const override { return "<bound method LoopContext.cycle>"; }
  };

  Value attr(std::string_view name) const override {
    size_t n = items->size();
    if (name == "index0") return index0;
    if (name == "index") return index0 + 1;
    if (name == "revindex") return n - index0;
    if (name == "revindex0") return n - index0 - 1;
    if (name == "first") return index0 == 0;
    if (name == "last") return index0 + 1 == n;
    if (name == "length") return n;
    if (name == "depth") return depth;
    if (name == "depth0") return depth - 1;
    if (name == "changed") return CallablePtr(std::make_shared<Changed>(shared_from_this()));
    if (name == "__call__") {   // internal (templates cannot name it): `loop(...)`
      if (recurse) return recurse;
      throw_type_error("Tried to call non recursive loop. Maybe you forgot the 'recursive' modifier.");
    }
    if (name == "previtem") {
      if (index0 > 0) return (*items)[index0 - 1];
      UndefinedInfo info;
      info.hint = "there is no previous item";
      return Value::undefined(info);
    }
    if (name == "nextitem") {
      if (index0 + 1 < n) return (*items)[index0 + 1];
      UndefinedInfo info;
      info.hint = "there is no next item";
      return Value::undefined(info);
    }
    if (name == "cycle") return CallablePtr(std::make_shared<Cycle>(shared_from_this()));
    UndefinedInfo info;
    info.name = std::string(name);
    info.owner = "LoopContext";
    return Value::undefined(info);
  }
  std::string type_name() const override { return "LoopContext"; }
  std::string repr() const override {
    return "<LoopContext " + std::to_string(index0 + 1) + "/" + std::to_string(items->size()) + ">";
  }
};

}  // namespace

std::string Evaluator::render() {
  std::string output;
  out_ = &output;
  exec(program_.body);
  return output;
}

void Evaluator::check_output() {
  int64_t limit = Budget::max_output_bytes();
  if (static_cast<int64_t>(out_->size()) > limit)
    throw RenderError("SandboxError", "output budget exceeded: the output exceeds " + std::to_string(limit) +
                                          " bytes (RenderOptions::max_output_bytes)");
}

void Evaluator::emit(const Value& v) {
  append_str(*out_, v);
  check_output();
}

Evaluator::Flow Evaluator::exec(const Body& body) {
  for (const auto& s : body) {
    Flow flow = exec(*s);
    if (flow != Flow::Normal) return flow;
  }
  return Flow::Normal;
}

std::string Evaluator::capture(const Body& body, std::shared_ptr<Frame> frame) {
  std::string output;
  std::string* saved_out = out_;
  std::shared_ptr<Frame> saved_frame = frame_;
  out_ = &output;
  frame_ = std::move(frame);
  try {
    exec(body);
  } catch (...) {
    out_ = saved_out;
    frame_ = saved_frame;
    throw;
  }
  out_ = saved_out;
  frame_ = saved_frame;
  return output;
}

void Evaluator::assign(const Target& target, const Value& value) {
  auto assign_one = [&](size_t i, const Value& v) {
    const std::string& attribute = target.attributes[i];
    if (attribute.empty()) {
      frame_->set(target.names[i], v);
      return;
    }
    Value obj = lookup(target.names[i]);
    if (obj.kind() != Kind::Object || !obj.as_object()->set_attr(attribute, v))
      throw RenderError("TemplateRuntimeError", "cannot assign attribute on non-namespace object");
  };
  if (!target.is_tuple) {
    assign_one(0, value);
    return;
  }
  std::vector<Value> items = iterate(value);
  size_t want = target.names.size();
  if (items.size() < want)
    throw_value_error("not enough values to unpack (expected " + std::to_string(want) + ", got " +
                      std::to_string(items.size()) + ")");
  if (items.size() > want)
    throw_value_error("too many values to unpack (expected " + std::to_string(want) + ")");
  for (size_t i = 0; i < want; ++i) assign_one(i, items[i]);
}

Evaluator::Flow Evaluator::exec_for(const Stmt& s) {
  run_loop(s, eval(*s.expr), frame_, 1);
  return Flow::Normal;
}

Value Evaluator::call_loop(const Stmt& s, const Value& iterable, const std::shared_ptr<Frame>& outer, int depth) {
  if (call_depth_ >= Budget::max_recursion_depth())
    throw RenderError("RecursionError", "maximum recursion depth exceeded (" +
                                            std::to_string(Budget::max_recursion_depth()) +
                                            " nested loop() calls) (RenderOptions::max_recursion_depth)");
  std::string output;
  std::string* saved_out = out_;
  out_ = &output;
  ++call_depth_;
  try {
    run_loop(s, iterable, outer, depth);
  } catch (...) {
    out_ = saved_out;
    --call_depth_;
    throw;
  }
  out_ = saved_out;
  --call_depth_;
  return output;
}

// The frame around the loop (`outer`) is the parent of each level's frame, and what loop(...)
// recurses from. It is a copy: exec_for passes frame_, and a reference to frame_ would see the
// loop's own frame after `frame_ = loop_frame`; loop(...) then held the frame that holds `loop`,
// a reference cycle that leaked every recursive loop (and let a level see its caller's variables).
void Evaluator::run_loop(const Stmt& s, const Value& iterable, std::shared_ptr<Frame> outer, int depth) {
  std::vector<Value> all = iterate(iterable);
  auto loop_frame = std::make_shared<Frame>();
  loop_frame->parent = outer;
  std::shared_ptr<Frame> saved = frame_;
  frame_ = loop_frame;
  struct Restore {
    std::shared_ptr<Frame>& slot;
    std::shared_ptr<Frame> saved;
    ~Restore() { slot = saved; }
  } restore{frame_, saved};

  // `for x in xs if cond`: the filter runs first, so loop.index/length count kept items only.
  if (s.condition) {
    std::vector<Value> kept;
    for (auto& item : all) {
      count_iterations(1);
      loop_frame->vars.clear();
      assign(s.target, item);
      if (truthy(eval(*s.condition))) kept.push_back(std::move(item));
    }
    all = std::move(kept);
  }
  auto items = std::make_shared<const std::vector<Value>>(std::move(all));
  auto loop = std::make_shared<LoopObject>();
  loop->items = items;
  loop->depth = depth;
  if (s.recursive) loop->recurse = std::make_shared<LoopObject::Recurse>(&s, outer, depth);
  Value loop_value{ObjectPtr(loop)};
  for (size_t i = 0; i < items->size(); ++i) {
    count_iterations(1);
    loop_frame->vars.clear();
    loop->index0 = i;
    assign(s.target, (*items)[i]);
    loop_frame->set("loop", loop_value);
    if (exec(s.body) == Flow::Break) break;
  }
  if (items->empty()) {
    loop_frame->vars.clear();
    exec(s.else_body);
  }
}

void Evaluator::exec_call_block(const Stmt& s) {
  const Expr& call_expr = *s.expr;
  Value callee = eval(*call_expr.a[0]);
  CallArgs args;
  eval_args(call_expr, 1, args);
  track_closure(frame_);
  args.keyword.emplace_back("caller", Value(make_macro(&s, frame_, "caller")));
  emit(call(callee, args));
}

Evaluator::Flow Evaluator::exec(const Stmt& s) {
  try {
    Budget::steps(1);
    switch (s.kind) {
      case StmtKind::Text:
        out_->append(s.text);
        check_output();
        return Flow::Normal;
      case StmtKind::Print: emit(eval(*s.expr)); return Flow::Normal;
      case StmtKind::If:
        for (const auto& [test, body] : s.branches)
          if (truthy(eval(*test))) return exec(body);
        return exec(s.else_body);
      case StmtKind::For: return exec_for(s);
      case StmtKind::Set: assign(s.target, eval(*s.expr)); return Flow::Normal;
      case StmtKind::SetBlock: {
        auto frame = std::make_shared<Frame>();
        frame->parent = frame_;
        assign(s.target, apply_filter_chain(s.expr.get(), Value(capture(s.body, frame))));
        return Flow::Normal;
      }
      case StmtKind::Macro:
        track_closure(frame_);
        frame_->set(s.text, Value(make_macro(&s, frame_, s.text)));
        return Flow::Normal;
      case StmtKind::CallBlock: exec_call_block(s); return Flow::Normal;
      case StmtKind::FilterBlock: {
        auto frame = std::make_shared<Frame>();
        frame->parent = frame_;
        emit(apply_filter_chain(s.expr.get(), Value(capture(s.body, frame))));
        return Flow::Normal;
      }
      case StmtKind::With: {
        auto frame = std::make_shared<Frame>();
        frame->parent = frame_;
        for (const auto& [target, expr] : s.assignments) {
          Value v = eval(*expr);
          std::swap(frame_, frame);
          assign(target, v);
          std::swap(frame_, frame);
        }
        out_->append(capture(s.body, frame));
        check_output();
        return Flow::Normal;
      }
      case StmtKind::Scope: {
        auto frame = std::make_shared<Frame>();
        frame->parent = frame_;
        out_->append(capture(s.body, frame));
        check_output();
        return Flow::Normal;
      }
      case StmtKind::Break: return Flow::Break;
      case StmtKind::Continue: return Flow::Continue;
    }
  } catch (const RenderError& e) {
    if (e.line() > 0) throw;
    throw RenderError(e.type(), e.detail(), s.line);
  }
  return Flow::Normal;
}

}  // namespace hf::templates
