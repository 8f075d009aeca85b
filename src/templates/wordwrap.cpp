// Jinja2's wordwrap filter: each line of the input (str.splitlines) wrapped by Python's
// textwrap.wrap(line, width, expand_tabs=False, replace_whitespace=False, break_long_words,
// break_on_hyphens), the lines joined with `wrapstring` (default "\n"). The chunking follows
// textwrap.TextWrapper.wordsep_re (words, whitespace runs, hyphenated parts, em-dashes), and
// _wrap_chunks / _handle_long_word line by line, in code points as Python counts.
#include <algorithm>
#include <string>
#include <vector>

#include "templates/args.h"
#include "templates/budget.h"
#include "templates/filters.h"

namespace hf::templates::filters {

namespace {

using Text = std::vector<char32_t>;

// textwrap's whitespace is ASCII only ('\t\n\x0b\x0c\r '); Python's str.strip() is not.
bool wrap_space(char32_t c) { return c == ' ' || (c >= 0x09 && c <= 0x0D); }
bool word_char(char32_t c) { return c == '_' || text::is_alpha(c) || text::is_digit(c); }   // \w
bool letter(char32_t c) { return word_char(c) && !text::is_digit(c); }                     // [^\d\W]
bool word_punct(char32_t c) {                                                               // [\w!"'&.,?]
  return word_char(c) || c == '!' || c == '"' || c == '\'' || c == '&' || c == '.' || c == ',' || c == '?';
}

// wordsep_re's lookarounds, each reading the whole line around position i.
struct Line {
  const Text& t;
  char32_t at(size_t i) const { return i < t.size() ? t[i] : 0; }
  bool is(size_t i, bool (*pred)(char32_t)) const { return i < t.size() && pred(t[i]); }
  // (?=-{2,}\w) at i
  bool em_dash_ahead(size_t i) const {
    size_t j = i;
    while (at(j) == '-') ++j;
    return j - i >= 2 && is(j, word_char);
  }
};

// wordsep_re.split(line) without the empty strings: whitespace runs, em-dashes between words,
// and words cut after a hyphen that joins two letters.
std::vector<Text> split_chunks(const Text& t, bool break_on_hyphens) {
  Line line{t};
  std::vector<Text> chunks;
  size_t i = 0;
  while (i < t.size()) {
    size_t end = i + 1;
    if (wrap_space(t[i])) {
      while (end < t.size() && wrap_space(t[end])) ++end;
    } else if (!break_on_hyphens) {   // wordsep_simple_re: runs of non-whitespace
      while (end < t.size() && !wrap_space(t[end])) ++end;
    } else if (t[i] == '-' && i > 0 && word_punct(t[i - 1]) && line.em_dash_ahead(i)) {
      while (t[end] == '-') ++end;    // (?<=wp) -{2,} (?=\w)
    } else {
      // \S+? then the first j where one of the word endings holds.
      for (size_t j = i + 1;; ++j) {
        bool hyphen = line.at(j) == '-' &&
                      ((j >= 2 && letter(t[j - 2]) && letter(t[j - 1])) ||
                       (j >= 3 && letter(t[j - 3]) && t[j - 2] == '-' && letter(t[j - 1]))) &&
                      line.is(j + 1, letter) &&
                      (line.is(j + 2, letter) || (line.at(j + 2) == '-' && line.is(j + 3, letter)));
        if (hyphen) {
          end = j + 1;
          break;
        }
        if (j == t.size() || wrap_space(t[j]) || (word_punct(t[j - 1]) && line.em_dash_ahead(j))) {
          end = j;
          break;
        }
      }
    }
    chunks.emplace_back(t.begin() + static_cast<ptrdiff_t>(i), t.begin() + static_cast<ptrdiff_t>(end));
    i = end;
  }
  return chunks;
}

bool blank(const Text& chunk) {   // chunk.strip() == ''
  for (char32_t c : chunk)
    if (!text::is_space(c)) return false;
  return true;
}

// TextWrapper._wrap_chunks with no indents, drop_whitespace=True and no max_lines.
std::vector<Text> wrap_chunks(std::vector<Text> chunks, int64_t width, bool break_long_words, bool break_on_hyphens) {
  std::vector<Text> lines;
  std::reverse(chunks.begin(), chunks.end());
  while (!chunks.empty()) {
    Budget::steps(1);
    std::vector<Text> cur;
    int64_t cur_len = 0;
    if (blank(chunks.back()) && !lines.empty()) chunks.pop_back();
    while (!chunks.empty() && cur_len + static_cast<int64_t>(chunks.back().size()) <= width) {
      cur_len += static_cast<int64_t>(chunks.back().size());
      cur.push_back(std::move(chunks.back()));
      chunks.pop_back();
    }
    if (!chunks.empty() && static_cast<int64_t>(chunks.back().size()) > width) {   // _handle_long_word
      Text& chunk = chunks.back();
      if (break_long_words) {
        int64_t end = width < 1 ? 1 : width - cur_len;
        if (break_on_hyphens && static_cast<int64_t>(chunk.size()) > end) {
          // after the last hyphen before the limit, if something other than hyphens precedes it
          int64_t hyphen = -1;
          for (int64_t k = end - 1; k >= 0 && hyphen < 0; --k)
            if (chunk[static_cast<size_t>(k)] == '-') hyphen = k;
          bool other = false;
          for (int64_t k = 0; k < hyphen; ++k) other = other || chunk[static_cast<size_t>(k)] != '-';
          if (hyphen > 0 && other) end = hyphen + 1;
        }
        cur.emplace_back(chunk.begin(), chunk.begin() + end);
        chunk.erase(chunk.begin(), chunk.begin() + end);
      } else if (cur.empty()) {
        cur.push_back(std::move(chunk));
        chunks.pop_back();
      }
    }
    if (!cur.empty() && blank(cur.back())) cur.pop_back();
    if (!cur.empty()) {
      Text joined;
      for (const auto& c : cur) joined.insert(joined.end(), c.begin(), c.end());
      lines.push_back(std::move(joined));
    }
  }
  return lines;
}

}  // namespace

Value f_wordwrap(Evaluator&, const Value& v, const CallArgs& a) {
  if (v.is_undefined()) v.fail_undefined();
  if (!v.is_string())   // Jinja2 calls s.splitlines() on what it gets
    throw RenderError("AttributeError", "'" + type_name(v) + "' object has no attribute 'splitlines'");
  const std::string& s = v.as_string();
  int64_t width = int_arg(a, 0, "width", 79);
  bool break_long_words = bool_arg(a, 1, "break_long_words", true);
  std::string wrapstring = str_arg(a, 2, "wrapstring", "\n");
  bool break_on_hyphens = bool_arg(a, 3, "break_on_hyphens", true);
  std::string out;
  bool first_paragraph = true;
  for (const auto& paragraph : text::splitlines(s, false)) {
    if (!first_paragraph) out += wrapstring;
    first_paragraph = false;
    Text cps = text::code_points(paragraph);
    if (width <= 0) throw_value_error("invalid width " + std::to_string(width) + " (must be > 0)");
    bool first_line = true;
    for (const auto& line : wrap_chunks(split_chunks(cps, break_on_hyphens), width, break_long_words, break_on_hyphens)) {
      if (!first_line) out += wrapstring;
      first_line = false;
      out += text::from_code_points(line.data(), line.data() + line.size());
    }
  }
  return out;
}

}  // namespace hf::templates::filters
