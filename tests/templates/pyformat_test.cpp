// Python's textual forms: float repr, str repr, json.dumps, %-formatting (values checked against
// CPython 3.11).
#include <gtest/gtest.h>

#include <cmath>

#include "templates/errors.h"
#include "templates/pyformat.h"

namespace hf::templates {
namespace {

TEST(FloatRepr, ShortestRoundTripWithPythonLayout) {
  EXPECT_EQ(float_repr(1.0), "1.0");
  EXPECT_EQ(float_repr(-0.0), "-0.0");
  EXPECT_EQ(float_repr(0.1), "0.1");
  EXPECT_EQ(float_repr(1.0 / 3), "0.3333333333333333");
  EXPECT_EQ(float_repr(1e16), "1e+16");
  EXPECT_EQ(float_repr(1234567890123456.0), "1234567890123456.0");
  EXPECT_EQ(float_repr(1.5e16), "1.5e+16");
  EXPECT_EQ(float_repr(0.0001), "0.0001");
  EXPECT_EQ(float_repr(0.00001), "1e-05");
  EXPECT_EQ(float_repr(1.5e-7), "1.5e-07");
  EXPECT_EQ(float_repr(1e300 * 1e10), "inf");
  EXPECT_EQ(float_repr(std::nan("")), "nan");
}

TEST(StringRepr, QuotesAndEscapesAsPython) {
  auto r = [](const std::string& s) {
    std::string out;
    append_string_repr(out, s);
    return out;
  };
  EXPECT_EQ(r("abc"), "'abc'");
  EXPECT_EQ(r("it's"), "\"it's\"");
  EXPECT_EQ(r("'\""), "'\\'\"'");
  EXPECT_EQ(r("a\nb\t\\"), "'a\\nb\\t\\\\'");
  EXPECT_EQ(r("\x01\x7f"), "'\\x01\\x7f'");
  EXPECT_EQ(r("é中😀"), "'é中😀'");
  EXPECT_EQ(r("\xc2\xa0\xe2\x80\xa8"), "'\\xa0\\u2028'");   // NBSP, LINE SEPARATOR are not printable
}

TEST(JsonDumps, DefaultsOfTransformersTojson) {
  auto d = Dict::make();
  d->set(Value("b"), Value(List::make({Value(1), Value(2.0), Value("é\n\"\x01"), Value::none(), Value(true)})));
  d->set(Value("a"), Value(Dict::make()));
  Value v{d};
  EXPECT_EQ(json_dumps(v, {}), "{\"b\": [1, 2.0, \"é\\n\\\"\\u0001\", null, true], \"a\": {}}");
  JsonDumpOptions compact;
  compact.item_separator = ",";
  compact.key_separator = ":";
  compact.sort_keys = true;
  EXPECT_EQ(json_dumps(v, compact), "{\"a\":{},\"b\":[1,2.0,\"é\\n\\\"\\u0001\",null,true]}");
  JsonDumpOptions ascii;
  ascii.ensure_ascii = true;
  EXPECT_EQ(json_dumps(Value("é😀"), ascii), "\"\\u00e9\\ud83d\\ude00\"");
  EXPECT_THROW(json_dumps(Value(), {}), RenderError);   // Undefined is not JSON serializable
}

TEST(PercentFormat, ConversionsAsPython) {
  auto args = List::make({Value("a"), Value(3), Value(2.345)});
  args->is_tuple = true;
  EXPECT_EQ(percent_format("%s-%d-%.1f %%", Value(args)), "a-3-2.3 %");
  auto three = List::make({Value("x"), Value("y"), Value(7)});
  three->is_tuple = true;
  EXPECT_EQ(percent_format("%5s|%-3s|%03d", Value(three)), "    x|y  |007");
  EXPECT_EQ(percent_format("%s", Value(List::make({Value(1)}))), "[1]");   // a list is one argument
  EXPECT_EQ(percent_format("%r", Value("q")), "'q'");
  EXPECT_THROW(percent_format("%s %s", Value("one")), RenderError);
}

}  // namespace
}  // namespace hf::templates
