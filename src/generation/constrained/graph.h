#pragma once
// The compiled form of a constraint: a byte-level recursive transition network (one small NFA per
// rule; an edge may call another rule, which returns to the edge's target when it reaches a final
// node). Rules call each other, so JSON nesting and recursive $refs need a stack at run time
// (runtime.h); everything else is plain NFA edges. Built with `Builder` (Thompson fragments).
#include <cstdint>
#include <functional>
#include <string_view>
#include <utility>
#include <vector>

namespace hf::constrained {

constexpr uint32_t kNone = UINT32_MAX;
// "No finite completion": larger than any real length, small enough to add without overflow.
constexpr int64_t kUnreachable = INT64_MAX / 4;

struct Graph {
  struct ByteEdge {
    uint8_t lo, hi;  // inclusive byte range
    uint32_t to;
  };
  struct CallEdge {
    uint32_t rule, to;  // run `rule` from its start, then continue at `to`
  };
  struct Node {
    std::vector<ByteEdge> bytes;
    std::vector<CallEdge> calls;
    std::vector<uint32_t> eps;
    bool final = false;  // the node's rule may return (or, for the root rule, the output may end)
  };
  std::vector<Node> nodes;
  std::vector<uint32_t> rule_start;
  uint32_t root = 0;  // the root rule
  // Shortest number of bytes from a node to a final node of its rule (calls included), and the
  // shortest complete text of each rule: what the budget steering needs.
  std::vector<int64_t> to_final;
  std::vector<int64_t> rule_min;
};

// A Thompson fragment: enter at `in`, leave from `out`.
struct Frag {
  uint32_t in, out;
};

using CodepointRanges = std::vector<std::pair<char32_t, char32_t>>;

class Builder {
 public:
  uint32_t node();
  Frag empty();
  Frag byte_range(uint8_t lo, uint8_t hi);
  Frag literal(std::string_view bytes);
  // Any one code point of `ranges` (inclusive), as UTF-8 bytes; surrogates are never included.
  Frag codepoints(const CodepointRanges& ranges);
  Frag seq(Frag a, Frag b);
  Frag seq(std::initializer_list<Frag> parts);
  Frag alt(const std::vector<Frag>& choices);
  Frag opt(Frag f);
  Frag star(Frag f);
  // `make` builds a fresh copy of the repeated fragment; max < 0 = unbounded.
  Frag repeat(const std::function<Frag()>& make, int min, int max);
  Frag call(uint32_t rule);
  uint32_t new_rule();
  void define_rule(uint32_t rule, Frag body);
  bool rule_defined(uint32_t rule) const { return graph_.rule_start[rule] != kNone; }
  // Computes the distances. The caller checks graph.rule_min[root] < kUnreachable.
  Graph finish(uint32_t root_rule);

 private:
  Graph graph_;
};

// Sorted, merged, surrogates removed; `negate` takes the complement over all code points.
CodepointRanges normalize_ranges(CodepointRanges ranges, bool negate);

}  // namespace hf::constrained
