#pragma once
// A render's budgets: work (steps), memory of the strings and lists it builds, recursion depth
// and output size. A hostile template (2**90 macro calls, 'a'.ljust(10**12), a string doubled in
// a loop) fails with a RenderError naming the exceeded budget instead of hanging or exhausting
// the machine. The defaults (RenderOptions) are far above what any real chat template needs.
//
// The budget of the render running on this thread is installed as a thread-local, so that value
// helpers far from the evaluator (operators, formatting, methods) can charge it without every
// signature carrying it. Without an installed budget (unit tests of a helper) charging is free.
#include <cstdint>
#include <string>

#include "hf/chat_template.h"

namespace hf::templates {

class Budget {
 public:
  explicit Budget(const RenderOptions& options);   // installs itself for this thread
  ~Budget();                                        // restores the previous one
  Budget(const Budget&) = delete;
  Budget& operator=(const Budget&) = delete;

  // Work: one step per expression, statement, loop iteration or item a builtin visits.
  static void steps(int64_t n);
  // Memory: `bytes` about to be built. Throws before allocating when it would exceed the budget.
  static void bytes(int64_t n);
  // bytes(count * each), with the product checked (count and each come from the template).
  static void bytes(int64_t count, int64_t each);
  static int max_recursion_depth();
  static int64_t max_output_bytes();

 private:
  RenderOptions limits_;
  int64_t steps_ = 0, bytes_ = 0;
  Budget* previous_;
};

// Nesting guard for the functions that recurse into values (repr, ==, <, tojson, ...): Python
// raises RecursionError past its recursion limit; so do we, long before the stack runs out.
class ValueDepth {
 public:
  explicit ValueDepth(const char* while_doing);
  ~ValueDepth() { --depth_; }
  ValueDepth(const ValueDepth&) = delete;
  ValueDepth& operator=(const ValueDepth&) = delete;
  static constexpr int kLimit = 1000;   // CPython's default recursion limit

 private:
  static thread_local int depth_;
};

// Approximate bytes a value holds directly: a string's bytes, a list's slots plus the bytes of
// its strings (one level: nested containers are shared, not copied).
int64_t shallow_bytes(const class Value& v);

}  // namespace hf::templates
