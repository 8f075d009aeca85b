#include <algorithm>

#include "tokenizers/pre_tokenizers/pre_tokenizers.h"

namespace hf::tok {

SplitBehavior parse_behavior(const json& j, const std::string& path) {
  if (!j.is_string()) bad_json(path, "expected a split behavior string");
  std::string b = j.get<std::string>();
  if (b == "Removed") return SplitBehavior::Removed;
  if (b == "Isolated") return SplitBehavior::Isolated;
  if (b == "MergedWithPrevious") return SplitBehavior::MergedWithPrevious;
  if (b == "MergedWithNext") return SplitBehavior::MergedWithNext;
  if (b == "Contiguous") return SplitBehavior::Contiguous;
  bad_json(path, "unknown split behavior \"" + b + "\"");
}

void split_by_matches(const Piece& p, const Matches& matches, SplitBehavior behavior, bool invert, std::vector<Piece>& out) {
  struct Span {
    size_t b, e;
    bool is_match;
  };
  // The matches and the gaps between them, covering the piece.
  thread_local std::vector<Span> spans;
  spans.clear();
  size_t prev = 0;
  const std::string& s = p.text;
  if (s.empty()) {
    spans.push_back({0, 0, false});
  } else {
    for (auto [b, e] : matches) {
      if (prev != b) spans.push_back({prev, b, false});
      spans.push_back({b, e, true});
      prev = e;
    }
    if (prev != s.size()) spans.push_back({prev, s.size(), false});
  }
  if (invert)
    for (Span& sp : spans) sp.is_match = !sp.is_match;

  // (begin, end, removed)
  thread_local std::vector<Span> parts;  // is_match reused as "remove"
  parts.clear();
  switch (behavior) {
    case SplitBehavior::Isolated:
      for (const Span& sp : spans) parts.push_back({sp.b, sp.e, false});
      break;
    case SplitBehavior::Removed:
      parts.assign(spans.begin(), spans.end());
      break;
    case SplitBehavior::Contiguous: {
      bool previous_match = false;
      for (const Span& sp : spans) {
        if (sp.is_match == previous_match && !parts.empty()) parts.back().e = sp.e;
        else parts.push_back({sp.b, sp.e, false});
        previous_match = sp.is_match;
      }
      break;
    }
    case SplitBehavior::MergedWithPrevious: {
      bool previous_match = false;
      for (const Span& sp : spans) {
        if (sp.is_match && !previous_match && !parts.empty()) parts.back().e = sp.e;
        else parts.push_back({sp.b, sp.e, false});
        previous_match = sp.is_match;
      }
      break;
    }
    case SplitBehavior::MergedWithNext: {
      bool previous_match = false;
      for (size_t k = spans.size(); k-- > 0;) {
        const Span& sp = spans[k];
        if (sp.is_match && !previous_match && !parts.empty()) parts.back().b = sp.b;
        else parts.push_back({sp.b, sp.e, false});
        previous_match = sp.is_match;
      }
      std::reverse(parts.begin(), parts.end());
      break;
    }
  }
  for (const Span& sp : parts) {
    if (sp.is_match || sp.e == sp.b) continue;
    out.push_back(Piece{s.substr(sp.b, sp.e - sp.b), p.at_start && sp.b == 0});
  }
}

}  // namespace hf::tok
