// Stack interning, closure and memoized byte steps of a Graph.
#include "generation/constrained/runtime.h"

#include <algorithm>

namespace hf::constrained {

Engine::Engine(const Graph& graph) : g_(graph) {}

uint32_t Engine::intern(uint32_t node, uint32_t parent) {
  const uint64_t key = (uint64_t(node) << 32) | parent;
  auto [it, inserted] = ids_.try_emplace(key, static_cast<uint32_t>(stacks_.size()));
  if (inserted) {
    stacks_.push_back({node, parent, parent == kNone ? 0 : stacks_[parent].depth + 1});
    closing_.push_back(-1);
    accepting_.push_back(-1);
  }
  return it->second;
}

State Engine::initial() {
  // The root rule runs on an empty stack: its final nodes end the output.
  return {intern(g_.rule_start[g_.root], kNone)};
}

void Engine::closure(uint32_t s, std::vector<uint32_t>& ready, bool& accept) {
  work_.clear();
  std::vector<uint32_t> seen{s};
  work_.push_back(s);
  auto visit = [&](uint32_t x) {
    if (std::find(seen.begin(), seen.end(), x) == seen.end()) {
      seen.push_back(x);
      work_.push_back(x);
    }
  };
  while (!work_.empty()) {
    uint32_t x = work_.back();
    work_.pop_back();
    const Stack st = stacks_[x];
    const Graph::Node& node = g_.nodes[st.node];
    if (!node.bytes.empty()) ready.push_back(x);
    for (uint32_t e : node.eps) visit(intern(e, st.parent));
    if (st.depth < kMaxDepth)
      for (const auto& c : node.calls) {
        uint32_t ret = intern(c.to, st.parent);
        visit(intern(g_.rule_start[c.rule], ret));
      }
    if (node.final) {
      if (st.parent == kNone) accept = true;
      else visit(st.parent);
    }
  }
}

const std::vector<uint32_t>& Engine::step_stack(uint32_t s, uint8_t b) {
  const uint64_t key = (uint64_t(s) << 8) | b;
  if (auto it = steps_.find(key); it != steps_.end()) return it->second;
  ready_.clear();
  bool accept = false;
  closure(s, ready_, accept);
  std::vector<uint32_t> out;
  for (uint32_t x : ready_) {  // intern() and stack_closing() below leave ready_ alone
    const Stack st = stacks_[x];
    for (const auto& e : g_.nodes[st.node].bytes)
      if (e.lo <= b && b <= e.hi) {
        uint32_t next = intern(e.to, st.parent);
        if (stack_closing(next) < kUnreachable) out.push_back(next);
      }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return steps_.emplace(key, std::move(out)).first->second;
}

void Engine::step(const State& state, uint8_t b, State& out) {
  out.clear();
  if (state.size() == 1) {
    const auto& next = step_stack(state[0], b);
    out.assign(next.begin(), next.end());
    return;
  }
  for (uint32_t s : state) {
    const auto& next = step_stack(s, b);
    out.insert(out.end(), next.begin(), next.end());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
}

bool Engine::stack_accepting(uint32_t s) {
  if (accepting_[s] < 0) {
    ready_.clear();
    bool accept = false;
    closure(s, ready_, accept);
    accepting_[s] = accept;
  }
  return accepting_[s] == 1;
}

bool Engine::accepting(const State& state) {
  for (uint32_t s : state)
    if (stack_accepting(s)) return true;
  return false;
}

int64_t Engine::stack_closing(uint32_t s) {
  if (closing_[s] < 0) {
    // Iterative over the parents: stacks can be deep.
    std::vector<uint32_t> chain;
    for (uint32_t x = s; x != kNone && closing_[x] < 0; x = stacks_[x].parent) chain.push_back(x);
    for (size_t i = chain.size(); i-- > 0;) {
      uint32_t x = chain[i];
      uint32_t p = stacks_[x].parent;
      int64_t rest = p == kNone ? 0 : closing_[p];
      closing_[x] = std::min(kUnreachable, g_.to_final[stacks_[x].node] + rest);
    }
  }
  return closing_[s];
}

int64_t Engine::closing(const State& state) {
  int64_t best = kUnreachable;
  for (uint32_t s : state) best = std::min(best, stack_closing(s));
  return best;
}

}  // namespace hf::constrained
