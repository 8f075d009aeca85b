#include "templates/text.h"

#include "templates/budget.h"

namespace hf::templates::text {

std::vector<char32_t> code_points(std::string_view s) {
  std::vector<char32_t> cps;
  cps.reserve(s.size());
  for (size_t pos = 0; pos < s.size();) cps.push_back(next_code_point(s, pos));
  return cps;
}

std::string from_code_points(const char32_t* begin, const char32_t* end) {
  std::string out;
  for (const char32_t* p = begin; p < end; ++p) append_utf8(out, *p);
  return out;
}

size_t length(std::string_view s) {
  size_t n = 0;
  for (size_t pos = 0; pos < s.size();) {
    next_code_point(s, pos);
    ++n;
  }
  return n;
}

bool is_space(char32_t cp) {
  if (cp < 0x80) return cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x1F);
  return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
         cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

bool is_line_break(char32_t cp) {
  return cp == '\n' || cp == '\r' || cp == 0x0B || cp == 0x0C || (cp >= 0x1C && cp <= 0x1E) ||
         cp == 0x85 || cp == 0x2028 || cp == 0x2029;
}

bool is_printable(char32_t cp) {
  // Python's repr() escapes the categories Cc, Cf, Cs, Co, Zl, Zp and Zs other than the space.
  // Without the full Unicode tables we cover the code points that occur in practice; unassigned
  // code points (Cn) are treated as printable.
  if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0xA0) || cp == 0xAD) return false;
  if (cp == ' ') return true;
  if (cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202F) ||
      (cp >= 0x205F && cp <= 0x2064) || (cp >= 0x2066 && cp <= 0x206F) || cp == 0x3000 ||
      cp == 0xFEFF || (cp >= 0xFFF9 && cp <= 0xFFFB) || cp == 0x061C || cp == 0x180E)
    return false;
  if ((cp >= 0xD800 && cp <= 0xF8FF) || cp >= 0xF0000) return false;   // surrogates, private use
  if (cp >= 0xE0000 && cp <= 0xE007F) return false;                      // tag characters
  return true;
}

char32_t to_upper(char32_t cp) {
  if (cp >= 'a' && cp <= 'z') return cp - 32;
  if (cp < 0x80) return cp;
  if ((cp >= 0xE0 && cp <= 0xFE && cp != 0xF7)) return cp - 32;
  if (cp == 0xFF) return 0x178;
  if (cp >= 0x100 && cp <= 0x17F && cp != 0x130 && cp != 0x131 && cp != 0x138 && cp != 0x149) {
    bool odd_upper = (cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E);
    if (odd_upper) return (cp % 2 == 0) ? cp - 1 : cp;
    return (cp % 2 == 1) ? cp - 1 : cp;
  }
  if (cp >= 0x3B1 && cp <= 0x3C9 && cp != 0x3C2) return cp - 32;        // Greek
  if (cp >= 0x430 && cp <= 0x44F) return cp - 32;                       // Cyrillic
  if (cp >= 0x450 && cp <= 0x45F) return cp - 80;
  if (cp >= 0xFF41 && cp <= 0xFF5A) return cp - 32;                     // fullwidth
  return cp;
}

char32_t to_lower(char32_t cp) {
  if (cp >= 'A' && cp <= 'Z') return cp + 32;
  if (cp < 0x80) return cp;
  if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) return cp + 32;
  if (cp == 0x178) return 0xFF;
  if (cp >= 0x100 && cp <= 0x17F && cp != 0x130 && cp != 0x131 && cp != 0x138 && cp != 0x149) {
    bool odd_upper = (cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E);
    if (odd_upper) return (cp % 2 == 1) ? cp + 1 : cp;
    return (cp % 2 == 0) ? cp + 1 : cp;
  }
  if (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2) return cp + 32;
  if (cp >= 0x410 && cp <= 0x42F) return cp + 32;
  if (cp >= 0x400 && cp <= 0x40F) return cp + 80;
  if (cp >= 0xFF21 && cp <= 0xFF3A) return cp + 32;
  return cp;
}

bool is_alpha(char32_t cp) {
  if (cp < 0x80) return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
  return to_upper(cp) != cp || to_lower(cp) != cp || cp == 0xDF;
}

bool is_digit(char32_t cp) { return cp >= '0' && cp <= '9'; }

namespace {
template <typename F>
std::string map_code_points(std::string_view s, F f) {
  std::string out;
  out.reserve(s.size());
  for (size_t pos = 0; pos < s.size();) append_utf8(out, f(next_code_point(s, pos)));
  return out;
}

bool in_chars(char32_t cp, const std::vector<char32_t>& chars) {
  for (char32_t c : chars)
    if (c == cp) return true;
  return false;
}
}  // namespace

std::string upper(std::string_view s) { return map_code_points(s, to_upper); }
std::string lower(std::string_view s) { return map_code_points(s, to_lower); }

std::string capitalize(std::string_view s) {
  bool first = true;
  return map_code_points(s, [&](char32_t cp) {
    char32_t r = first ? to_upper(cp) : to_lower(cp);
    first = false;
    return r;
  });
}

std::string python_title(std::string_view s) {
  bool previous_cased = false;
  return map_code_points(s, [&](char32_t cp) {
    bool cased = is_alpha(cp);
    char32_t r = cased ? (previous_cased ? to_lower(cp) : to_upper(cp)) : cp;
    previous_cased = cased;
    return r;
  });
}

std::string_view strip(std::string_view s, const std::string* chars, bool left, bool right) {
  std::vector<char32_t> set;
  if (chars) set = code_points(*chars);
  auto strippable = [&](char32_t cp) { return chars ? in_chars(cp, set) : is_space(cp); };
  size_t begin = 0, end = s.size();
  if (left) {
    while (begin < end) {
      size_t next = begin;
      if (!strippable(next_code_point(s, next))) break;
      begin = next;
    }
  }
  if (right) {
    while (end > begin) {
      size_t start = end - 1;
      while (start > begin && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
      size_t probe = start;
      if (!strippable(next_code_point(s, probe))) break;
      end = start;
    }
  }
  return s.substr(begin, end - begin);
}

std::vector<std::string> split_whitespace(std::string_view s, int64_t maxsplit) {
  std::vector<std::string> parts;
  size_t pos = 0;
  auto skip_space = [&] {
    while (pos < s.size()) {
      size_t next = pos;
      if (!is_space(next_code_point(s, next))) break;
      pos = next;
    }
  };
  skip_space();
  while (pos < s.size()) {
    if (maxsplit >= 0 && static_cast<int64_t>(parts.size()) == maxsplit) {
      std::string_view rest = strip(s.substr(pos), nullptr, false, true);
      parts.emplace_back(rest);
      return parts;
    }
    size_t start = pos;
    while (pos < s.size()) {
      size_t next = pos;
      if (is_space(next_code_point(s, next))) break;
      pos = next;
    }
    parts.emplace_back(s.substr(start, pos - start));
    skip_space();
  }
  return parts;
}

std::vector<std::string> split(std::string_view s, std::string_view sep, int64_t maxsplit) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (maxsplit < 0 || static_cast<int64_t>(parts.size()) < maxsplit) {
    size_t found = s.find(sep, start);
    if (found == std::string_view::npos) break;
    parts.emplace_back(s.substr(start, found - start));
    start = found + sep.size();
  }
  parts.emplace_back(s.substr(start));
  return parts;
}

std::vector<std::string> rsplit(std::string_view s, std::string_view sep, int64_t maxsplit) {
  std::vector<std::string> parts;
  size_t end = s.size();
  while (maxsplit < 0 || static_cast<int64_t>(parts.size()) < maxsplit) {
    if (end < sep.size()) break;
    size_t found = s.rfind(sep, end - sep.size());
    if (found == std::string_view::npos) break;
    parts.emplace_back(s.substr(found + sep.size(), end - found - sep.size()));
    end = found;
  }
  parts.emplace_back(s.substr(0, end));
  return {parts.rbegin(), parts.rend()};
}

std::vector<std::string> splitlines(std::string_view s, bool keepends) {
  std::vector<std::string> lines;
  size_t start = 0, pos = 0;
  while (pos < s.size()) {
    size_t at = pos;
    char32_t cp = next_code_point(s, pos);
    if (!is_line_break(cp)) continue;
    if (cp == '\r' && pos < s.size() && s[pos] == '\n') ++pos;
    lines.emplace_back(s.substr(start, (keepends ? pos : at) - start));
    start = pos;
  }
  if (start < s.size()) lines.emplace_back(s.substr(start));
  return lines;
}

std::string replace(std::string_view s, std::string_view old, std::string_view with, int64_t count) {
  // The result can be far larger than s ('x' * 10**6).replace('', 'y' * 10**6): count the
  // replacements first and charge the memory budget before building it.
  int64_t matches = 0;
  if (old.empty()) {
    matches = static_cast<int64_t>(length(s)) + 1;
  } else {
    for (size_t at = s.find(old); at != std::string_view::npos && (count < 0 || matches < count);
         at = s.find(old, at + old.size()))
      ++matches;
  }
  if (count >= 0) matches = std::min(matches, count);
  if (with.size() > old.size()) Budget::bytes(matches, static_cast<int64_t>(with.size() - old.size()));
  std::string out;
  if (old.empty()) {
    // Python inserts `with` before every code point and at the end.
    int64_t done = 0;
    size_t pos = 0;
    while (pos < s.size()) {
      if (count < 0 || done < count) {
        out += with;
        ++done;
      }
      size_t start = pos;
      next_code_point(s, pos);
      out += s.substr(start, pos - start);
    }
    if (count < 0 || done < count) out += with;
    return out;
  }
  size_t start = 0;
  int64_t done = 0;
  while (count < 0 || done < count) {
    size_t found = s.find(old, start);
    if (found == std::string_view::npos) break;
    out += s.substr(start, found - start);
    out += with;
    start = found + old.size();
    ++done;
  }
  out += s.substr(start);
  return out;
}

}  // namespace hf::templates::text
