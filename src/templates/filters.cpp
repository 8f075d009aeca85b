// Jinja2's built-in filters (as jinja2 3.1 defines them) with transformers' tojson.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string_view>
#include <utility>

#include "templates/args.h"
#include "templates/builtins.h"
#include "templates/evaluator.h"
#include "templates/operators.h"
#include "templates/pyformat.h"
#include "templates/text.h"

namespace hf::templates {

namespace {

ListPtr generator(std::vector<Value> items) {
  auto l = List::make(std::move(items));
  l->is_generator = true;
  return l;
}

ListPtr tuple(std::vector<Value> items) {
  auto l = List::make(std::move(items));
  l->is_tuple = true;
  return l;
}

Value undefined_with(std::string hint) {
  UndefinedInfo info;
  info.hint = std::move(hint);
  return Value::undefined(std::move(info));
}

int64_t py_len(const Value& v) {
  switch (v.kind()) {
    case Kind::Undefined: return 0;
    case Kind::String: return static_cast<int64_t>(text::length(v.as_string()));
    case Kind::List:
      if (!v.as_list()->is_generator) return static_cast<int64_t>(v.as_list()->items.size());
      break;
    case Kind::Dict: return static_cast<int64_t>(v.as_dict()->items.size());
    case Kind::Object:
      if (v.as_object()->type_name() == "LoopContext") return v.as_object()->attr("length").as_int();
      break;
    default: break;
  }
  throw_type_error("object of type '" + type_name(v) + "' has no len()");
}

// Jinja2's make_attrgetter: "a.b.0" looks up each part with getitem (item, then attribute).
Value lookup_path(Evaluator& ev, Value item, const Value& attribute) {
  if (!attribute.is_string()) return ev.get_item(item, attribute);
  for (const auto& part : text::split(attribute.as_string(), ".", -1)) {
    bool numeric = !part.empty() && std::all_of(part.begin(), part.end(), ::isdigit);
    item = numeric ? ev.get_item(item, Value(static_cast<int64_t>(std::stoll(part)))) : ev.get_item(item, Value(part));
  }
  return item;
}

Value ignore_case(const Value& v) { return v.is_string() ? Value(text::lower(v.as_string())) : v; }

Value f_length(Evaluator&, const Value& v, const CallArgs&) { return py_len(v); }
Value f_string(Evaluator&, const Value& v, const CallArgs&) { return to_str(v); }
Value f_upper(Evaluator&, const Value& v, const CallArgs&) { return text::upper(to_str(v)); }
Value f_lower(Evaluator&, const Value& v, const CallArgs&) { return text::lower(to_str(v)); }
Value f_capitalize(Evaluator&, const Value& v, const CallArgs&) { return text::capitalize(to_str(v)); }
Value f_pprint(Evaluator&, const Value& v, const CallArgs&) { return repr(v); }
Value f_list(Evaluator&, const Value& v, const CallArgs&) { return List::make(iterate(v)); }

Value f_safe(Evaluator&, const Value& v, const CallArgs&) { return to_str(v); }

Value f_escape(Evaluator&, const Value& v, const CallArgs&) {
  std::string out;
  for (char c : to_str(v)) {
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

// Jinja2's title filter capitalizes after '-', whitespace and opening brackets.
Value f_title(Evaluator&, const Value& v, const CallArgs&) {
  std::string s = to_str(v), out;
  bool word_start = true;
  for (size_t pos = 0; pos < s.size();) {
    char32_t cp = text::next_code_point(s, pos);
    bool separator = cp == '-' || cp == '(' || cp == '{' || cp == '[' || cp == '<' || text::is_space(cp);
    text::append_utf8(out, separator ? cp : word_start ? text::to_upper(cp) : text::to_lower(cp));
    word_start = separator;
  }
  return out;
}

Value f_trim(Evaluator&, const Value& v, const CallArgs& a) {
  std::string s = to_str(v);
  Value chars = arg(a, 0, "chars");
  std::string set = chars.is_none() ? "" : to_str(chars);
  return std::string(text::strip(s, chars.is_none() ? nullptr : &set, true, true));
}

Value f_replace(Evaluator&, const Value& v, const CallArgs& a) {
  return text::replace(to_str(v), to_str(arg(a, 0, "old")), to_str(arg(a, 1, "new")), int_arg(a, 2, "count", -1));
}

Value f_default(Evaluator&, const Value& v, const CallArgs& a) {
  bool boolean = bool_arg(a, 1, "boolean", false);
  if (v.is_undefined() || (boolean && !truthy(v))) return arg(a, 0, "default_value", Value(""));
  return v;
}

// transformers' tojson: json.dumps(x, ensure_ascii=False, indent=..., separators=..., sort_keys=...).
Value f_tojson(Evaluator&, const Value& v, const CallArgs& a) {
  JsonDumpOptions opt;
  opt.ensure_ascii = bool_arg(a, 0, "ensure_ascii", false);
  Value indent = arg(a, 1, "indent");
  if (indent.is_integer()) opt.indent = std::string(static_cast<size_t>(std::max<int64_t>(0, indent.as_int())), ' ');
  else if (indent.is_string()) opt.indent = indent.as_string();
  else if (!indent.is_none()) throw_type_error("indent must be an int or a str, not " + type_name(indent));
  if (opt.indent) opt.item_separator = ",";
  Value separators = arg(a, 2, "separators");
  if (separators.kind() == Kind::List && separators.as_list()->items.size() == 2) {
    opt.item_separator = to_str(separators.as_list()->items[0]);
    opt.key_separator = to_str(separators.as_list()->items[1]);
  } else if (!separators.is_none()) {
    throw_value_error("separators must be a (item_separator, key_separator) pair");
  }
  opt.sort_keys = bool_arg(a, 3, "sort_keys", false);
  return json_dumps(v, opt);
}

Value f_join(Evaluator& ev, const Value& v, const CallArgs& a) {
  std::string sep = str_arg(a, 0, "d", "");
  Value attribute = arg(a, 1, "attribute");
  std::string out;
  bool first = true;
  for (const Value& item : iterate(v)) {
    if (!first) out += sep;
    first = false;
    append_str(out, attribute.is_none() ? item : lookup_path(ev, item, attribute));
  }
  return out;
}

Value f_first(Evaluator&, const Value& v, const CallArgs&) {
  if (v.kind() == Kind::List && v.as_list()->is_generator) {
    const List& l = *v.as_list();
    if (l.consumed < l.items.size()) return l.items[l.consumed++];
  } else {
    auto items = iterate(v);
    if (!items.empty()) return items.front();
  }
  return undefined_with("No first item, sequence was empty.");
}

Value f_last(Evaluator&, const Value& v, const CallArgs&) {
  if (v.kind() == Kind::List && v.as_list()->is_generator) throw_type_error("'generator' object is not reversible");
  auto items = iterate(v);
  if (!items.empty()) return items.back();
  return undefined_with("No last item, sequence was empty.");
}

Value f_items(Evaluator&, const Value& v, const CallArgs&) {
  if (v.is_undefined()) return generator({});
  if (v.kind() != Kind::Dict) throw_type_error("Can only get item pairs from a mapping.");
  std::vector<Value> pairs;
  for (const auto& [k, val] : v.as_dict()->items) pairs.emplace_back(tuple({k, val}));
  return generator(std::move(pairs));
}

Value f_dictsort(Evaluator&, const Value& v, const CallArgs& a) {
  if (v.kind() != Kind::Dict) throw RenderError("FilterArgumentError", "dictsort needs a mapping, not " + type_name(v));
  bool case_sensitive = bool_arg(a, 0, "case_sensitive", false);
  std::string by = str_arg(a, 1, "by", "key");
  bool reverse = bool_arg(a, 2, "reverse", false);
  if (by != "key" && by != "value") throw RenderError("FilterArgumentError", "You can only sort by either \"key\" or \"value\"");
  size_t pos = by == "key" ? 0 : 1;
  std::vector<Value> pairs;
  for (const auto& [k, val] : v.as_dict()->items) pairs.emplace_back(tuple({k, val}));
  auto key = [&](const Value& p) {
    const Value& x = p.as_list()->items[pos];
    return case_sensitive ? x : ignore_case(x);
  };
  std::stable_sort(pairs.begin(), pairs.end(), [&](const Value& x, const Value& y) {
    return reverse ? compare(key(y), key(x), "<") < 0 : compare(key(x), key(y), "<") < 0;
  });
  return List::make(std::move(pairs));
}

Value f_sort(Evaluator& ev, const Value& v, const CallArgs& a) {
  bool reverse = bool_arg(a, 0, "reverse", false);
  bool case_sensitive = bool_arg(a, 1, "case_sensitive", false);
  Value attribute = arg(a, 2, "attribute");
  std::vector<Value> items = iterate(v);
  std::vector<std::string> paths;
  if (attribute.is_string()) paths = text::split(attribute.as_string(), ",", -1);
  auto key = [&](const Value& item) {
    std::vector<Value> keys;
    if (paths.empty()) keys.push_back(attribute.is_none() ? item : lookup_path(ev, item, attribute));
    for (const auto& p : paths) keys.push_back(lookup_path(ev, item, Value(std::string(text::strip(p, nullptr, true, true)))));
    for (auto& k : keys) k = case_sensitive ? k : ignore_case(k);
    return Value(List::make(std::move(keys)));
  };
  std::vector<std::pair<Value, Value>> keyed;
  for (auto& item : items) keyed.emplace_back(key(item), std::move(item));
  std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& x, const auto& y) {
    return reverse ? compare(y.first, x.first, "<") < 0 : compare(x.first, y.first, "<") < 0;
  });
  auto out = List::make();
  for (auto& kv : keyed) out->items.push_back(std::move(kv.second));
  return out;
}

Value f_unique(Evaluator& ev, const Value& v, const CallArgs& a) {
  bool case_sensitive = bool_arg(a, 0, "case_sensitive", false);
  Value attribute = arg(a, 1, "attribute");
  std::vector<Value> seen, out;
  for (const Value& item : iterate(v)) {
    Value k = attribute.is_none() ? item : lookup_path(ev, item, attribute);
    if (!case_sensitive) k = ignore_case(k);
    if (std::any_of(seen.begin(), seen.end(), [&](const Value& s) { return equal(s, k); })) continue;
    seen.push_back(std::move(k));
    out.push_back(item);
  }
  return generator(std::move(out));
}

Value f_reverse(Evaluator&, const Value& v, const CallArgs&) {
  if (v.is_string()) {
    auto cps = text::code_points(v.as_string());
    std::reverse(cps.begin(), cps.end());
    return text::from_code_points(cps.data(), cps.data() + cps.size());
  }
  bool reversible = v.kind() == Kind::Dict || (v.kind() == Kind::List && !v.as_list()->is_generator);
  auto items = iterate(v);
  std::reverse(items.begin(), items.end());
  return reversible ? generator(std::move(items)) : List::make(std::move(items));
}

// map('filter', args...) or map(attribute='x', default=...)
Value f_map(Evaluator& ev, const Value& v, const CallArgs& a) {
  std::vector<Value> out;
  if (a.positional.empty()) {
    const Value* attribute = a.get(99, "attribute");
    if (!attribute) return generator(iterate(v));
    Value fallback = arg(a, 99, "default");
    for (const Value& item : iterate(v)) {
      Value r = lookup_path(ev, item, *attribute);
      out.push_back(r.is_undefined() && !fallback.is_none() ? fallback : r);
    }
    return generator(std::move(out));
  }
  std::string name = to_str(a.positional[0]);
  FilterFn fn = find_filter(name);
  if (!fn) throw RenderError("TemplateRuntimeError", "No filter named '" + name + "'.");
  CallArgs rest;
  rest.positional.assign(a.positional.begin() + 1, a.positional.end());
  rest.keyword = a.keyword;
  for (const Value& item : iterate(v)) out.push_back(fn(ev, item, rest));
  return generator(std::move(out));
}

// select/reject/selectattr/rejectattr: keep items whose (attribute's) test result is `keep`.
Value select_items(Evaluator& ev, const Value& v, const CallArgs& a, bool by_attribute, bool keep) {
  size_t first = 0;
  Value attribute;
  if (by_attribute) {
    if (a.positional.empty()) throw_type_error("selectattr needs an attribute name");
    attribute = a.positional[0];
    first = 1;
  }
  TestFn test = nullptr;
  CallArgs rest;
  if (a.positional.size() > first) {
    std::string name = to_str(a.positional[first]);
    test = find_test(name);
    if (!test) throw RenderError("TemplateRuntimeError", "No test named '" + name + "'.");
    rest.positional.assign(a.positional.begin() + static_cast<long>(first) + 1, a.positional.end());
    rest.keyword = a.keyword;
  }
  std::vector<Value> out;
  for (const Value& item : iterate(v)) {
    Value subject = by_attribute ? lookup_path(ev, item, attribute) : item;
    bool result = test ? test(ev, subject, rest) : truthy(subject);
    if (result == keep) out.push_back(item);
  }
  return generator(std::move(out));
}

Value f_select(Evaluator& ev, const Value& v, const CallArgs& a) { return select_items(ev, v, a, false, true); }
Value f_reject(Evaluator& ev, const Value& v, const CallArgs& a) { return select_items(ev, v, a, false, false); }
Value f_selectattr(Evaluator& ev, const Value& v, const CallArgs& a) { return select_items(ev, v, a, true, true); }
Value f_rejectattr(Evaluator& ev, const Value& v, const CallArgs& a) { return select_items(ev, v, a, true, false); }

Value f_indent(Evaluator&, const Value& v, const CallArgs& a) {
  Value width = arg(a, 0, "width", Value(4));
  std::string indention = width.is_string() ? width.as_string() : std::string(static_cast<size_t>(std::max<int64_t>(0, width.as_int())), ' ');
  bool first = bool_arg(a, 1, "first", false);
  bool blank = bool_arg(a, 2, "blank", false);
  std::string s = to_str(v) + "\n";   // jinja2 appends a newline so splitlines() keeps a trailing empty line
  auto lines = text::splitlines(s, false);
  std::string rv;
  if (blank) {
    for (size_t i = 0; i < lines.size(); ++i) rv += (i ? "\n" + indention : "") + lines[i];
  } else {
    rv = lines.empty() ? "" : lines[0];
    for (size_t i = 1; i < lines.size(); ++i) rv += "\n" + (lines[i].empty() ? "" : indention) + lines[i];
  }
  return first ? indention + rv : rv;
}

// Python's int(str): surrounding whitespace, a sign, digits with single underscores.
bool parse_int(const std::string& raw, int64_t base, int64_t& out) {
  std::string s(text::strip(raw, nullptr, true, true));
  std::string digits;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '_' && i > 0 && i + 1 < s.size() && std::isalnum(static_cast<unsigned char>(s[i - 1]))) continue;
    digits += s[i];
  }
  if (digits.empty()) return false;
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(digits.c_str(), &end, static_cast<int>(base));
  if (*end != 0 || errno == ERANGE || std::isspace(static_cast<unsigned char>(digits[0]))) return false;
  out = v;
  return true;
}

bool parse_float(const std::string& raw, double& out) {
  std::string s(text::strip(raw, nullptr, true, true));
  if (s.empty()) return false;
  char* end = nullptr;
  out = std::strtod(s.c_str(), &end);
  return *end == 0;
}

Value f_int(Evaluator&, const Value& v, const CallArgs& a) {
  Value fallback = arg(a, 0, "default", Value(0));
  int64_t base = int_arg(a, 1, "base", 10);
  switch (v.kind()) {
    case Kind::Int: case Kind::Bool: return v.as_int();
    case Kind::Float: return std::isfinite(v.as_float()) ? Value(static_cast<int64_t>(v.as_float())) : fallback;
    case Kind::String: {
      int64_t i;
      if (parse_int(v.as_string(), base, i)) return i;
      double d;
      if (parse_float(v.as_string(), d) && std::isfinite(d)) return static_cast<int64_t>(d);
      return fallback;
    }
    default: return fallback;
  }
}

Value f_float(Evaluator&, const Value& v, const CallArgs& a) {
  Value fallback = arg(a, 0, "default", Value(0.0));
  if (v.is_number()) return v.as_float();
  double d;
  if (v.is_string() && parse_float(v.as_string(), d)) return d;
  return fallback;
}

// round(value, precision): Python rounds the exact binary value half-to-even, as printf does.
Value f_round(Evaluator&, const Value& v, const CallArgs& a) {
  int64_t precision = int_arg(a, 0, "precision", 0);
  std::string method = str_arg(a, 1, "method", "common");
  if (!v.is_number()) throw_type_error("type " + type_name(v) + " doesn't define __round__ method");
  if (method == "common") {
    if (v.is_integer()) return v.as_int();
    char buf[512];
    std::snprintf(buf, sizeof buf, "%.*f", static_cast<int>(std::clamp<int64_t>(precision, 0, 300)), v.as_float());
    return std::strtod(buf, nullptr);
  }
  if (method != "ceil" && method != "floor")
    throw RenderError("FilterArgumentError", "method must be common, ceil or floor");
  double scale = std::pow(10.0, static_cast<double>(precision));
  double x = v.as_float() * scale;
  return (method == "ceil" ? std::ceil(x) : std::floor(x)) / scale;
}

Value f_abs(Evaluator&, const Value& v, const CallArgs&) {
  if (v.kind() == Kind::Float) return std::fabs(v.as_float());
  if (v.is_integer()) return v.as_int() < 0 ? -v.as_int() : v.as_int();
  throw_type_error("bad operand type for abs(): '" + type_name(v) + "'");
}

Value f_sum(Evaluator& ev, const Value& v, const CallArgs& a) {
  Value attribute = arg(a, 0, "attribute");
  Value total = arg(a, 1, "start", Value(0));
  for (const Value& item : iterate(v))
    total = binary_op(BinOp::Add, total, attribute.is_none() ? item : lookup_path(ev, item, attribute));
  return total;
}

Value min_max(Evaluator& ev, const Value& v, const CallArgs& a, bool want_max) {
  bool case_sensitive = bool_arg(a, 0, "case_sensitive", false);
  Value attribute = arg(a, 1, "attribute");
  auto items = iterate(v);
  if (items.empty()) return undefined_with(want_max ? "No largest item, sequence was empty." : "No smallest item, sequence was empty.");
  auto key = [&](const Value& item) {
    Value k = attribute.is_none() ? item : lookup_path(ev, item, attribute);
    return case_sensitive ? k : ignore_case(k);
  };
  size_t best = 0;
  for (size_t i = 1; i < items.size(); ++i) {
    int c = compare(key(items[i]), key(items[best]), want_max ? ">" : "<");
    if (want_max ? c > 0 : c < 0) best = i;
  }
  return items[best];
}

Value f_max(Evaluator& ev, const Value& v, const CallArgs& a) { return min_max(ev, v, a, true); }
Value f_min(Evaluator& ev, const Value& v, const CallArgs& a) { return min_max(ev, v, a, false); }

Value f_center(Evaluator&, const Value& v, const CallArgs& a) {
  std::string s = to_str(v);
  int64_t width = int_arg(a, 0, "width", 80);
  int64_t len = static_cast<int64_t>(text::length(s));
  if (width <= len) return s;
  int64_t total = width - len, left = total / 2 + (total & width & 1);
  return std::string(static_cast<size_t>(left), ' ') + s + std::string(static_cast<size_t>(total - left), ' ');
}

Value f_format(Evaluator&, const Value& v, const CallArgs& a) {
  if (!a.keyword.empty()) throw RenderError("FilterArgumentError", "format with keyword arguments is not supported");
  return percent_format(to_str(v), Value(tuple(a.positional)));
}

Value f_truncate(Evaluator&, const Value& v, const CallArgs& a) {
  std::string s = to_str(v);
  int64_t length = int_arg(a, 0, "length", 255);
  bool killwords = bool_arg(a, 1, "killwords", false);
  std::string end = str_arg(a, 2, "end", "...");
  int64_t leeway = int_arg(a, 3, "leeway", 5);
  auto cps = text::code_points(s);
  int64_t n = static_cast<int64_t>(cps.size()), end_len = static_cast<int64_t>(text::length(end));
  if (n <= length + leeway) return s;
  int64_t keep = std::clamp<int64_t>(length - end_len, 0, n);
  std::string head = text::from_code_points(cps.data(), cps.data() + keep);
  if (killwords) return head + end;
  size_t space = head.rfind(' ');
  return (space == std::string::npos ? head : head.substr(0, space)) + end;
}

Value f_wordcount(Evaluator&, const Value& v, const CallArgs&) {
  std::string s = to_str(v);
  int64_t words = 0;
  bool in_word = false;
  for (size_t pos = 0; pos < s.size();) {
    char32_t cp = text::next_code_point(s, pos);
    bool word_char = text::is_alpha(cp) || text::is_digit(cp) || cp == '_' || cp >= 0x2E80;
    if (word_char && !in_word) ++words;
    in_word = word_char;
  }
  return words;
}

Value f_attr(Evaluator& ev, const Value& v, const CallArgs& a) {
  std::string name = str_arg(a, 0, "name", "");
  if (v.kind() == Kind::Dict) {   // getattr() on a dict finds its methods, never its keys
    Value m = method_attribute(v, name);
    if (!m.is_undefined() || m.undefined_info()) return m;
    UndefinedInfo info;
    info.name = name;
    info.owner = owner_name(v);
    return Value::undefined(std::move(info));
  }
  return ev.get_attr(v, name);
}

Value f_batch(Evaluator&, const Value& v, const CallArgs& a) {
  int64_t count = int_arg(a, 0, "linecount", 1);
  if (count <= 0) throw_value_error("batch size must be positive");
  Value fill = arg(a, 1, "fill_with");
  std::vector<Value> out;
  auto current = List::make();
  for (const Value& item : iterate(v)) {
    current->items.push_back(item);
    if (static_cast<int64_t>(current->items.size()) == count) {
      out.emplace_back(current);
      current = List::make();
    }
  }
  if (!current->items.empty()) {
    if (!fill.is_none())
      while (static_cast<int64_t>(current->items.size()) < count) current->items.push_back(fill);
    out.emplace_back(current);
  }
  return generator(std::move(out));
}

Value f_groupby(Evaluator& ev, const Value& v, const CallArgs& a) {
  Value attribute = arg(a, 0, "attribute");
  Value fallback = arg(a, 1, "default");
  bool case_sensitive = bool_arg(a, 2, "case_sensitive", false);
  std::vector<std::pair<Value, Value>> keyed;
  for (const Value& item : iterate(v)) {
    Value k = lookup_path(ev, item, attribute);
    if (k.is_undefined() && !fallback.is_none()) k = fallback;
    keyed.emplace_back(case_sensitive ? k : ignore_case(k), item);
  }
  std::stable_sort(keyed.begin(), keyed.end(),
                   [](const auto& x, const auto& y) { return compare(x.first, y.first, "<") < 0; });
  auto groups = List::make();
  for (size_t i = 0; i < keyed.size();) {
    auto members = List::make();
    size_t j = i;
    for (; j < keyed.size() && equal(keyed[j].first, keyed[i].first); ++j) members->items.push_back(keyed[j].second);
    groups->items.emplace_back(tuple({keyed[i].first, Value(members)}));
    i = j;
  }
  return groups;
}

constexpr std::pair<std::string_view, FilterFn> kFilters[] = {
    {"abs", f_abs}, {"attr", f_attr}, {"batch", f_batch}, {"capitalize", f_capitalize},
    {"center", f_center}, {"count", f_length}, {"d", f_default}, {"default", f_default},
    {"dictsort", f_dictsort}, {"e", f_escape}, {"escape", f_escape}, {"first", f_first},
    {"float", f_float}, {"forceescape", f_escape}, {"format", f_format}, {"groupby", f_groupby},
    {"indent", f_indent}, {"int", f_int}, {"items", f_items}, {"join", f_join}, {"last", f_last},
    {"length", f_length}, {"list", f_list}, {"lower", f_lower}, {"map", f_map}, {"max", f_max},
    {"min", f_min}, {"pprint", f_pprint}, {"reject", f_reject}, {"rejectattr", f_rejectattr},
    {"replace", f_replace}, {"reverse", f_reverse}, {"round", f_round}, {"safe", f_safe},
    {"select", f_select}, {"selectattr", f_selectattr}, {"sort", f_sort}, {"string", f_string},
    {"sum", f_sum}, {"title", f_title}, {"tojson", f_tojson}, {"trim", f_trim},
    {"truncate", f_truncate}, {"unique", f_unique}, {"upper", f_upper}, {"wordcount", f_wordcount},
};

}  // namespace

FilterFn find_filter(std::string_view name) {
  for (const auto& [n, fn] : kFilters)
    if (n == name) return fn;
  return nullptr;
}

}  // namespace hf::templates
