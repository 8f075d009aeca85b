#pragma once
// Regular expressions (an ECMAScript-like subset, see hf/constrained.h) compiled to a Graph
// fragment over UTF-8 bytes. Matching is always full: the caller adds whatever surrounds it.
#include <string_view>

#include "generation/constrained/graph.h"

namespace hf::constrained {

struct RegexOptions {
  // Inside a JSON string: only characters that need no escape ('"', '\\' and controls are
  // removed from every set), so the matched text is also the string's JSON encoding.
  bool json_string = false;
};

// Parses `pattern` (hf::InputError naming the construct and its offset for what is not
// supported). `anchored_start` / `anchored_end` say whether it began with ^ / ended with $.
struct RegexFragment {
  Frag frag;
  bool anchored_start = false, anchored_end = false;
};
RegexFragment compile_regex(Builder& b, std::string_view pattern, const RegexOptions& options = {});

// The characters a JSON string holds without escape.
CodepointRanges json_unescaped_chars();

}  // namespace hf::constrained
