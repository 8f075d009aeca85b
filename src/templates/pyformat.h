#pragma once
// Python's textual forms: float repr, string repr, json.dumps as HF's tojson calls it, and
// printf-style `%` formatting. These decide bytes of the rendered prompt, so they follow CPython.
#include <optional>
#include <string>

#include "templates/value.h"

namespace hf::templates {

std::string float_repr(double d);               // repr(1.0) == "1.0", repr(1e16) == "1e+16"
void append_string_repr(std::string& out, const std::string& s);   // repr(str)

struct JsonDumpOptions {
  std::optional<std::string> indent;            // None: one line; "" / "  ": newline + indent
  std::string item_separator = ", ";
  std::string key_separator = ": ";
  bool sort_keys = false;
  bool ensure_ascii = false;
};
// json.dumps(value, ...). Undefined, generators, callables and objects raise TypeError
// ("Object of type generator is not JSON serializable").
std::string json_dumps(const Value& v, const JsonDumpOptions& options);

// `format % args` (args a tuple for several conversions). `escape_args`: Markup's %, which
// HTML-escapes what %s and %r insert (a Markup argument's %s as it is).
std::string percent_format(const std::string& format, const Value& args, bool escape_args = false);

}  // namespace hf::templates
