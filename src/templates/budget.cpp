#include "templates/budget.h"

#include "templates/errors.h"
#include "templates/value.h"

namespace hf::templates {

namespace {
thread_local Budget* current = nullptr;
}  // namespace

thread_local int ValueDepth::depth_ = 0;

Budget::Budget(const RenderOptions& options) : limits_(options), previous_(current) { current = this; }

Budget::~Budget() { current = previous_; }

void Budget::steps(int64_t n) {
  Budget* b = current;
  if (!b) return;
  b->steps_ += n;
  if (b->steps_ > b->limits_.max_steps)
    throw RenderError("SandboxError", "work budget exceeded: more than " + std::to_string(b->limits_.max_steps) +
                                          " steps (RenderOptions::max_steps); the template does not finish");
}

void Budget::bytes(int64_t n) {
  Budget* b = current;
  if (!b) return;
  if (n > b->limits_.max_memory_bytes - b->bytes_)
    throw RenderError("MemoryError", "memory budget exceeded: the template builds more than " +
                                         std::to_string(b->limits_.max_memory_bytes) +
                                         " bytes of strings and lists (RenderOptions::max_memory_bytes)");
  b->bytes_ += n;
}

void Budget::bytes(int64_t count, int64_t each) {
  int64_t total;
  if (count < 0 || each < 0) return;
  if (__builtin_mul_overflow(count, each, &total)) total = INT64_MAX;
  bytes(total);
}

int Budget::max_recursion_depth() { return current ? current->limits_.max_recursion_depth : RenderOptions{}.max_recursion_depth; }

int64_t Budget::max_output_bytes() { return current ? current->limits_.max_output_bytes : RenderOptions{}.max_output_bytes; }

ValueDepth::ValueDepth(const char* while_doing) {
  if (++depth_ > kLimit) {
    --depth_;
    throw RenderError("RecursionError", std::string("maximum recursion depth exceeded ") + while_doing);
  }
}

int64_t shallow_bytes(const Value& v) {
  switch (v.kind()) {
    case Kind::String: return static_cast<int64_t>(v.as_string().size());
    case Kind::List: {
      const auto& items = v.as_list()->items;
      int64_t n = static_cast<int64_t>(items.size() * sizeof(Value));
      for (const auto& item : items)
        if (item.is_string()) n += static_cast<int64_t>(item.as_string().size());
      return n;
    }
    case Kind::Dict: {
      const auto& items = v.as_dict()->items;
      int64_t n = static_cast<int64_t>(items.size() * 2 * sizeof(Value));
      for (const auto& [k, item] : items)
        if (item.is_string()) n += static_cast<int64_t>(item.as_string().size());
      return n;
    }
    default: return 0;
  }
}

}  // namespace hf::templates
