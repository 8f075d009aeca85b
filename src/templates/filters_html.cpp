// Jinja2's HTML filters: striptags (markupsafe's Markup.striptags) and xmlattr. transformers'
// environment does not autoescape, so they return plain strings.
#include <string>

#include "templates/args.h"
#include "templates/filters.h"

namespace hf::templates::filters {

namespace {

// html.unescape for the references markup produces: numeric ones and the common named ones.
std::string unescape_html(const std::string& s) {
  static const std::pair<std::string_view, char32_t> kNamed[] = {
      {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}, {"nbsp", 0xA0}};
  std::string out;
  for (size_t i = 0; i < s.size();) {
    if (s[i] == '&') {
      size_t semi = s.find(';', i);
      if (semi != std::string::npos && semi - i <= 10) {
        std::string_view ref(s.data() + i + 1, semi - i - 1);
        char32_t cp = 0;
        bool ok = false;
        if (ref.size() > 1 && ref[0] == '#') {
          bool hex = ref[1] == 'x' || ref[1] == 'X';
          std::string digits(ref.substr(hex ? 2 : 1));
          char* end = nullptr;
          unsigned long v = digits.empty() ? 0 : std::strtoul(digits.c_str(), &end, hex ? 16 : 10);
          ok = !digits.empty() && *end == 0 && v > 0 && v <= 0x10FFFF;
          cp = static_cast<char32_t>(v);
        } else {
          for (const auto& [name, c] : kNamed)
            if (ref == name) ok = true, cp = c;
        }
        if (ok) {
          text::append_utf8(out, cp);
          i = semi + 1;
          continue;
        }
      }
    }
    out += s[i++];
  }
  return out;
}

// markupsafe: drop <!-- comments --> and <tags>, collapse whitespace, unescape.
Value f_striptags(Evaluator&, const Value& v, const CallArgs&) {
  std::string s = to_str(v);
  for (const auto& [open, close] : {std::pair<const char*, const char*>{"<!--", "-->"}, {"<", ">"}}) {
    std::string kept;
    size_t pos = 0;
    while (true) {
      size_t start = s.find(open, pos);
      size_t end = start == std::string::npos ? start : s.find(close, start);
      if (end == std::string::npos) break;
      kept.append(s, pos, start - pos);
      pos = end + std::string_view(close).size();
    }
    kept.append(s, pos);
    s = std::move(kept);
  }
  std::string joined;
  for (const auto& word : text::split_whitespace(s, -1)) joined += (joined.empty() ? "" : " ") + word;
  return unescape_html(joined);
}

}  // namespace

std::string escape_html(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&#34;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

namespace {

Value f_xmlattr(Evaluator&, const Value& v, const CallArgs& a) {
  if (v.kind() != Kind::Dict) throw RenderError("AttributeError", "'" + type_name(v) + "' object has no attribute 'items'");
  std::string rv;
  for (const auto& [key, value] : v.as_dict()->items) {
    if (value.is_none() || value.is_undefined()) continue;
    std::string name = to_str(key);
    if (name.find_first_of(" \t\n\r\f\v/>=") != std::string::npos)
      throw_value_error("Invalid character in attribute name: " + repr(key));
    rv += (rv.empty() ? "" : " ") + escape_html(name) + "=\"" + escape_html(to_str(value)) + "\"";
  }
  if (bool_arg(a, 0, "autospace", true) && !rv.empty()) rv = " " + rv;
  return rv;
}

constexpr std::pair<std::string_view, FilterFn> kHtmlFilters[] = {
    {"striptags", f_striptags},
    {"urlize", f_urlize},
    {"xmlattr", f_xmlattr},
};

}  // namespace

FilterFn find_html_filter(std::string_view name) {
  for (const auto& [n, fn] : kHtmlFilters)
    if (n == name) return fn;
  return nullptr;
}

}  // namespace hf::templates::filters
