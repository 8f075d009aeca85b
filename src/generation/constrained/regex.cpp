// A recursive-descent parser for the regex subset into a small tree, then Thompson fragments
// (a repeated subtree is compiled once per copy).
#include "generation/constrained/regex.h"

#include <algorithm>
#include <cctype>
#include <memory>
#include <string>

#include "hf/error.h"

namespace hf::constrained {

namespace {

constexpr int kMaxRepeat = 1000;

struct Node {
  enum Kind { Chars, Seq, Alt, Repeat } kind = Seq;
  CodepointRanges chars;
  std::vector<Node> kids;
  int min = 0, max = 0;  // Repeat; max < 0 = unbounded
};

CodepointRanges intersect(const CodepointRanges& a, const CodepointRanges& b) {
  CodepointRanges out;
  for (auto [alo, ahi] : a)
    for (auto [blo, bhi] : b) {
      char32_t lo = std::max(alo, blo), hi = std::min(ahi, bhi);
      if (lo <= hi) out.push_back({lo, hi});
    }
  return out;
}

const CodepointRanges kDigit = {{'0', '9'}};
const CodepointRanges kWord = {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}};
// ECMAScript's \s: WhiteSpace and LineTerminator.
const CodepointRanges kSpace = {{0x09, 0x0D}, {0x20, 0x20}, {0xA0, 0xA0}, {0x1680, 0x1680}, {0x2000, 0x200A},
                                {0x2028, 0x2029}, {0x202F, 0x202F}, {0x205F, 0x205F}, {0x3000, 0x3000}, {0xFEFF, 0xFEFF}};

class Parser {
 public:
  explicit Parser(std::string_view p) : p_(p) {}

  Node parse() {
    Node n = alternation();
    if (pos_ < p_.size()) fail("unbalanced ')'");
    return n;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw InputError("regex: " + what + " at offset " + std::to_string(pos_) + " in '" + std::string(p_) + "'");
  }
  bool done() const { return pos_ >= p_.size(); }
  char peek() const { return p_[pos_]; }

  // One UTF-8 code point of the pattern.
  char32_t codepoint() {
    unsigned char c = static_cast<unsigned char>(p_[pos_++]);
    if (c < 0x80) return c;
    int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : -1;
    if (extra < 0) fail("invalid UTF-8");
    char32_t cp = c & (0x3F >> extra);
    for (int i = 0; i < extra; ++i) {
      if (done() || (static_cast<unsigned char>(p_[pos_]) & 0xC0) != 0x80) fail("invalid UTF-8");
      cp = (cp << 6) | (static_cast<unsigned char>(p_[pos_++]) & 0x3F);
    }
    return cp;
  }

  Node alternation() {
    std::vector<Node> branches{sequence()};
    while (!done() && peek() == '|') {
      ++pos_;
      branches.push_back(sequence());
    }
    if (branches.size() == 1) return std::move(branches[0]);
    Node n;
    n.kind = Node::Alt;
    n.kids = std::move(branches);
    return n;
  }

  Node sequence() {
    Node n;
    n.kind = Node::Seq;
    while (!done() && peek() != '|' && peek() != ')') n.kids.push_back(quantified(atom()));
    return n;
  }

  int number() {
    int v = 0;
    size_t start = pos_;
    while (!done() && peek() >= '0' && peek() <= '9') {
      v = v * 10 + (peek() - '0');
      if (v > kMaxRepeat) fail("repetition count above " + std::to_string(kMaxRepeat));
      ++pos_;
    }
    return pos_ == start ? -1 : v;
  }

  Node quantified(Node atom) {
    while (!done()) {
      int min, max;
      char c = peek();
      size_t at = pos_;
      if (c == '*') min = 0, max = -1, ++pos_;
      else if (c == '+') min = 1, max = -1, ++pos_;
      else if (c == '?') min = 0, max = 1, ++pos_;
      else if (c == '{') {
        ++pos_;
        min = number();
        max = min;
        if (min >= 0 && !done() && peek() == ',') {
          ++pos_;
          max = number();  // -1: unbounded
        }
        if (min < 0 || done() || peek() != '}') {  // not a quantifier: a literal '{' (Annex B)
          pos_ = at;
          return atom;
        }
        ++pos_;
        if (max >= 0 && max < min) fail("numbers out of order in {} quantifier");
      } else return atom;
      if (!done() && peek() == '?') ++pos_;  // lazy: the same language
      else if (!done() && peek() == '+') fail("possessive quantifier");
      Node r;
      r.kind = Node::Repeat;
      r.min = min;
      r.max = max;
      r.kids.push_back(std::move(atom));
      atom = std::move(r);
    }
    return atom;
  }

  static Node chars(CodepointRanges r) {
    Node n;
    n.kind = Node::Chars;
    n.chars = std::move(r);
    return n;
  }

  uint32_t hex(int digits) {
    uint32_t v = 0;
    for (int i = 0; i < digits; ++i) {
      if (done() || !std::isxdigit(static_cast<unsigned char>(peek()))) fail("bad hexadecimal escape");
      char c = p_[pos_++];
      v = v * 16 + static_cast<uint32_t>(std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return v;
  }

  // After a backslash: a set of code points (one for a plain escape).
  CodepointRanges escape(bool in_class) {
    if (done()) fail("trailing backslash");
    char c = p_[pos_];
    switch (c) {
      case 'd': ++pos_; return kDigit;
      case 'D': ++pos_; return normalize_ranges(kDigit, true);
      case 'w': ++pos_; return kWord;
      case 'W': ++pos_; return normalize_ranges(kWord, true);
      case 's': ++pos_; return kSpace;
      case 'S': ++pos_; return normalize_ranges(kSpace, true);
      case 'n': ++pos_; return {{'\n', '\n'}};
      case 't': ++pos_; return {{'\t', '\t'}};
      case 'r': ++pos_; return {{'\r', '\r'}};
      case 'f': ++pos_; return {{'\f', '\f'}};
      case 'v': ++pos_; return {{'\v', '\v'}};
      case '0': ++pos_; return {{0, 0}};
      case 'x': { ++pos_; char32_t v = hex(2); return {{v, v}}; }
      case 'u': { ++pos_; char32_t v = hex(4); return {{v, v}}; }
      case 'b':
        if (in_class) { ++pos_; return {{'\b', '\b'}}; }
        fail("word boundary \\b (an assertion) is not supported");
      case 'B': fail("word boundary \\B (an assertion) is not supported");
      case 'p': case 'P': fail("Unicode property escapes are not supported");
      case 'k': fail("named backreferences are not supported");
      default: break;
    }
    if (c >= '1' && c <= '9') fail("backreferences are not supported");
    char32_t cp = codepoint();
    return {{cp, cp}};
  }

  Node klass() {
    bool negate = false;
    if (!done() && peek() == '^') negate = true, ++pos_;
    CodepointRanges set;
    bool first = true;
    while (true) {
      if (done()) fail("unterminated character class");
      if (peek() == ']' && !first) break;
      first = false;
      auto item = [&]() -> CodepointRanges {
        if (peek() == '\\') {
          ++pos_;
          return escape(true);
        }
        char32_t cp = codepoint();
        return {{cp, cp}};
      };
      CodepointRanges lo = item();
      if (pos_ + 1 < p_.size() && peek() == '-' && p_[pos_ + 1] != ']' && lo.size() == 1 && lo[0].first == lo[0].second) {
        ++pos_;
        CodepointRanges hi = item();
        if (hi.size() != 1 || hi[0].first != hi[0].second) fail("bad range in character class");
        if (hi[0].first < lo[0].first) fail("range out of order in character class");
        set.push_back({lo[0].first, hi[0].first});
      } else set.insert(set.end(), lo.begin(), lo.end());
    }
    ++pos_;
    return chars(normalize_ranges(std::move(set), negate));
  }

  Node atom() {
    char c = peek();
    if (c == '(') {
      ++pos_;
      if (!done() && peek() == '?') {
        ++pos_;
        if (!done() && peek() == ':') ++pos_;
        else if (!done() && (peek() == '=' || peek() == '!')) fail("lookahead is not supported");
        else if (!done() && peek() == '<' && pos_ + 1 < p_.size() && (p_[pos_ + 1] == '=' || p_[pos_ + 1] == '!'))
          fail("lookbehind is not supported");
        else if (!done() && peek() == '<') {  // named group: the name does not change the language
          while (!done() && peek() != '>') ++pos_;
          if (done()) fail("unterminated group name");
          ++pos_;
        } else fail("unsupported group flag");
      }
      Node inner = alternation();
      if (done() || peek() != ')') fail("missing ')'");
      ++pos_;
      return inner;
    }
    if (c == ')') fail("unbalanced ')'");
    if (c == '*' || c == '+' || c == '?') fail("nothing to repeat");
    if (c == '[') {
      ++pos_;
      return klass();
    }
    if (c == '.') {
      ++pos_;
      return chars(normalize_ranges({{'\n', '\n'}, {'\r', '\r'}, {0x2028, 0x2029}}, true));
    }
    if (c == '^' || c == '$') fail("anchor '" + std::string(1, c) + "' inside the pattern is not supported");
    if (c == '\\') {
      ++pos_;
      return chars(escape(false));
    }
    char32_t cp = codepoint();
    return chars({{cp, cp}});
  }

  std::string_view p_;
  size_t pos_ = 0;
};

Frag compile(Builder& b, const Node& n, const RegexOptions& o) {
  switch (n.kind) {
    case Node::Chars: {
      CodepointRanges set = o.json_string ? intersect(n.chars, json_unescaped_chars()) : n.chars;
      return b.codepoints(set);  // an empty set: two unconnected nodes, matching nothing
    }
    case Node::Seq: {
      Frag f = b.empty();
      for (const Node& k : n.kids) f = b.seq(f, compile(b, k, o));
      return f;
    }
    case Node::Alt: {
      std::vector<Frag> choices;
      for (const Node& k : n.kids) choices.push_back(compile(b, k, o));
      return b.alt(choices);
    }
    case Node::Repeat:
      return b.repeat([&] { return compile(b, n.kids[0], o); }, n.min, n.max);
  }
  return b.empty();
}

}  // namespace

CodepointRanges json_unescaped_chars() { return {{0x20, 0x21}, {0x23, 0x5B}, {0x5D, 0x10FFFF}}; }

RegexFragment compile_regex(Builder& b, std::string_view pattern, const RegexOptions& options) {
  RegexFragment out;
  // ^ and $ only at the ends (the whole match is what we constrain); an escaped final '$' stays.
  if (!pattern.empty() && pattern.front() == '^') {
    out.anchored_start = true;
    pattern.remove_prefix(1);
  }
  if (!pattern.empty() && pattern.back() == '$') {
    size_t backslashes = 0;
    for (size_t i = pattern.size() - 1; i-- > 0 && pattern[i] == '\\';) ++backslashes;
    if (backslashes % 2 == 0) {
      out.anchored_end = true;
      pattern.remove_suffix(1);
    }
  }
  out.frag = compile(b, Parser(pattern).parse(), options);
  return out;
}

}  // namespace hf::constrained
