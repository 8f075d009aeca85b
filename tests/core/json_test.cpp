// JSON from files: nesting is bounded before parsing (copying, comparing and printing a value
// recurse once per level, so a value nested 10^5 deep would overflow the stack).
#include "core/json.h"

#include <gtest/gtest.h>

#include <string>

namespace hf {
namespace {

std::string nested(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST(Json, NestingUpToTheBoundParses) {
  EXPECT_TRUE(parse_json(nested(kMaxJsonDepth)).is_array());
  EXPECT_EQ(parse_json(R"({"a": [{"b": "[[[[{{{{"}], "c": "\"[[["})")["c"], "\"[[[");
}

TEST(Json, DeeperNestingIsAParseErrorAtItsByte) {
  try {
    parse_json(R"({"shape": )" + nested(100000) + "}");
    ADD_FAILURE() << "no error";
  } catch (const json::parse_error& e) {
    EXPECT_EQ(e.byte, 10u + kMaxJsonDepth);  // the 512th "[" inside the object is level 513
    EXPECT_NE(std::string(e.what()).find("nested deeper than 512 levels"), std::string::npos) << e.what();
  }
  EXPECT_THROW(check_json_depth(std::string(100000, '{')), json::parse_error);
}

TEST(Json, ANumberPastADoubleIsAParseError) {
  // Found by fuzz_safetensors: nlohmann throws out_of_range 406 here, which callers that catch
  // parse_error (malformed JSON) let escape.
  for (const char* text : {"[1e400]", R"({"dtype": 800000000000000E00000000000002048684102})", "-1e99999"})
    EXPECT_THROW(parse_json(text), json::parse_error) << text;
  EXPECT_EQ(parse_json("[1e300]")[0].get<double>(), 1e300);
}

}  // namespace
}  // namespace hf
