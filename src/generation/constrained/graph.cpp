// Thompson construction over bytes, UTF-8 encoding of code-point sets, and the shortest-completion
// distances of every node.
#include "generation/constrained/graph.h"

#include <algorithm>

namespace hf::constrained {

uint32_t Builder::node() {
  graph_.nodes.emplace_back();
  return static_cast<uint32_t>(graph_.nodes.size() - 1);
}

Frag Builder::empty() {
  uint32_t n = node();
  return {n, n};
}

Frag Builder::byte_range(uint8_t lo, uint8_t hi) {
  uint32_t a = node(), b = node();
  graph_.nodes[a].bytes.push_back({lo, hi, b});
  return {a, b};
}

Frag Builder::literal(std::string_view bytes) {
  Frag f = empty();
  for (unsigned char c : bytes) {
    uint32_t n = node();
    graph_.nodes[f.out].bytes.push_back({c, c, n});
    f.out = n;
  }
  return f;
}

namespace {
// Splits [lo, hi] (one UTF-8 length, no surrogates) into pieces whose encodings are a cross
// product of byte ranges (the algorithm of RE2 and Rust's utf8-ranges).
void utf8_pieces(char32_t lo, char32_t hi, std::vector<std::vector<std::pair<uint8_t, uint8_t>>>& out) {
  for (char32_t max : {char32_t(0x7F), char32_t(0x7FF), char32_t(0xFFFF)})
    if (lo <= max && max < hi) {
      utf8_pieces(lo, max, out);
      utf8_pieces(max + 1, hi, out);
      return;
    }
  if (hi <= 0x7F) {
    out.push_back({{uint8_t(lo), uint8_t(hi)}});
    return;
  }
  for (int i = 1; i < 4; ++i) {
    char32_t m = (char32_t(1) << (6 * i)) - 1;
    if ((lo & ~m) != (hi & ~m)) {
      if ((lo & m) != 0) {
        utf8_pieces(lo, lo | m, out);
        utf8_pieces((lo | m) + 1, hi, out);
        return;
      }
      if ((hi & m) != m) {
        utf8_pieces(lo, (hi & ~m) - 1, out);
        utf8_pieces(hi & ~m, hi, out);
        return;
      }
    }
  }
  auto encode = [](char32_t c) {
    std::vector<uint8_t> b;
    if (c < 0x800) b = {uint8_t(0xC0 | (c >> 6)), uint8_t(0x80 | (c & 0x3F))};
    else if (c < 0x10000) b = {uint8_t(0xE0 | (c >> 12)), uint8_t(0x80 | ((c >> 6) & 0x3F)), uint8_t(0x80 | (c & 0x3F))};
    else
      b = {uint8_t(0xF0 | (c >> 18)), uint8_t(0x80 | ((c >> 12) & 0x3F)), uint8_t(0x80 | ((c >> 6) & 0x3F)),
           uint8_t(0x80 | (c & 0x3F))};
    return b;
  };
  std::vector<uint8_t> a = encode(lo), b = encode(hi);
  std::vector<std::pair<uint8_t, uint8_t>> piece;
  for (size_t k = 0; k < a.size(); ++k) piece.push_back({a[k], b[k]});
  out.push_back(std::move(piece));
}
}  // namespace

CodepointRanges normalize_ranges(CodepointRanges r, bool negate) {
  std::sort(r.begin(), r.end());
  CodepointRanges merged;
  for (auto [lo, hi] : r) {
    if (lo > hi) continue;
    if (!merged.empty() && lo <= merged.back().second + 1) merged.back().second = std::max(merged.back().second, hi);
    else merged.push_back({lo, hi});
  }
  if (negate) {
    CodepointRanges inv;
    char32_t next = 0;
    for (auto [lo, hi] : merged) {
      if (lo > next) inv.push_back({next, lo - 1});
      next = hi + 1;
    }
    if (next <= 0x10FFFF) inv.push_back({next, 0x10FFFF});
    merged = std::move(inv);
  }
  CodepointRanges out;  // without surrogates (not encodable in UTF-8)
  for (auto [lo, hi] : merged) {
    hi = std::min<char32_t>(hi, 0x10FFFF);
    if (lo > hi) continue;
    if (hi < 0xD800 || lo > 0xDFFF) out.push_back({lo, hi});
    else {
      if (lo < 0xD800) out.push_back({lo, 0xD7FF});
      if (hi > 0xDFFF) out.push_back({0xE000, hi});
    }
  }
  return out;
}

Frag Builder::codepoints(const CodepointRanges& ranges) {
  uint32_t in = node(), out = node();
  for (auto [lo, hi] : normalize_ranges(ranges, false)) {
    std::vector<std::vector<std::pair<uint8_t, uint8_t>>> pieces;
    utf8_pieces(lo, hi, pieces);
    for (const auto& piece : pieces) {
      uint32_t at = in;
      for (size_t k = 0; k < piece.size(); ++k) {
        uint32_t to = k + 1 == piece.size() ? out : node();
        graph_.nodes[at].bytes.push_back({piece[k].first, piece[k].second, to});
        at = to;
      }
    }
  }
  return {in, out};
}

Frag Builder::seq(Frag a, Frag b) {
  graph_.nodes[a.out].eps.push_back(b.in);
  return {a.in, b.out};
}

Frag Builder::seq(std::initializer_list<Frag> parts) {
  Frag f = empty();
  for (Frag p : parts) f = seq(f, p);
  return f;
}

Frag Builder::alt(const std::vector<Frag>& choices) {
  uint32_t in = node(), out = node();
  for (Frag c : choices) {
    graph_.nodes[in].eps.push_back(c.in);
    graph_.nodes[c.out].eps.push_back(out);
  }
  return {in, out};
}

Frag Builder::opt(Frag f) {
  // Fresh ends: f.out may be a star's hub, whose loop must not be reachable by skipping f.
  uint32_t in = node(), out = node();
  graph_.nodes[in].eps = {f.in, out};
  graph_.nodes[f.out].eps.push_back(out);
  return {in, out};
}

Frag Builder::star(Frag f) {
  uint32_t hub = node();
  graph_.nodes[hub].eps.push_back(f.in);
  graph_.nodes[f.out].eps.push_back(hub);
  return {hub, hub};
}

Frag Builder::repeat(const std::function<Frag()>& make, int min, int max) {
  Frag f = empty();
  for (int i = 0; i < min; ++i) f = seq(f, make());
  if (max < 0) return seq(f, star(make()));
  // Optional copies nested (a(b(c)?)?)? so that each is tried only after the one before.
  std::vector<Frag> optional;
  for (int i = min; i < max; ++i) optional.push_back(make());
  uint32_t end = node();
  for (Frag o : optional) {
    graph_.nodes[f.out].eps.push_back(end);
    f = seq(f, o);
  }
  graph_.nodes[f.out].eps.push_back(end);
  return {f.in, end};
}

Frag Builder::call(uint32_t rule) {
  uint32_t a = node(), b = node();
  graph_.nodes[a].calls.push_back({rule, b});
  return {a, b};
}

uint32_t Builder::new_rule() {
  graph_.rule_start.push_back(kNone);
  return static_cast<uint32_t>(graph_.rule_start.size() - 1);
}

void Builder::define_rule(uint32_t rule, Frag body) {
  graph_.rule_start[rule] = body.in;
  graph_.nodes[body.out].final = true;
}

Graph Builder::finish(uint32_t root_rule) {
  Graph& g = graph_;
  g.root = root_rule;
  const size_t n = g.nodes.size();
  g.to_final.assign(n, kUnreachable);
  g.rule_min.assign(g.rule_start.size(), kUnreachable);
  // Bellman-Ford relaxation to a fixpoint: a call costs its rule's shortest text, which depends
  // on the distances themselves (recursive rules).
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t r = 0; r < g.rule_start.size(); ++r)
      if (g.rule_start[r] != kNone && g.to_final[g.rule_start[r]] < g.rule_min[r]) {
        g.rule_min[r] = g.to_final[g.rule_start[r]];
        changed = true;
      }
    for (size_t i = n; i-- > 0;) {
      const Graph::Node& node = g.nodes[i];
      int64_t best = node.final ? 0 : g.to_final[i];
      for (auto& e : node.bytes) best = std::min(best, 1 + g.to_final[e.to]);
      for (uint32_t e : node.eps) best = std::min(best, g.to_final[e]);
      for (auto& c : node.calls) best = std::min(best, g.rule_min[c.rule] + g.to_final[c.to]);
      best = std::min(best, kUnreachable);
      if (best < g.to_final[i]) {
        g.to_final[i] = best;
        changed = true;
      }
    }
  }
  return std::move(graph_);
}

}  // namespace hf::constrained
