#pragma once
// Renders a compiled Program: one Evaluator per render call (the Program is shared and const).
// Expressions follow Python semantics (operators.h), statements follow Jinja2's scoping: a for
// loop, macro call or with block opens a frame; `set` writes to the innermost frame.
#include <ctime>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hf/chat_template.h"
#include "templates/ast.h"
#include "templates/budget.h"
#include "templates/value.h"

namespace hf::templates {

struct Frame {
  std::vector<std::pair<std::string, Value>> vars;
  std::shared_ptr<Frame> parent;

  Value* find_local(std::string_view name) {
    for (auto& [k, v] : vars)
      if (k == name) return &v;
    return nullptr;
  }
  void set(const std::string& name, Value value) {
    if (Value* v = find_local(name)) *v = std::move(value);
    else vars.emplace_back(name, std::move(value));
  }
};

class Evaluator {
 public:
  // The budgets of `options` hold for this thread while the evaluator lives (budget.h).
  Evaluator(const Program& program, std::shared_ptr<Frame> globals, std::time_t now,
            const RenderOptions& options = {});
  ~Evaluator();
  Evaluator(const Evaluator&) = delete;
  Evaluator& operator=(const Evaluator&) = delete;

  std::string render();

  Value eval(const Expr& e);
  Value call(const Value& callee, CallArgs& args);
  Value get_attr(const Value& obj, std::string_view name);
  Value get_item(const Value& obj, const Value& key);
  std::time_t now() const { return now_; }
  void count_iterations(size_t n) { Budget::steps(static_cast<int64_t>(n)); }
  // Frames that macros close over and namespaces may form reference cycles (a macro stored in
  // the frame it closes over, a namespace holding itself); the evaluator breaks them at the end.
  void track_closure(const std::shared_ptr<Frame>& frame);
  void track_object(const ObjectPtr& object);

  // Called by macro values (see evaluator.cpp).
  Value call_macro(const Stmt& def, const std::shared_ptr<Frame>& closure, CallArgs& args,
                   const std::string& name);
  // `loop(items)` in a recursive for loop: the loop's output over `items` at `depth`.
  Value call_loop(const Stmt& s, const Value& iterable, const std::shared_ptr<Frame>& outer, int depth);

 private:
  enum class Flow { Normal, Break, Continue };
  Flow exec(const Body& body);
  Flow exec(const Stmt& s);
  Flow exec_for(const Stmt& s);
  // `outer` by value: the caller may pass frame_ itself, which run_loop replaces by the loop's frame.
  void run_loop(const Stmt& s, const Value& iterable, std::shared_ptr<Frame> outer, int depth);
  void exec_call_block(const Stmt& s);
  void assign(const Target& target, const Value& value);
  std::string capture(const Body& body, std::shared_ptr<Frame> frame);
  Value apply_filter_chain(const Expr* chain, Value input);
  Value lookup(const std::string& name);
  Value eval_call(const Expr& e);
  void eval_args(const Expr& e, size_t first, CallArgs& args);
  void emit(const Value& v);
  void check_output();

  Budget budget_;   // first: installed before, and removed after, everything below
  const Program& program_;
  std::shared_ptr<Frame> frame_;
  std::string* out_ = nullptr;
  std::time_t now_;
  int call_depth_ = 0;
  std::vector<std::weak_ptr<Frame>> closures_;
  std::vector<std::weak_ptr<Object>> objects_;
};

// A macro value: calling it renders `def`'s body in a frame whose parent is `closure`.
CallablePtr make_macro(const Stmt* def, std::shared_ptr<Frame> closure, std::string name);

}  // namespace hf::templates
