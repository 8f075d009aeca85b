#pragma once
// Running a Graph: a position in the output is a set of stacks (the automaton is nondeterministic
// where a schema is ambiguous, e.g. anyOf branches that start alike). Stacks are interned as
// (node, parent) pairs, so a state is a small sorted vector of ids and every per-stack result
// (one byte's successors, acceptance, closing length) is computed once and memoized.
// Not thread-safe: the owner (TokenMasks) locks.
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "generation/constrained/graph.h"

namespace hf::constrained {

using State = std::vector<uint32_t>;  // sorted, unique stack ids; empty = dead

class Engine {
 public:
  explicit Engine(const Graph& graph);
  State initial();
  // The stacks `state` reaches by byte `b` (only those that can still complete).
  void step(const State& state, uint8_t b, State& out);
  // Memoized successors of one stack.
  const std::vector<uint32_t>& step_stack(uint32_t stack, uint8_t b);
  bool accepting(const State& state);
  // Shortest number of bytes that completes the output from `state` (kUnreachable: none).
  int64_t closing(const State& state);
  size_t stack_count() const { return stacks_.size(); }

  // Nesting beyond this many open rules is refused (bounds left recursion and hostile depth).
  static constexpr int kMaxDepth = 128;

 private:
  struct Stack {
    uint32_t node, parent;  // parent: the stack to continue with when node's rule returns
    int depth;
  };
  uint32_t intern(uint32_t node, uint32_t parent);
  int64_t stack_closing(uint32_t stack);
  bool stack_accepting(uint32_t stack);
  // Stacks reachable without reading a byte (eps, calls, returns); sets `accept` when the root
  // rule can end.
  void closure(uint32_t stack, std::vector<uint32_t>& ready, bool& accept);

  const Graph& g_;
  std::vector<Stack> stacks_;
  std::unordered_map<uint64_t, uint32_t> ids_;
  std::vector<int64_t> closing_;    // per stack; -1 = not computed
  std::vector<int8_t> accepting_;   // per stack; -1 = not computed
  std::unordered_map<uint64_t, std::vector<uint32_t>> steps_;
  std::vector<uint32_t> ready_, work_;
};

}  // namespace hf::constrained
