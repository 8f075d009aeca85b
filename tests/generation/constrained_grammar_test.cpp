// The character level of constrained decoding: regexes against std::regex, JSON Schemas against
// hand-written valid and invalid documents, and the errors that name unsupported features.
#include <gtest/gtest.h>

#include <random>
#include <regex>

#include "hf/constrained.h"
#include "hf/error.h"

using hf::Grammar;
using hf::json;

namespace {

std::string random_ascii(std::mt19937& rng, const std::string& alphabet, int max_len) {
  std::string s;
  int n = std::uniform_int_distribution<int>(0, max_len)(rng);
  for (int i = 0; i < n; ++i) s += alphabet[std::uniform_int_distribution<size_t>(0, alphabet.size() - 1)(rng)];
  return s;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const hf::InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(ConstrainedRegex, FullMatchAgreesWithStdRegexOnRandomStrings) {
  const std::vector<std::string> patterns = {
      "a*b",       "(ab|cd)+",       "[a-c]{2,3}x?",     "\\d{3}-\\d{4}", "[^ab]+",         "(a|b)*c(d|)",
      "x{0}y",     "(?:ab){1,}c*",   "a.c",              "[\\w-]+@\\w+",  "(a+|b+)(c|d){2}", "\\s?[A-Z][a-z]*",
      "a{2,}",     "(a|ab)(c|bcd)d*", "[0-9a-f]{1,4}",   "a+?b??",        "\\.\\*",          ""};
  std::mt19937 rng(7);
  for (const std::string& p : patterns) {
    auto g = Grammar::regex(p);
    std::regex re(p, std::regex::ECMAScript);
    for (int i = 0; i < 400; ++i) {
      std::string s = random_ascii(rng, "abcdxy-@.* 0123456789ABZ_", 8);
      EXPECT_EQ(g->matches(s), std::regex_match(s, re)) << "pattern " << p << " text '" << s << "'";
      if (g->matches(s)) {
        for (size_t k = 0; k <= s.size(); ++k) EXPECT_TRUE(g->accepts_prefix(s.substr(0, k))) << p << " " << s;
      }
    }
  }
}

TEST(ConstrainedRegex, UnicodeClassesAreWholeUtf8Characters) {
  auto g = Grammar::regex("[一-龥]{2}|é.");
  EXPECT_TRUE(g->matches("你好"));
  EXPECT_TRUE(g->matches("é世"));
  EXPECT_FALSE(g->matches("你"));
  EXPECT_TRUE(g->accepts_prefix("\xE4\xBD"));  // the first two bytes of 你
  EXPECT_FALSE(g->accepts_prefix("\xE4\x41"));  // not a continuation byte
  EXPECT_FALSE(g->matches("ab"));
  // '.' takes any code point except line terminators, never a surrogate or a bad byte.
  auto dot = Grammar::regex(".");
  EXPECT_TRUE(dot->matches("\xF0\x9F\x98\x80"));
  EXPECT_FALSE(dot->matches("\n"));
  EXPECT_FALSE(dot->accepts_prefix("\xED\xA0"));  // would be a surrogate
  EXPECT_FALSE(dot->accepts_prefix("\xC0"));
}

TEST(ConstrainedRegex, UnsupportedConstructsAreNamed) {
  EXPECT_NE(error_of([] { Grammar::regex("(a)\\1"); }).find("backreference"), std::string::npos);
  EXPECT_NE(error_of([] { Grammar::regex("a(?=b)"); }).find("lookahead"), std::string::npos);
  EXPECT_NE(error_of([] { Grammar::regex("(?<!a)b"); }).find("lookbehind"), std::string::npos);
  EXPECT_NE(error_of([] { Grammar::regex("\\bword"); }).find("word boundary"), std::string::npos);
  EXPECT_NE(error_of([] { Grammar::regex("a(b"); }).find("missing ')'"), std::string::npos);
  EXPECT_NE(error_of([] { Grammar::regex("a)"); }).find("unbalanced"), std::string::npos);
  EXPECT_NE(error_of([] { Grammar::regex("[a-"); }).find("unterminated"), std::string::npos);
  EXPECT_NE(error_of([] { Grammar::regex("*a"); }).find("nothing to repeat"), std::string::npos);
  EXPECT_NE(error_of([] { Grammar::regex("a{5,2}"); }).find("out of order"), std::string::npos);
  EXPECT_NE(error_of([] { Grammar::regex("a{99999}"); }).find("repetition count"), std::string::npos);
  EXPECT_NE(error_of([] { Grammar::regex("[^\\s\\S]"); }).find("no finite output"), std::string::npos);
}

TEST(ConstrainedJsonSchema, AcceptsValidAndRejectsInvalidDocuments) {
  auto g = Grammar::json_schema(json::parse(R"({
    "type": "object", "title": "Person", "description": "ignored",
    "properties": {
      "name": {"type": "string", "description": "x"},
      "age": {"type": "integer"},
      "tags": {"type": "array", "items": {"enum": ["a", "b", 3]}, "minItems": 1, "maxItems": 2},
      "kind": {"anyOf": [{"type": "null"}, {"const": {"k": [1, true]}}]},
      "score": {"type": ["number", "boolean"]}
    },
    "required": ["name", "tags"], "additionalProperties": false})"));
  for (const char* ok : {R"({"name":"Ann","tags":["a"]})", R"({"name": "Ann", "age": -12, "tags": [3, "b"]})",
                         R"({"name":"\u00e9\n\"","tags":["a"],"kind":null,"score":1.5e-3})",
                         R"({"name":"","tags":["b"],"kind":{"k":[1,true]},"score":false})",
                         R"({"name":"你好","age":0,"tags":["a"],"score":-0.5})"})
    EXPECT_TRUE(g->matches(ok)) << ok;
  for (const char* bad : {R"({"tags":["a"],"name":"Ann"})",          // declared order
                          R"({"name":"Ann"})",                       // required
                          R"({"name":"Ann","tags":[]})",             // minItems
                          R"({"name":"Ann","tags":["a","a","a"]})",  // maxItems
                          R"({"name":"Ann","tags":["c"]})",          // enum
                          R"({"name":"Ann","age":1.5,"tags":["a"]})",  // integer
                          R"({"name":"Ann","age":01,"tags":["a"]})",   // leading zero
                          R"({"name":"Ann","tags":["a"],"x":1})",      // additionalProperties
                          R"({"name":"\ud800","tags":["a"]})",         // lone surrogate escape
                          R"({"name":"a	b","tags":["a"]})",           // raw control character
                          R"( {"name":"Ann","tags":["a"]})",           // leading whitespace
                          R"({"name":"Ann" ,"tags":["a"]})"})
    EXPECT_FALSE(g->matches(bad)) << bad;
  EXPECT_EQ(g->min_length(), static_cast<int64_t>(std::string(R"({"name":"","tags":[3]})").size()));
}

TEST(ConstrainedJsonSchema, RecursiveRefsNeedAStack) {
  auto g = Grammar::json_schema(json::parse(R"({
    "$ref": "#/$defs/node",
    "$defs": {"node": {"type": "object", "properties": {
      "v": {"type": "integer"},
      "kids": {"type": "array", "items": {"$ref": "#/$defs/node"}}}, "required": ["v"],
      "additionalProperties": false}}})"));
  EXPECT_TRUE(g->matches(R"({"v":1})"));
  EXPECT_TRUE(g->matches(R"({"v":1,"kids":[{"v":2,"kids":[{"v":3,"kids":[]}]},{"v":4}]})"));
  EXPECT_FALSE(g->matches(R"({"v":1,"kids":[{"v":2,"kids":[{"kids":[]}]}]})"));
  EXPECT_FALSE(g->matches(R"({"v":1,"kids":[{"v":2}})"));
  // Self-reference with no way out: no finite document.
  EXPECT_NE(error_of([] {
              Grammar::json_schema(json::parse(
                  R"({"type":"object","properties":{"a":{"$ref":"#"}},"required":["a"],"additionalProperties":false})"));
            }).find("no finite output"),
            std::string::npos);
}

TEST(ConstrainedJsonSchema, AnyJsonAndPatterns) {
  auto any = Grammar::any_json(false);
  for (const char* ok : {"1", "-0.5E+10", "\"x\"", "null", "[]", "[1,[2,{\"a\":{}}]]", R"({"a": [true, false], "b": "\u1234"})"})
    EXPECT_TRUE(any->matches(ok)) << ok;
  for (const char* bad : {"", "01", "[1,]", "{\"a\"}", "tru", "{'a':1}", "[1 2]", "1.", "\"\\x\""})
    EXPECT_FALSE(any->matches(bad)) << bad;
  auto object = Grammar::any_json(true);
  EXPECT_TRUE(object->matches("{\"a\":1}"));
  EXPECT_FALSE(object->matches("[1]"));
  auto p = Grammar::json_schema(json::parse(R"({"type":"string","pattern":"^[A-Z]{2}-\\d+$"})"));
  EXPECT_TRUE(p->matches("\"AB-12\""));
  EXPECT_FALSE(p->matches("\"AB-\""));
  auto search = Grammar::json_schema(json::parse(R"({"type":"string","pattern":"ab"})"));  // unanchored: contains
  EXPECT_TRUE(search->matches("\"xxabyy\""));
  EXPECT_FALSE(search->matches("\"xxayy\""));
  auto len = Grammar::json_schema(json::parse(R"({"type":"string","minLength":2,"maxLength":3})"));
  EXPECT_TRUE(len->matches("\"好好\""));
  EXPECT_TRUE(len->matches("\"a\\nb\""));
  EXPECT_FALSE(len->matches("\"a\""));
  EXPECT_FALSE(len->matches("\"abcd\""));
}

TEST(ConstrainedJsonSchema, UnsupportedFeaturesAreNamedWithTheirPointer) {
  auto err = [](const char* schema) { return error_of([&] { Grammar::json_schema(json::parse(schema)); }); };
  EXPECT_NE(err(R"({"type":"object","properties":{"n":{"type":"integer","minimum":0}}})").find("'minimum' at #/properties/n"),
            std::string::npos);
  EXPECT_NE(err(R"({"type":"string","format":"date-time"})").find("'format'"), std::string::npos);
  EXPECT_NE(err(R"({"oneOf":[{"type":"string"}]})").find("'oneOf'"), std::string::npos);
  EXPECT_NE(err(R"({"type":"array","prefixItems":[]})").find("'prefixItems'"), std::string::npos);
  EXPECT_NE(err(R"({"type":"object","patternProperties":{}})").find("'patternProperties'"), std::string::npos);
  EXPECT_NE(err(R"({"$ref":"https://example.com/s.json"})").find("not local"), std::string::npos);
  EXPECT_NE(err(R"({"$ref":"#/$defs/missing"})").find("points to nothing"), std::string::npos);
  EXPECT_NE(err(R"({"type":"strin"})").find("unknown type 'strin'"), std::string::npos);
  EXPECT_NE(err(R"({"type":"object","properties":{"a":{}},"required":["b"]})").find("'b' is not in properties"),
            std::string::npos);
  EXPECT_NE(err(R"({"type":"string","pattern":"(a)\\1"})").find("backreference"), std::string::npos);
  EXPECT_NE(err(R"(false)").find("matches nothing"), std::string::npos);
  EXPECT_NE(err(R"(3)").find("object or a boolean"), std::string::npos);
  EXPECT_NE(err(R"({"allOf":[{"type":"string"},{"maxLength":3}]})").find("allOf"), std::string::npos);
}

TEST(ConstrainedJsonSchema, ResponseFormat) {
  EXPECT_EQ(Grammar::from_response_format(json::parse(R"({"type":"text"})")), nullptr);
  EXPECT_TRUE(Grammar::from_response_format(json::parse(R"({"type":"json_object"})"))->matches("{}"));
  auto g = Grammar::from_response_format(json::parse(
      R"({"type":"json_schema","json_schema":{"name":"x","strict":true,"schema":{"type":"array","items":{"type":"boolean"}}}})"));
  EXPECT_TRUE(g->matches("[true, false]"));
  EXPECT_FALSE(g->matches("{}"));
  EXPECT_NE(error_of([] { Grammar::from_response_format(json::parse(R"({"type":"xml"})")); }).find("unknown type 'xml'"),
            std::string::npos);
  EXPECT_NE(error_of([] { Grammar::from_response_format(json::parse(R"({"type":"json_schema"})")); }).find("'json_schema' object"),
            std::string::npos);
}
