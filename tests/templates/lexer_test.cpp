// The lexer: tokens, literals and Jinja2's whitespace control (trim_blocks, lstrip_blocks, - and +).
// Expected strings are what jinja2 3.1.6 renders with transformers' environment.
#include <gtest/gtest.h>

#include "templates/lexer.h"
#include "test_util.h"

namespace hf::templates {
namespace {

using hf::test::error_of;
using hf::test::render;

TEST(Lexer, SplitsDataAndTags) {
  auto toks = tokenize("a {{ x.y }} b");
  ASSERT_EQ(toks.size(), 8u);
  EXPECT_EQ(toks[0].type, Tok::Data);
  EXPECT_EQ(toks[0].text, "a ");
  EXPECT_EQ(toks[1].type, Tok::VarBegin);
  EXPECT_EQ(toks[2].text, "x");
  EXPECT_EQ(toks[3].text, ".");
  EXPECT_EQ(toks[4].text, "y");
  EXPECT_EQ(toks[5].type, Tok::VarEnd);
  EXPECT_EQ(toks[6].text, " b");
  EXPECT_EQ(toks[7].type, Tok::Eof);
}

TEST(Lexer, NumbersAndOperators) {
  auto toks = tokenize("{{ 1_000 + 2.5e3 // 07 ** x }}");
  EXPECT_EQ(toks[1].type, Tok::Int);
  EXPECT_EQ(toks[1].int_value, 1000);
  EXPECT_EQ(toks[3].type, Tok::Float);
  EXPECT_DOUBLE_EQ(toks[3].float_value, 2500.0);
  EXPECT_EQ(toks[4].text, "//");
  EXPECT_EQ(toks[6].text, "**");
}

TEST(Lexer, StringEscapesAsPython) {
  EXPECT_EQ(render(R"({{ 'a\tb\n\u00e9\x41\\ \q' }})"), "a\tb\né" "A\\ \\q");
  EXPECT_EQ(render(R"({{ "it's" }}{{ 'say "hi"' }})"), "it'ssay \"hi\"");
  EXPECT_EQ(render("{{ 'a' 'b' }}"), "ab");   // adjacent literals concatenate
}

TEST(Lexer, PositionsCountLinesAndCodePoints) {
  auto toks = tokenize("é\n  {{ name }}");
  EXPECT_EQ(toks[2].text, "name");
  EXPECT_EQ(toks[2].line, 2);
  EXPECT_EQ(toks[2].column, 6);
}

TEST(Whitespace, TrimBlocksRemovesOneNewlineAfterBlockTags) {
  EXPECT_EQ(render("a\n  {% if x %}\n  yes\n  {% endif %}\nb\n", {{"x", 1}}), "a\n  yes\nb");
  EXPECT_EQ(render("{% for i in range(3) %}\n  {{ i }}\n{% endfor %}\n"), "  0\n  1\n  2\n");
  EXPECT_EQ(render("\n\n{% if 1 %}\n\n{% endif %}\n\n"), "\n\n\n");
}

TEST(Whitespace, LstripBlocksOnlyWhenAloneOnTheLine) {
  EXPECT_EQ(render("a\n  {% if x %}  yes  {% endif %}  \nb", {{"x", 1}}), "a\n  yes    \nb");
  EXPECT_EQ(render("{{ 'a' }}  {% if 1 %}b{% endif %}"), "a  b");
  EXPECT_EQ(render("  {%- set x = 1 %}\n\t{% set y = 2 %}\n{{x}}{{y}}"), "12");
}

TEST(Whitespace, DashStripsAllWhitespaceOnItsSide) {
  EXPECT_EQ(render("x  {%- if 1 %}  y  {%- endif -%}  z"), "x  yz");
  EXPECT_EQ(render("{{- '  a  ' -}}\n  \n{{ 'b' }}"), "  a  b");
  EXPECT_EQ(render("x \t{% if 1 -%}\n\n  y{%- endif %}\n\n"), "x \ty");
}

TEST(Whitespace, PlusDisablesTrimAndLstrip) {
  EXPECT_EQ(render("x\n{%+ if 1 %}\ny\n{% endif +%}\nz"), "x\ny\n\nz");
}

TEST(Whitespace, CommentsFollowBlockRules) {
  EXPECT_EQ(render("  {{ x }}  \n  {# comment #}  \n{#- c -#}  z \n", {{"x", 1}}), "  1  \nz ");
  EXPECT_EQ(render("{# a #}\n{# b -#}\n   c\n"), "c");
}

TEST(Whitespace, RawBlocksAreVerbatim) {
  EXPECT_EQ(render("a {% raw %}{{ x }}{% endraw %} b\n  {% raw -%}  \n {% if %} {%- endraw %}c"),
            "a {{ x }} b\n{% if %}c");
}

TEST(Whitespace, NewlinesNormalizedAndOneTrailingNewlineDropped) {
  EXPECT_EQ(render("line1\r\nline2\r\n{% if 1 %}\r\nx\r\n{% endif %}\r\n"), "line1\nline2\nx\n");
  EXPECT_EQ(render("x\n\n"), "x\n");
}

TEST(LexerErrors, ReportLineAndColumn) {
  EXPECT_EQ(error_of("{{ 'abc }}"), "line 1, column 4: unexpected char \"'\" at 3");
  EXPECT_EQ(error_of("{{ (1 }}"), "line 1, column 7: unexpected '}', expected ')'");
  EXPECT_EQ(error_of("ok\n{{ x ]}}"), "line 2, column 6: unexpected ']'");
  EXPECT_EQ(error_of("{# unclosed"), "line 1, column 1: Missing end of comment tag");
  EXPECT_EQ(error_of("{{ x @ y }}"), "line 1, column 6: unexpected char '@' at 5");
}

}  // namespace
}  // namespace hf::templates
