#include "templates/pyformat.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "templates/bigint.h"
#include "templates/budget.h"
#include "templates/errors.h"
#include "templates/filters.h"
#include "templates/text.h"

namespace hf::templates {

std::string float_repr(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d < 0 ? "-inf" : "inf";
  // Shortest round-trip digits (what CPython's repr uses), then CPython's layout rules.
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  std::string sign;
  if (sci[0] == '-') {
    sign = "-";
    sci.erase(0, 1);
  }
  size_t e = sci.find('e');
  std::string digits = sci.substr(0, e);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  int exponent = std::stoi(sci.substr(e + 1));
  int decpt = exponent + 1;   // value = 0.DIGITS x 10^decpt
  int n = static_cast<int>(digits.size());
  std::string out = sign;
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) {
      out += "0." + std::string(-decpt, '0') + digits;
    } else if (decpt >= n) {
      out += digits + std::string(decpt - n, '0') + ".0";
    } else {
      out += digits.substr(0, decpt) + "." + digits.substr(decpt);
    }
    return out;
  }
  out += digits.substr(0, 1);
  if (n > 1) out += "." + digits.substr(1);
  char exp_buf[16];
  std::snprintf(exp_buf, sizeof exp_buf, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
  return out + exp_buf;
}

void append_string_repr(std::string& out, const std::string& s) {
  bool has_single = s.find('\'') != std::string::npos;
  bool has_double = s.find('"') != std::string::npos;
  char quote = (has_single && !has_double) ? '"' : '\'';
  out += quote;
  for (size_t pos = 0; pos < s.size();) {
    size_t start = pos;
    char32_t cp = text::next_code_point(s, pos);
    char buf[16];
    if (cp == static_cast<char32_t>(quote) || cp == '\\') {
      out += '\\';
      out += static_cast<char>(cp);
    } else if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (cp == '\t') {
      out += "\\t";
    } else if (!text::is_printable(cp)) {
      if (cp < 0x100) std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(cp));
      else if (cp < 0x10000) std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(cp));
      else std::snprintf(buf, sizeof buf, "\\U%08x", static_cast<unsigned>(cp));
      out += buf;
    } else {
      out.append(s, start, pos - start);
    }
  }
  out += quote;
}

namespace {

void append_json_string(std::string& out, const std::string& s, bool ensure_ascii) {
  out += '"';
  for (size_t pos = 0; pos < s.size();) {
    size_t start = pos;
    char32_t cp = text::next_code_point(s, pos);
    char buf[16];
    switch (cp) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (cp < 0x20 || (ensure_ascii && cp >= 0x7F)) {
          if (cp >= 0x10000) {   // ensure_ascii writes astral characters as surrogate pairs
            char32_t v = cp - 0x10000;
            std::snprintf(buf, sizeof buf, "\\u%04x\\u%04x", static_cast<unsigned>(0xD800 + (v >> 10)),
                          static_cast<unsigned>(0xDC00 + (v & 0x3FF)));
          } else {
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(cp));
          }
          out += buf;
        } else {
          out.append(s, start, pos - start);
        }
    }
  }
  out += '"';
}

void append_json_float(std::string& out, double d) {
  if (std::isnan(d)) out += "NaN";
  else if (std::isinf(d)) out += d < 0 ? "-Infinity" : "Infinity";
  else out += float_repr(d);
}

std::string json_key(const Value& key) {
  switch (key.kind()) {
    case Kind::String: return key.as_string();
    case Kind::Bool: return key.as_bool() ? "true" : "false";
    case Kind::None: return "null";
    case Kind::Int: return int_to_string(key);
    case Kind::Float: {
      std::string s;
      append_json_float(s, key.as_float());
      return s;
    }
    default:
      throw_type_error("keys must be str, int, float, bool or None, not " + type_name(key));
  }
}

struct JsonWriter {
  const JsonDumpOptions& opt;
  std::string& out;
  int depth = 0;

  void newline_indent() {
    out += '\n';
    for (int i = 0; i < depth; ++i) out += *opt.indent;
  }

  void write(const Value& v) {
    if (depth > 200) throw RenderError("RecursionError", "maximum recursion depth exceeded while encoding a JSON object");
    switch (v.kind()) {
      case Kind::None: out += "null"; return;
      case Kind::Bool: out += v.as_bool() ? "true" : "false"; return;
      case Kind::Int: out += int_to_string(v); return;
      case Kind::Float: append_json_float(out, v.as_float()); return;
      case Kind::String: append_json_string(out, v.as_string(), opt.ensure_ascii); return;
      case Kind::List: {
        const List& l = *v.as_list();
        if (l.is_generator || l.view_name) break;
        write_sequence(l.items.size(), '[', ']', [&](size_t i) { write(l.items[i]); });
        return;
      }
      case Kind::Dict: {
        const Dict& d = *v.as_dict();
        std::vector<const std::pair<Value, Value>*> entries;
        for (const auto& kv : d.items) entries.push_back(&kv);
        if (opt.sort_keys)
          std::stable_sort(entries.begin(), entries.end(), [](auto* a, auto* b) {
            return compare(a->first, b->first, "<") < 0;
          });
        write_sequence(entries.size(), '{', '}', [&](size_t i) {
          append_json_string(out, json_key(entries[i]->first), opt.ensure_ascii);
          out += opt.key_separator;
          write(entries[i]->second);
        });
        return;
      }
      default: break;
    }
    throw_type_error("Object of type " + type_name(v) + " is not JSON serializable");
  }

  template <typename F>
  void write_sequence(size_t n, char open, char close, F item) {
    out += open;
    if (n == 0) {
      out += close;
      return;
    }
    ++depth;
    for (size_t i = 0; i < n; ++i) {
      if (i > 0) out += opt.item_separator;
      if (opt.indent) newline_indent();
      item(i);
    }
    --depth;
    if (opt.indent) newline_indent();
    out += close;
  }
};

}  // namespace

std::string json_dumps(const Value& v, const JsonDumpOptions& options) {
  std::string out;
  JsonWriter writer{options, out};
  writer.write(v);
  return out;
}

// ---- printf-style formatting -------------------------------------------------------------

namespace {

std::string format_number(char conv, const std::string& flags, int64_t width, int64_t precision,
                          const Value& v) {
  // The template chooses width and precision: charge them before snprintf builds the text.
  Budget::bytes(std::max<int64_t>(width, 0));
  Budget::bytes(std::max<int64_t>(precision, 0));
  std::string spec = "%" + flags;
  if (width >= 0) spec += std::to_string(width);
  if (precision >= 0) spec += "." + std::to_string(precision);
  auto print = [](const char* format, auto value) {
    int n = std::snprintf(nullptr, 0, format, value);
    if (n < 0) throw_value_error("width too big");   // beyond INT_MAX characters
    std::string out(static_cast<size_t>(n) + 1, '\0');
    std::snprintf(out.data(), out.size(), format, value);
    out.resize(static_cast<size_t>(n));
    return out;
  };
  if (conv == 'd' || conv == 'i' || conv == 'x' || conv == 'X' || conv == 'o') {
    if (!v.is_number()) throw_type_error(std::string("%") + conv + " format: a real number is required, not " + type_name(v));
    if (v.kind() == Kind::Float && !std::isfinite(v.as_float()))
      throw RenderError(std::isnan(v.as_float()) ? "ValueError" : "OverflowError",
                        std::string("cannot convert float ") + (std::isnan(v.as_float()) ? "NaN" : "infinity") + " to integer");
    if (v.is_big() || (v.kind() == Kind::Float && std::fabs(v.as_float()) >= 9.2233720368547758e18)) {
      // past 64 bits: the decimal digits of Python's int, right-aligned in the width
      if (conv != 'd' && conv != 'i') throw RenderError("OverflowError", std::string("%") + conv + " of an int past 64 bits is not supported");
      std::string digits = v.is_big() ? int_to_string(v) : BigInt::from_double(v.as_float()).to_string();
      if (width > static_cast<int64_t>(digits.size()))
        digits.insert(flags.find('-') != std::string::npos ? digits.size() : 0,
                      static_cast<size_t>(width) - digits.size(), ' ');
      return digits;
    }
    int64_t i = v.kind() == Kind::Float ? static_cast<int64_t>(v.as_float()) : v.as_int();
    spec += "ll";
    spec += (conv == 'i' ? 'd' : conv);
    return print(spec.c_str(), static_cast<long long>(i));
  }
  if (!v.is_number()) throw_type_error("must be real number, not " + type_name(v));
  spec += conv;
  return print(spec.c_str(), v.as_float());
}

// A run of digits in a format spec, as CPython reads it ("width too big" past 64 bits).
int64_t parse_count(const std::string& format, size_t& i, const char* too_big, int64_t limit) {
  int64_t n = 0;
  while (i < format.size() && std::isdigit(static_cast<unsigned char>(format[i]))) {
    if (__builtin_mul_overflow(n, 10, &n) || __builtin_add_overflow(n, format[i++] - '0', &n) || n > limit)
      throw_value_error(too_big);
  }
  return n;
}

}  // namespace

std::string percent_format(const std::string& format, const Value& args, bool escape_args) {
  std::vector<Value> values;
  if (args.kind() == Kind::List && args.as_list()->is_tuple) values = args.as_list()->items;
  else values.push_back(args);
  size_t next = 0;
  const Value* keyed = nullptr;   // the mapping's value for a %(key)s conversion
  auto take = [&]() -> const Value& {
    if (keyed) return *keyed;
    if (next >= values.size()) throw_type_error("not enough arguments for format string");
    return values[next++];
  };
  std::string out;
  for (size_t i = 0; i < format.size(); ++i) {
    char c = format[i];
    if (c != '%') {
      out += c;
      continue;
    }
    if (++i >= format.size()) throw_value_error("incomplete format");
    keyed = nullptr;
    if (format[i] == '(') {   // %(key)s: the key (parentheses may nest) looked up in a mapping
      if (args.kind() != Kind::Dict) throw_type_error("format requires a mapping");
      size_t start = ++i;
      for (int depth = 1; depth > 0; ++i) {
        if (i >= format.size()) throw_value_error("incomplete format key");
        depth += format[i] == '(' ? 1 : format[i] == ')' ? -1 : 0;
      }
      std::string key = format.substr(start, i - 1 - start);
      keyed = args.as_dict()->find(std::string_view(key));
      if (!keyed) throw RenderError("KeyError", repr(Value(key)));
      if (i >= format.size()) throw_value_error("incomplete format");
    }
    std::string flags;
    while (i < format.size() && std::string_view("-+ #0").find(format[i]) != std::string_view::npos)
      flags += format[i++];
    int64_t width = -1, precision = -1;
    if (i < format.size() && format[i] == '*') {
      const Value& w = take();
      if (!w.is_integer()) throw_type_error("* wants int");
      width = w.as_int();
      if (width < 0) {   // Python: a negative * width left-justifies
        flags += '-';
        width = width == INT64_MIN ? INT64_MAX : -width;
      }
      ++i;
    }
    if (i < format.size() && std::isdigit(static_cast<unsigned char>(format[i])))
      width = parse_count(format, i, "width too big", INT64_MAX);
    if (i < format.size() && format[i] == '.') {
      ++i;
      precision = parse_count(format, i, "precision too big", INT32_MAX);
    }
    if (i >= format.size()) throw_value_error("incomplete format");
    char conv = format[i];
    std::string piece;
    switch (conv) {
      case '%': out += '%'; continue;
      case 's': {
        const Value& v = take();
        piece = escape_args && !v.is_markup() ? filters::escape_html(to_str(v)) : to_str(v);
        break;
      }
      case 'r': case 'a': piece = escape_args ? filters::escape_html(repr(take())) : repr(take()); break;
      case 'c': {
        // Python: an int (bool included) in range(0x110000) or a one-character string; any
        // other value a TypeError, an int out of range (however big) an OverflowError.
        const Value& v = take();
        if (v.is_string() && text::length(v.as_string()) == 1) {
          piece = v.as_string();
        } else if (v.is_integer()) {
          const bool in_range = !v.is_big() && v.as_int() >= 0 && v.as_int() < 0x110000;
          if (!in_range) throw RenderError("OverflowError", "%c arg not in range(0x110000)");
          text::append_utf8(piece, static_cast<char32_t>(v.as_int()));
        } else {
          throw_type_error("%c requires int or char");
        }
        break;
      }
      case 'd': case 'i': case 'x': case 'X': case 'o': case 'f': case 'F': case 'e': case 'E':
      case 'g': case 'G':
        out += format_number(conv, flags, width, precision, take());
        continue;
      default:
        throw_value_error(std::string("unsupported format character '") + conv + "'");
    }
    if (precision >= 0 && (conv == 's' || conv == 'r')) {
      auto cps = text::code_points(piece);
      if (cps.size() > static_cast<size_t>(precision))
        piece = text::from_code_points(cps.data(), cps.data() + precision);
    }
    size_t len = text::length(piece);
    if (width > 0 && len < static_cast<size_t>(width)) {
      Budget::bytes(width);
      std::string pad(static_cast<size_t>(width) - len, ' ');
      piece = flags.find('-') != std::string::npos ? piece + pad : pad + piece;
    }
    out += piece;
  }
  // CPython skips this check when the argument is a mapping (anything with __getitem__ but a
  // tuple or str: dicts, lists, Undefined), so 'hello' % [1] is 'hello'.
  bool mapping = args.kind() == Kind::Dict || args.kind() == Kind::Undefined ||
                 (args.kind() == Kind::List && !args.as_list()->is_tuple && !args.as_list()->is_generator);
  if (next < values.size() && !mapping) throw_type_error("not all arguments converted during string formatting");
  return out;
}

}  // namespace hf::templates
