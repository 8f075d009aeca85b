// JSON Schema → rules: one rule per subschema that is called from several places (property
// values, items, anyOf branches, $ref targets), plain fragments for the rest.
#include "generation/constrained/json_schema.h"

#include <map>
#include <set>
#include <string>

#include "generation/constrained/regex.h"
#include "hf/error.h"

namespace hf::constrained {

namespace {

constexpr int kMaxUnroll = 4096;  // minItems/maxItems/minLength/maxLength copies

// Anything else (annotations such as title, description, default, examples; $defs) is ignored,
// as JSON Schema ignores unknown keywords.
const std::set<std::string> kSupported = {"type",     "properties", "required",  "additionalProperties",
                                          "items",    "minItems",   "maxItems",  "enum",
                                          "const",    "anyOf",      "allOf",     "$ref",
                                          "minLength", "maxLength", "pattern"};
// Validation keywords the automaton does not enforce: each is refused by name rather than
// silently producing an answer that may not validate.
const std::set<std::string> kUnsupported = {
    "minimum",         "maximum",          "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
    "format",          "oneOf",            "not",              "if",               "then",
    "else",            "prefixItems",      "contains",         "minContains",      "maxContains",
    "uniqueItems",     "patternProperties", "propertyNames",   "minProperties",    "maxProperties",
    "dependentRequired", "dependentSchemas", "dependencies",   "unevaluatedProperties",
    "unevaluatedItems", "additionalItems",  "$dynamicRef",     "$recursiveRef",    "contentEncoding",
    "contentMediaType", "contentSchema"};

class SchemaCompiler {
 public:
  SchemaCompiler(Builder& b, const json& root) : b_(b), root_(root) {}

  uint32_t rule_of(const json& s, const std::string& where) {
    uint32_t r = b_.new_rule();
    b_.define_rule(r, value(s, where));
    return r;
  }

  // Any JSON value (one rule, recursive through arrays and objects).
  uint32_t any_value() {
    if (any_ != kNone) return any_;
    any_ = b_.new_rule();
    const uint32_t self = any_;
    std::vector<Frag> choices = {map_of(self), array_of(self, 0, -1), string_frag(), number(),
                                 b_.literal("true"), b_.literal("false"), b_.literal("null")};
    b_.define_rule(self, b_.alt(choices));
    return self;
  }

  Frag map_of(uint32_t value_rule) {
    auto pair = [&] { return b_.seq({string_frag(), colon(), b_.call(value_rule)}); };
    Frag pairs = b_.seq(pair(), b_.star(b_.seq(comma(), pair())));
    return b_.seq({b_.literal("{"), b_.opt(pairs), b_.literal("}")});
  }

  Frag array_of(uint32_t item_rule, int min, int max) {
    if (max == 0) return b_.literal("[]");
    auto item = [&] { return b_.call(item_rule); };
    Frag elems = b_.seq(item(), b_.repeat([&] { return b_.seq(comma(), item()); }, std::max(min - 1, 0),
                                          max < 0 ? -1 : max - 1));
    if (min == 0) elems = b_.opt(elems);
    return b_.seq({b_.literal("["), elems, b_.literal("]")});
  }

 private:
  [[noreturn]] static void fail(const std::string& where, const std::string& what) {
    throw InputError("json_schema: " + what + " at " + where);
  }

  Frag comma() { return b_.seq(b_.literal(","), b_.opt(b_.literal(" "))); }
  Frag colon() { return b_.seq(b_.literal(":"), b_.opt(b_.literal(" "))); }

  Frag number() { return compile_regex(b_, "-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?").frag; }
  Frag integer() { return compile_regex(b_, "-?(0|[1-9][0-9]*)").frag; }

  // One character of a JSON string: unescaped, or an escape (no lone surrogates: strict parsers
  // reject them).
  Frag string_char() {
    return b_.alt({b_.codepoints(json_unescaped_chars()),
                   compile_regex(b_, "\\\\([\"\\\\/bfnrt]|u([0-9a-cA-CeEfF][0-9a-fA-F]{3}|[dD][0-7][0-9a-fA-F]{2}))").frag});
  }
  Frag string_frag(int min = 0, int max = -1) {
    return b_.seq({b_.literal("\""), b_.repeat([&] { return string_char(); }, min, max), b_.literal("\"")});
  }

  static int count(const json& s, const char* key, const std::string& where, int fallback) {
    if (!s.contains(key)) return fallback;
    const json& v = s[key];
    if (!v.is_number_integer() || v.get<int64_t>() < 0) fail(where, std::string(key) + " must be a non-negative integer");
    if (v.get<int64_t>() > kMaxUnroll) fail(where, std::string(key) + " above " + std::to_string(kMaxUnroll) + " is not supported");
    return static_cast<int>(v.get<int64_t>());
  }

  Frag string_value(const json& s, const std::string& where) {
    int min = count(s, "minLength", where, 0), max = count(s, "maxLength", where, -1);
    if (max >= 0 && max < min) fail(where, "maxLength below minLength");
    if (!s.contains("pattern")) return string_frag(min, max);
    if (!s["pattern"].is_string()) fail(where, "pattern must be a string");
    if (s.contains("minLength") || s.contains("maxLength"))
      fail(where, "pattern together with minLength/maxLength is not supported");
    // JSON Schema patterns search (are not anchored): what the anchors leave open may hold anything.
    RegexFragment re = compile_regex(b_, s["pattern"].get<std::string>(), {.json_string = true});
    Frag body = re.frag;
    if (!re.anchored_start) body = b_.seq(b_.star(string_char()), body);
    if (!re.anchored_end) body = b_.seq(body, b_.star(string_char()));
    return b_.seq({b_.literal("\""), body, b_.literal("\"")});
  }

  Frag object_value(const json& s, const std::string& where) {
    json props = s.contains("properties") ? s["properties"] : json::object();
    if (!props.is_object()) fail(where, "properties must be an object");
    std::set<std::string> required;
    if (s.contains("required")) {
      if (!s["required"].is_array()) fail(where, "required must be an array");
      for (const json& r : s["required"]) {
        if (!r.is_string()) fail(where, "required must hold strings");
        if (!props.contains(r.get<std::string>()))
          fail(where, "required property '" + r.get<std::string>() + "' is not in properties");
        required.insert(r.get<std::string>());
      }
    }
    json addl = s.contains("additionalProperties") ? s["additionalProperties"] : json(true);
    if (addl.is_object() && addl.empty()) addl = true;
    if (!addl.is_boolean() && !addl.is_object()) fail(where, "additionalProperties must be a boolean or a schema");
    if (props.empty()) {
      if (addl == json(false)) return b_.literal("{}");
      return map_of(addl.is_object() ? rule_of(addl, where + "/additionalProperties") : any_value());
    }
    // With declared properties only those are written (extra ones are optional anyway); a
    // schema for the others would need keys that differ from the declared names.
    if (addl.is_object()) fail(where, "additionalProperties as a schema beside properties is not supported");
    // Two lanes: `none` before any property was written (no comma yet), `some` after one.
    const uint32_t open_end = b_.node();
    Frag open = b_.seq(b_.literal("{"), Frag{open_end, open_end});
    uint32_t none = open.out, some = kNone;
    for (auto it = props.begin(); it != props.end(); ++it) {
      const std::string key = json(it.key()).dump();
      const uint32_t value_rule = rule_of(it.value(), where + "/properties/" + escape_pointer(it.key()));
      const bool optional = !required.count(it.key());
      auto pair = [&] { return b_.seq({b_.literal(key), colon(), b_.call(value_rule)}); };
      uint32_t next_none = optional && none != kNone ? b_.node() : kNone, next_some = b_.node();
      if (none != kNone) {
        b_.seq(Frag{none, none}, b_.seq(pair(), Frag{next_some, next_some}));
        if (optional) b_.seq(Frag{none, none}, Frag{next_none, next_none});
      }
      if (some != kNone) {
        b_.seq(Frag{some, some}, b_.seq({comma(), pair(), Frag{next_some, next_some}}));
        if (optional) b_.seq(Frag{some, some}, Frag{next_some, next_some});
      }
      none = next_none;
      some = next_some;
    }
    Frag close = b_.literal("}");
    if (none != kNone) b_.seq(Frag{none, none}, close);
    b_.seq(Frag{some, some}, close);
    return {open.in, close.out};
  }

  Frag array_value(const json& s, const std::string& where) {
    int min = count(s, "minItems", where, 0), max = count(s, "maxItems", where, -1);
    if (max >= 0 && max < min) fail(where, "maxItems below minItems");
    json items = s.contains("items") ? s["items"] : json(true);
    if (items.is_array()) fail(where, "items as an array (tuple validation) is not supported");
    if (items == json(false)) {
      if (min > 0) fail(where, "minItems above 0 with items false matches nothing");
      return b_.literal("[]");
    }
    uint32_t item_rule = items == json(true) ? any_value() : rule_of(items, where + "/items");
    return array_of(item_rule, min, max);
  }

  Frag typed(const std::string& type, const json& s, const std::string& where) {
    if (type == "null") return b_.literal("null");
    if (type == "boolean") return b_.alt({b_.literal("true"), b_.literal("false")});
    if (type == "integer") return integer();
    if (type == "number") return number();
    if (type == "string") return string_value(s, where);
    if (type == "object") return object_value(s, where);
    if (type == "array") return array_value(s, where);
    fail(where, "unknown type '" + type + "'");
  }

  static std::string escape_pointer(const std::string& key) {
    std::string out;
    for (char c : key) out += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
    return out;
  }

  uint32_t ref_rule(const json& ref, const std::string& where) {
    if (!ref.is_string()) fail(where, "$ref must be a string");
    const std::string r = ref.get<std::string>();
    if (auto it = refs_.find(r); it != refs_.end()) return it->second;
    if (r.empty() || r[0] != '#') fail(where, "$ref '" + r + "' is not local (only '#...' references are supported)");
    const json* target = &root_;
    if (r.size() > 1) {
      if (r[1] != '/') fail(where, "$ref '" + r + "' (anchors) is not supported");
      try {
        target = &root_.at(json::json_pointer(r.substr(1)));
      } catch (const std::exception&) {
        fail(where, "$ref '" + r + "' points to nothing");
      }
    }
    const uint32_t rule = b_.new_rule();
    refs_[r] = rule;  // before compiling the target: it may refer to itself
    b_.define_rule(rule, value(*target, r));
    return rule;
  }

  Frag value(const json& s, const std::string& where) {
    if (s.is_boolean()) {
      if (!s.get<bool>()) fail(where, "schema false matches nothing");
      return b_.call(any_value());
    }
    if (!s.is_object()) fail(where, "a schema must be an object or a boolean");
    int validations = 0;
    for (auto it = s.begin(); it != s.end(); ++it) {
      if (kUnsupported.count(it.key())) fail(where, "unsupported keyword '" + it.key() + "'");
      if (kSupported.count(it.key())) ++validations;
    }
    auto alone = [&](const char* key) {
      if (validations > 1) fail(where, std::string("keywords beside '") + key + "' are not supported");
    };
    if (s.contains("$ref")) {
      alone("$ref");
      return b_.call(ref_rule(s["$ref"], where));
    }
    if (s.contains("allOf")) {
      alone("allOf");
      if (!s["allOf"].is_array() || s["allOf"].size() != 1) fail(where, "allOf with other than one schema is not supported");
      return value(s["allOf"][0], where + "/allOf/0");
    }
    if (s.contains("anyOf")) {
      alone("anyOf");
      if (!s["anyOf"].is_array() || s["anyOf"].empty()) fail(where, "anyOf must be a non-empty array");
      std::vector<Frag> branches;
      for (size_t i = 0; i < s["anyOf"].size(); ++i)
        branches.push_back(b_.call(rule_of(s["anyOf"][i], where + "/anyOf/" + std::to_string(i))));
      return b_.alt(branches);
    }
    if (s.contains("const")) return b_.literal(s["const"].dump());
    if (s.contains("enum")) {
      if (!s["enum"].is_array() || s["enum"].empty()) fail(where, "enum must be a non-empty array");
      std::vector<Frag> choices;
      for (const json& v : s["enum"]) choices.push_back(b_.literal(v.dump()));
      return b_.alt(choices);
    }
    std::vector<std::string> types;
    if (s.contains("type")) {
      const json& t = s["type"];
      if (t.is_string()) types.push_back(t.get<std::string>());
      else if (t.is_array() && !t.empty()) {
        for (const json& x : t) {
          if (!x.is_string()) fail(where, "type must be a string or an array of strings");
          types.push_back(x.get<std::string>());
        }
      } else fail(where, "type must be a string or an array of strings");
    } else if (s.contains("properties") || s.contains("required") || s.contains("additionalProperties")) {
      types = {"object"};
    } else if (s.contains("items") || s.contains("minItems") || s.contains("maxItems")) {
      types = {"array"};
    } else if (s.contains("pattern") || s.contains("minLength") || s.contains("maxLength")) {
      types = {"string"};
    } else {
      return b_.call(any_value());
    }
    if (types.size() == 1) return typed(types[0], s, where);
    std::vector<Frag> choices;
    for (const std::string& t : types) choices.push_back(typed(t, s, where));
    return b_.alt(choices);
  }

  Builder& b_;
  const json& root_;
  std::map<std::string, uint32_t> refs_;
  uint32_t any_ = kNone;
};

}  // namespace

uint32_t compile_json_schema(Builder& b, const json& schema) { return SchemaCompiler(b, schema).rule_of(schema, "#"); }

uint32_t compile_any_json(Builder& b, bool object_only) {
  SchemaCompiler c(b, json::object());
  if (!object_only) return c.any_value();
  uint32_t r = b.new_rule();
  b.define_rule(r, c.map_of(c.any_value()));
  return r;
}

}  // namespace hf::constrained
