// Jinja2's filters on strings and numbers (with transformers' tojson), and the filter registry;
// the sequence filters are in filters_sequence.cpp.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string_view>
#include <utility>

#include "templates/args.h"
#include "templates/bigint.h"
#include "templates/budget.h"
#include "templates/builtins.h"
#include "templates/filters.h"
#include "templates/operators.h"
#include "templates/pyformat.h"

namespace hf::templates {

namespace filters {
namespace {

// Filters that call soft_str(s).method() keep a Markup value Markup (markupsafe wraps the method).
Value f_string(Evaluator&, const Value& v, const CallArgs&) { return Value::string_like(v, to_str(v)); }

Value f_upper(Evaluator&, const Value& v, const CallArgs&) { return Value::string_like(v, text::upper(to_str(v))); }

Value f_lower(Evaluator&, const Value& v, const CallArgs&) { return Value::string_like(v, text::lower(to_str(v))); }

Value f_capitalize(Evaluator&, const Value& v, const CallArgs&) {
  return Value::string_like(v, text::capitalize(to_str(v)));
}

Value f_safe(Evaluator&, const Value& v, const CallArgs&) { return Value::markup(to_str(v)); }

// markupsafe.escape: Markup stays as it is, anything else is escaped into Markup.
Value f_escape(Evaluator&, const Value& v, const CallArgs&) {
  return v.is_markup() ? v : Value::markup(escape_html(to_str(v)));
}

Value f_forceescape(Evaluator&, const Value& v, const CallArgs&) { return Value::markup(escape_html(to_str(v))); }

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
  return Value::string_like(v, std::string(text::strip(s, chars.is_none() ? nullptr : &set, true, true)));
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
  if (indent.is_integer()) {
    Budget::bytes(indent.as_int());
    opt.indent = std::string(static_cast<size_t>(std::max<int64_t>(0, indent.as_int())), ' ');
  }
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

Value f_indent(Evaluator&, const Value& v, const CallArgs& a) {
  Value width = arg(a, 0, "width", Value(4));
  if (width.is_integer()) Budget::bytes(width.as_int());
  std::string indention = width.is_string() ? width.as_string() : std::string(static_cast<size_t>(std::max<int64_t>(0, width.as_int())), ' ');
  bool first = bool_arg(a, 1, "first", false);
  bool blank = bool_arg(a, 2, "blank", false);
  // jinja2 does `s += "\n"` before anything else, so only strings get through.
  if (v.is_undefined()) v.fail_undefined();
  if (!v.is_string()) {
    if (v.kind() == Kind::List && !v.as_list()->is_tuple)
      throw RenderError("AttributeError", "'list' object has no attribute 'splitlines'");
    if (v.kind() == Kind::List && v.as_list()->is_tuple)
      throw_type_error("can only concatenate tuple (not \"str\") to tuple");
    throw_type_error("unsupported operand type(s) for +=: '" + type_name(v) + "' and 'str'");
  }
  std::string s = v.as_string() + "\n";   // jinja2 appends a newline so splitlines() keeps a trailing empty line
  auto lines = text::splitlines(s, false);
  Budget::bytes(static_cast<int64_t>(lines.size()), static_cast<int64_t>(indention.size()));
  std::string rv;
  if (blank) {
    for (size_t i = 0; i < lines.size(); ++i) rv += (i ? "\n" + indention : "") + lines[i];
  } else {
    rv = lines.empty() ? "" : lines[0];
    for (size_t i = 1; i < lines.size(); ++i) rv += "\n" + (lines[i].empty() ? "" : indention) + lines[i];
  }
  return first ? indention + rv : rv;
}

// Python's int(str, base): surrounding whitespace, a sign, the prefix 0x/0o/0b where the base
// allows it (base 0: the prefix decides, else decimal without leading zeros), digits with single
// underscores between them (and after a prefix). Any size; nullopt where Python raises ValueError.
std::optional<Value> parse_int(const std::string& raw, int64_t base) {
  if (base != 0 && (base < 2 || base > 36)) return std::nullopt;
  std::string_view s = text::strip(raw, nullptr, true, true);
  bool negative = !s.empty() && s[0] == '-';
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  bool prefixed = false;
  if (s.size() >= 2 && s[0] == '0') {
    char p = static_cast<char>(std::tolower(static_cast<unsigned char>(s[1])));
    int prefix_base = p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 0;
    if (prefix_base && (base == 0 || base == prefix_base)) {
      base = prefix_base;
      prefixed = true;
      s.remove_prefix(2);
    }
  }
  std::string digits;
  for (size_t i = 0; i < s.size(); ++i) {
    bool underscore_ok = s[i] == '_' && i + 1 < s.size() && s[i + 1] != '_' && (i > 0 || prefixed);
    if (underscore_ok) continue;
    digits += static_cast<char>(std::tolower(static_cast<unsigned char>(s[i])));
  }
  if (digits.empty()) return std::nullopt;
  if (base == 0) {   // no prefix: decimal, where a leading zero is only allowed in zero itself
    if (digits[0] == '0' && digits.find_first_not_of('0') != std::string::npos) return std::nullopt;
    base = 10;
  }
  auto value = BigInt::parse(digits, static_cast<int>(base));
  if (!value) return std::nullopt;
  return Value(negative ? -*value : *value);
}

bool parse_float(const std::string& raw, double& out) {
  std::string s(text::strip(raw, nullptr, true, true));
  if (s.empty() || s.find_first_of("xXpP") != std::string::npos) return false;   // strtod's hex floats
  char* end = nullptr;
  out = std::strtod(s.c_str(), &end);
  return *end == 0;
}

// int(float): truncated toward zero, exactly, of any size (int(1e20) is 100000000000000000000).
Value float_to_int(double d) {
  if (std::isinf(d)) throw RenderError("OverflowError", "cannot convert float infinity to integer");
  return Value(BigInt::from_double(d));
}

Value f_int(Evaluator&, const Value& v, const CallArgs& a) {
  if (v.is_undefined()) v.fail_undefined();   // int(Undefined) raises
  Value fallback = arg(a, 0, "default", Value(0));
  int64_t base = int_arg(a, 1, "base", 10);
  switch (v.kind()) {
    case Kind::Int: case Kind::Bool: return Value(v.as_big());
    case Kind::Float: return std::isnan(v.as_float()) ? fallback : float_to_int(v.as_float());
    case Kind::String: {   // int(value, base), else int(float(value)), else the default
      if (auto i = parse_int(v.as_string(), base)) return *i;
      double d;
      if (parse_float(v.as_string(), d) && std::isfinite(d)) return float_to_int(d);   // inf: OverflowError, caught
      return fallback;
    }
    default: return fallback;
  }
}

Value f_float(Evaluator&, const Value& v, const CallArgs& a) {
  if (v.is_undefined()) v.fail_undefined();   // float(Undefined) raises
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
    if (v.is_integer() && precision >= 0) return v.as_int();
    if (v.is_integer()) {   // round(1250, -2): to a multiple of 10**-precision, ties to even
      if (precision < -18) return int64_t{0};
      int64_t unit = 1;
      for (int64_t i = 0; i < -precision; ++i) unit *= 10;
      int64_t x = v.as_int(), q = x / unit, r = x % unit;
      if (r < 0) r += unit, --q;
      if (2 * r > unit || (2 * r == unit && (q & 1))) ++q;
      int64_t result;
      if (__builtin_mul_overflow(q, unit, &result)) throw RenderError("OverflowError", "integer result too large");
      return result;
    }
    if (precision < 0) {
      double unit = std::pow(10.0, static_cast<double>(-precision));
      return std::nearbyint(v.as_float() / unit) * unit;
    }
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
  if (v.is_integer()) return (v.is_big() ? v.as_big().negative() : v.as_int() < 0) ? negate(v) : Value(v.as_big());
  throw_type_error("bad operand type for abs(): '" + type_name(v) + "'");
}

Value f_center(Evaluator&, const Value& v, const CallArgs& a) {
  std::string s = to_str(v);
  int64_t width = int_arg(a, 0, "width", 80);
  int64_t len = static_cast<int64_t>(text::length(s));
  if (width <= len) return Value::string_like(v, s);
  Budget::bytes(width);
  int64_t total = width - len, left = total / 2 + (total & width & 1);
  return Value::string_like(v, std::string(static_cast<size_t>(left), ' ') + s +
                                   std::string(static_cast<size_t>(total - left), ' '));
}

Value f_format(Evaluator&, const Value& v, const CallArgs& a) {
  // soft_str(value) % (kwargs or args)
  if (!a.keyword.empty() && !a.positional.empty())
    throw RenderError("FilterArgumentError", "can't handle positional and keyword arguments at the same time");
  Value args = Value(tuple(a.positional));
  if (!a.keyword.empty()) {
    auto kwargs = Dict::make();
    for (const auto& [name, value] : a.keyword) kwargs->set(Value(name), value);
    args = Value(kwargs);
  }
  return Value::string_like(v, percent_format(to_str(v), args, v.is_markup()));
}

Value f_truncate(Evaluator&, const Value& v, const CallArgs& a) {
  std::string s = to_str(v);
  int64_t length = int_arg(a, 0, "length", 255);
  bool killwords = bool_arg(a, 1, "killwords", false);
  std::string end = str_arg(a, 2, "end", "...");
  int64_t leeway = int_arg(a, 3, "leeway", 5);
  auto cps = text::code_points(s);
  int64_t n = static_cast<int64_t>(cps.size()), end_len = static_cast<int64_t>(text::length(end));
  if (static_cast<__int128>(n) <= static_cast<__int128>(length) + leeway) return s;
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
// Jinja2's filesizeformat: decimal (kB, MB, ...) or binary (KiB, MiB, ...) prefixes.
Value f_filesizeformat(Evaluator&, const Value& v, const CallArgs& a) {
  double bytes;
  if (v.is_number()) bytes = v.as_float();
  else if (!v.is_string() || !parse_float(v.as_string(), bytes))
    throw_value_error("could not convert string to float: " + repr(v));
  bool binary = bool_arg(a, 0, "binary", false);
  double base = binary ? 1024 : 1000;
  static const char* kDecimal[] = {"kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
  static const char* kBinary[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"};
  if (bytes == 1) return "1 Byte";
  if (bytes < base) return std::to_string(static_cast<int64_t>(bytes)) + " Bytes";
  double unit = base;
  char buf[64];
  for (int i = 0; i < 8; ++i) {
    unit *= base;
    if (bytes < unit || i == 7) {
      std::snprintf(buf, sizeof buf, "%.1f %s", base * bytes / unit, binary ? kBinary[i] : kDecimal[i]);
      break;
    }
  }
  return std::string(buf);
}

constexpr std::pair<std::string_view, FilterFn> kTextFilters[] = {
    {"abs", f_abs}, {"attr", f_attr}, {"capitalize", f_capitalize}, {"center", f_center},
    {"d", f_default}, {"default", f_default}, {"e", f_escape}, {"escape", f_escape},
    {"filesizeformat", f_filesizeformat}, {"float", f_float}, {"forceescape", f_forceescape}, {"format", f_format}, {"indent", f_indent},
    {"int", f_int}, {"lower", f_lower}, {"pprint", f_pprint}, {"replace", f_replace},
    {"round", f_round}, {"safe", f_safe}, {"string", f_string}, {"title", f_title},
    {"tojson", f_tojson}, {"trim", f_trim}, {"truncate", f_truncate}, {"upper", f_upper},
    {"wordcount", f_wordcount}, {"wordwrap", f_wordwrap},
};

}  // namespace
}  // namespace filters

FilterFn find_filter(std::string_view name) {
  for (const auto& [n, fn] : filters::kTextFilters)
    if (n == name) return fn;
  if (FilterFn fn = filters::find_sequence_filter(name)) return fn;
  return filters::find_html_filter(name);
}

}  // namespace hf::templates
