// The methods of Python's str, list and dict that chat templates call (message.content.strip(),
// tool.get('x'), ...). The immutable sandbox blocks the mutating ones with a SecurityError.
#include <algorithm>

#include "templates/args.h"
#include "templates/budget.h"
#include "templates/builtins.h"
#include "templates/filters.h"
#include "templates/text.h"

namespace hf::templates {

namespace {

constexpr std::string_view kStrMethods[] = {
    "strip", "lstrip", "rstrip", "split", "rsplit", "splitlines", "startswith", "endswith", "upper",
    "lower", "title", "capitalize", "swapcase", "casefold", "replace", "find", "rfind", "index",
    "rindex", "count", "join", "isdigit", "isalpha", "isalnum", "isspace", "isupper", "islower",
    "isnumeric", "isdecimal", "format", "center", "ljust", "rjust", "zfill", "removeprefix",
    "removesuffix", "partition", "rpartition"};
constexpr std::string_view kListMethods[] = {"count", "index", "copy"};
constexpr std::string_view kListMutators[] = {"append", "extend", "insert", "pop", "remove", "reverse", "sort", "clear"};
constexpr std::string_view kDictMethods[] = {"get", "items", "keys", "values", "copy"};
constexpr std::string_view kDictMutators[] = {"pop", "popitem", "setdefault", "update", "clear"};

template <size_t N>
bool listed(const std::string_view (&names)[N], std::string_view name) {
  return std::find(std::begin(names), std::end(names), name) != std::end(names);
}

bool is_mutator(const Value& self, std::string_view name) {
  return (self.kind() == Kind::List && listed(kListMutators, name)) ||
         (self.kind() == Kind::Dict && listed(kDictMutators, name));
}

bool is_method(const Value& self, std::string_view name) {
  switch (self.kind()) {
    case Kind::String: return listed(kStrMethods, name);
    case Kind::List: return listed(kListMethods, name);
    case Kind::Dict: return listed(kDictMethods, name);
    default: return false;
  }
}

[[noreturn]] void unsafe(const Value& self, std::string_view name) {
  throw RenderError("SecurityError", "access to attribute '" + std::string(name) + "' of '" +
                                         type_name(self) + "' object is unsafe.");
}

struct BoundMethod : Callable {
  Value self;
  std::string name;
  BoundMethod(Value s, std::string n) : self(std::move(s)), name(std::move(n)) {}
  Value call(Evaluator&, CallArgs& args) const override {
    bool found = false;
    return call_method(self, name, args, found);
  }
  std::string repr() const override {
    return "<built-in method " + name + " of " + type_name(self) + " object>";
  }
};

ListPtr strings_to_list(std::vector<std::string> parts) {
  auto l = List::make();
  l->items.reserve(parts.size());
  for (auto& p : parts) l->items.emplace_back(std::move(p));
  return l;
}

// Python's str.startswith/endswith: a str or a tuple of str.
bool affix_matches(const std::string& s, const Value& affix, bool at_start) {
  auto one = [&](const Value& v) {
    const std::string a = require_str(v, at_start ? "startswith first arg" : "endswith first arg");
    if (a.size() > s.size()) return false;
    return at_start ? s.compare(0, a.size(), a) == 0 : s.compare(s.size() - a.size(), a.size(), a) == 0;
  };
  if (affix.kind() == Kind::List && affix.as_list()->is_tuple) {
    for (const auto& v : affix.as_list()->items)
      if (one(v)) return true;
    return false;
  }
  return one(affix);
}

// str.format with positional `{}`/`{0}` and keyword `{name}` fields (no format specs).
std::string str_format(const std::string& fmt, const CallArgs& args) {
  std::string out;
  size_t auto_index = 0;
  for (size_t i = 0; i < fmt.size(); ++i) {
    char c = fmt[i];
    if (c == '{' && i + 1 < fmt.size() && fmt[i + 1] == '{') { out += '{'; ++i; continue; }
    if (c == '}' && i + 1 < fmt.size() && fmt[i + 1] == '}') { out += '}'; ++i; continue; }
    if (c != '{') { out += c; continue; }
    size_t close = fmt.find('}', i);
    if (close == std::string::npos) throw_value_error("Single '{' encountered in format string");
    std::string field = fmt.substr(i + 1, close - i - 1);
    field = field.substr(0, field.find_first_of(":!"));
    const Value* v = nullptr;
    if (field.empty()) v = auto_index < args.positional.size() ? &args.positional[auto_index++] : nullptr;
    else if (std::all_of(field.begin(), field.end(), [](unsigned char c) { return c >= '0' && c <= '9'; })) {
      size_t k = std::stoul(field);
      v = k < args.positional.size() ? &args.positional[k] : nullptr;
    } else {
      for (const auto& [name, value] : args.keyword)
        if (name == field) v = &value;
    }
    if (!v) throw RenderError("IndexError", "Replacement index " + field + " out of range for positional args tuple");
    out += to_str(*v);
    i = close;
  }
  return out;
}

std::string pad(const std::string& s, int64_t width, const std::string& fill, int where) {
  int64_t len = static_cast<int64_t>(text::length(s));
  if (width <= len) return s;
  int64_t total = width - len, left = where < 0 ? 0 : where > 0 ? total : total / 2 + (total & width & 1);
  Budget::bytes(total, static_cast<int64_t>(fill.size()));
  std::string out;
  for (int64_t i = 0; i < left; ++i) out += fill;
  out += s;
  for (int64_t i = 0; i < total - left; ++i) out += fill;
  return out;
}

template <typename Pred>
bool all_code_points(const std::string& s, Pred pred) {
  if (s.empty()) return false;
  for (size_t pos = 0; pos < s.size();)
    if (!pred(text::next_code_point(s, pos))) return false;
  return true;
}

Value string_method(const std::string& s, std::string_view name, const CallArgs& a) {
  if (name == "strip" || name == "lstrip" || name == "rstrip") {
    Value chars = arg(a, 0, "chars");
    std::string set = chars.is_none() ? std::string() : require_str(chars, "strip arg");
    return std::string(text::strip(s, chars.is_none() ? nullptr : &set, name != "rstrip", name != "lstrip"));
  }
  if (name == "split" || name == "rsplit") {
    Value sep = arg(a, 0, "sep");
    int64_t maxsplit = int_arg(a, 1, "maxsplit", -1);
    if (sep.is_none()) {
      if (name == "rsplit" && maxsplit >= 0) {
        // rsplit with whitespace and a limit: split from the right.
        auto parts = text::split_whitespace(s, -1);
        if (static_cast<int64_t>(parts.size()) > maxsplit + 1) {
          size_t keep = parts.size() - static_cast<size_t>(maxsplit);
          std::string_view rest = text::strip(s, nullptr, true, true);
          // Everything before the last `maxsplit` words stays one part (its inner spacing kept).
          size_t cut = rest.size();
          for (size_t i = parts.size(); i > keep; --i) cut = rest.rfind(parts[i - 1], cut - 1);
          std::vector<std::string> out{std::string(text::strip(rest.substr(0, cut), nullptr, false, true))};
          out.insert(out.end(), parts.begin() + static_cast<long>(keep), parts.end());
          return strings_to_list(std::move(out));
        }
        return strings_to_list(std::move(parts));
      }
      return strings_to_list(text::split_whitespace(s, maxsplit));
    }
    const std::string sep_s = require_str(sep, "sep");
    if (sep_s.empty()) throw_value_error("empty separator");
    return strings_to_list(name == "split" ? text::split(s, sep_s, maxsplit) : text::rsplit(s, sep_s, maxsplit));
  }
  if (name == "splitlines") return strings_to_list(text::splitlines(s, bool_arg(a, 0, "keepends", false)));
  if (name == "startswith" || name == "endswith") {
    Value affix = arg(a, 0, "prefix");
    if (a.positional.size() > 1) {   // start/end bounds, by code point
      auto cps = text::code_points(s);
      int64_t n = static_cast<int64_t>(cps.size());
      int64_t b = int_arg(a, 1, "start", 0), e = int_arg(a, 2, "end", n);
      if (b < 0) b = std::max<int64_t>(0, b + n);
      if (e < 0) e = std::max<int64_t>(0, e + n);
      b = std::min(b, n);
      e = std::min(e, n);
      std::string sub = b < e ? text::from_code_points(cps.data() + b, cps.data() + e) : "";
      return affix_matches(sub, affix, name == "startswith");
    }
    return affix_matches(s, affix, name == "startswith");
  }
  if (name == "upper") return text::upper(s);
  if (name == "lower" || name == "casefold") return text::lower(s);
  if (name == "title") return text::python_title(s);
  if (name == "capitalize") return text::capitalize(s);
  if (name == "swapcase") {
    std::string out;
    for (size_t pos = 0; pos < s.size();) {
      char32_t cp = text::next_code_point(s, pos);
      text::append_utf8(out, text::to_upper(cp) != cp ? text::to_upper(cp) : text::to_lower(cp));
    }
    return out;
  }
  if (name == "replace")
    return text::replace(s, require_str(arg(a, 0, "old"), "replace arg 1"),
                         require_str(arg(a, 1, "new"), "replace arg 2"), int_arg(a, 2, "count", -1));
  if (name == "find" || name == "rfind" || name == "index" || name == "rindex") {
    const std::string sub = require_str(arg(a, 0, "sub"), "must be str");
    size_t at = (name == "find" || name == "index") ? s.find(sub) : s.rfind(sub);
    if (at == std::string::npos) {
      if (name == "index" || name == "rindex") throw_value_error("substring not found");
      return int64_t{-1};
    }
    return text::length(std::string_view(s).substr(0, at));
  }
  if (name == "count") {
    const std::string sub = require_str(arg(a, 0, "sub"), "must be str");
    if (sub.empty()) return text::length(s) + 1;
    int64_t n = 0;
    for (size_t at = s.find(sub); at != std::string::npos; at = s.find(sub, at + sub.size())) ++n;
    return n;
  }
  if (name == "join") {
    std::string out;
    bool first = true;
    std::vector<Value> items = iterate(arg(a, 0, "iterable"));
    Budget::bytes(static_cast<int64_t>(items.size()), static_cast<int64_t>(s.size()));
    for (const Value& item : items) {
      if (!item.is_string())
        throw_type_error("sequence item: expected str instance, " + type_name(item) + " found");
      if (!first) out += s;
      first = false;
      out += item.as_string();
    }
    return out;
  }
  if (name == "isdigit" || name == "isnumeric" || name == "isdecimal") return all_code_points(s, text::is_digit);
  if (name == "isalpha") return all_code_points(s, text::is_alpha);
  if (name == "isalnum") return all_code_points(s, [](char32_t c) { return text::is_alpha(c) || text::is_digit(c); });
  if (name == "isspace") return all_code_points(s, text::is_space);
  if (name == "isupper" || name == "islower") {
    bool upper = name == "isupper", cased = false;
    for (size_t pos = 0; pos < s.size();) {
      char32_t cp = text::next_code_point(s, pos);
      if (!text::is_alpha(cp)) continue;
      if ((upper && text::to_upper(cp) != cp) || (!upper && text::to_lower(cp) != cp)) return false;
      cased = true;
    }
    return cased;
  }
  if (name == "format") return str_format(s, a);
  if (name == "center" || name == "ljust" || name == "rjust") {
    std::string fill = str_arg(a, 1, "fillchar", " ");
    int where = name == "center" ? 0 : name == "ljust" ? -1 : 1;
    return pad(s, int_arg(a, 0, "width", 0), fill, where);
  }
  if (name == "zfill") {
    int64_t width = int_arg(a, 0, "width", 0);
    int64_t len = static_cast<int64_t>(text::length(s));
    if (width <= len) return s;
    Budget::bytes(width);
    size_t sign = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
    return s.substr(0, sign) + std::string(static_cast<size_t>(width - len), '0') + s.substr(sign);
  }
  if (name == "removeprefix" || name == "removesuffix") {
    const std::string affix = require_str(arg(a, 0, "affix"), "removeprefix arg");
    if (name == "removeprefix") return s.compare(0, affix.size(), affix) == 0 ? s.substr(affix.size()) : s;
    if (affix.size() <= s.size() && s.compare(s.size() - affix.size(), affix.size(), affix) == 0)
      return s.substr(0, s.size() - affix.size());
    return s;
  }
  if (name == "partition" || name == "rpartition") {
    const std::string sep = require_str(arg(a, 0, "sep"), "sep");
    if (sep.empty()) throw_value_error("empty separator");
    size_t at = name == "partition" ? s.find(sep) : s.rfind(sep);
    auto t = List::make();
    t->is_tuple = true;
    if (at == std::string::npos) {
      if (name == "partition") t->items = {Value(s), Value(""), Value("")};
      else t->items = {Value(""), Value(""), Value(s)};
    } else {
      t->items = {Value(s.substr(0, at)), Value(sep), Value(s.substr(at + sep.size()))};
    }
    return t;
  }
  return Value();
}

Value list_method(const Value& self, std::string_view name, const CallArgs& a) {
  const List& l = *self.as_list();
  if (name == "copy") return List::make(l.items);
  Value x = arg(a, 0, "value");
  if (name == "count") {
    int64_t n = 0;
    for (const auto& item : l.items) n += equal(item, x);
    return n;
  }
  for (size_t i = 0; i < l.items.size(); ++i)   // index
    if (equal(l.items[i], x)) return i;
  throw_value_error(repr(x) + " is not in list");
}

Value dict_method(const Value& self, std::string_view name, const CallArgs& a) {
  const Dict& d = *self.as_dict();
  if (name == "get") {
    const Value* v = d.find(arg(a, 0, "key"));
    return v ? *v : arg(a, 1, "default");
  }
  if (name == "copy") return std::make_shared<Dict>(d);
  auto l = List::make();
  l->view_name = name == "keys" ? "dict_keys" : name == "values" ? "dict_values" : "dict_items";
  l->items.reserve(d.items.size());
  for (const auto& [k, v] : d.items) {
    if (name == "keys") l->items.push_back(k);
    else if (name == "values") l->items.push_back(v);
    else {
      auto pair = List::make({k, v});
      pair->is_tuple = true;
      l->items.emplace_back(pair);
    }
  }
  return l;
}

}  // namespace

Value method_attribute(const Value& self, std::string_view name) {
  if (is_mutator(self, name)) {
    UndefinedInfo info;
    info.name = std::string(name);
    info.hint = "access to attribute '" + std::string(name) + "' of '" + type_name(self) + "' object is unsafe.";
    info.error_type = "SecurityError";
    return Value::undefined(std::move(info));
  }
  if (!is_method(self, name)) return Value();
  return CallablePtr(std::make_shared<BoundMethod>(self, std::string(name)));
}

// markupsafe's Markup wraps the str methods that return one string: their string arguments are
// escaped, the result is Markup again; join escapes the items. The others return plain values.
Value markup_method(const Value& self, std::string_view name, const CallArgs& args) {
  static constexpr std::string_view kWrapped[] = {
      "capitalize", "title", "lower", "upper", "replace", "ljust", "rjust", "lstrip", "rstrip", "center",
      "strip", "swapcase", "zfill", "casefold", "removeprefix", "removesuffix", "format", "join"};
  if (!listed(kWrapped, name)) return string_method(self.as_string(), name, args);
  auto escape = [](const Value& v) { return v.is_string() && !v.is_markup() ? Value::markup(filters::escape_html(v.as_string())) : v; };
  CallArgs escaped = args;
  if (name == "join") {
    if (!escaped.positional.empty()) {
      std::vector<Value> items = iterate(escaped.positional[0]);
      for (Value& item : items) item = escape(item);
      escaped.positional[0] = Value(List::make(std::move(items)));
    }
  } else {
    for (Value& v : escaped.positional) v = escape(v);
    for (auto& [key, v] : escaped.keyword) v = escape(v);
  }
  Value result = string_method(self.as_string(), name, escaped);
  return result.is_string() ? Value::markup(result.as_string()) : result;
}

Value call_method(const Value& self, std::string_view name, const CallArgs& args, bool& found) {
  found = false;
  if (is_mutator(self, name)) unsafe(self, name);
  if (!is_method(self, name)) return Value();
  found = true;
  switch (self.kind()) {
    case Kind::String: return self.is_markup() ? markup_method(self, name, args) : string_method(self.as_string(), name, args);
    case Kind::List: return list_method(self, name, args);
    case Kind::Dict: return dict_method(self, name, args);
    default: return Value();
  }
}

}  // namespace hf::templates
