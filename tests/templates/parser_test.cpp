// The parser: Jinja2's precedence and statements, and syntax errors with line and column.
#include <gtest/gtest.h>

#include "templates/parser.h"
#include "test_util.h"

namespace hf::templates {
namespace {

using hf::test::error_of;
using hf::test::render;

TEST(Parser, BuildsStatementsAndExpressions) {
  auto program = parse("a{% if x %}{{ 1 + 2 * 3 }}{% endif %}");
  ASSERT_EQ(program->body.size(), 2u);
  EXPECT_EQ(program->body[0]->kind, StmtKind::Text);
  const Stmt& s = *program->body[1];
  ASSERT_EQ(s.kind, StmtKind::If);
  const Expr& sum = *s.branches[0].second[0]->expr;
  ASSERT_EQ(sum.kind, ExprKind::Binary);
  EXPECT_EQ(sum.op, BinOp::Add);
  EXPECT_EQ(sum.a[1]->op, BinOp::Mul);   // * binds tighter than +
}

TEST(Parser, OperatorPrecedenceAsJinja) {
  EXPECT_EQ(render("{{ 2 + 3 * 4 ** 2 }}"), "50");
  EXPECT_EQ(render("{{ -2 ** 2 }}"), "4");                  // unary minus binds tighter in Jinja2
  EXPECT_EQ(render("{{ 'a' ~ 2 * 3 }}"), "a6");             // * before ~
  EXPECT_NE(error_of("{{ 'a' ~ 1 + 2 }}").find("TypeError"), std::string::npos);   // ~ before +
  EXPECT_EQ(render("{{ not 1 == 2 }}"), "True");
  EXPECT_EQ(render("{{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }}"), "True False");
  EXPECT_EQ(render("{{ 1 if 0 else 2 if 0 else 3 }}"), "3");
  EXPECT_EQ(render("{{ -x|abs }}", {{"x", 3}}), "3");       // filter applies to -x
  EXPECT_EQ(render("{{ x is not none and x is string }}", {{"x", "s"}}), "True");
}

TEST(Parser, LiteralsTuplesAndSubscripts) {
  EXPECT_EQ(render("{{ (1, 2) }}|{{ () }}|{{ 1, 2 }}|{{ (1,) }}"), "(1, 2)|()|(1, 2)|(1,)");
  EXPECT_EQ(render("{{ x.0 }} {{ x[0]['a'] }} {{ x.1 }}", {{"x", json::array({{{"a", 5}}})}}), "{'a': 5} 5 ");
  EXPECT_EQ(render("{{ [1,2,3,4][::2] }} {{ 'héllo'[::-1] }} {{ 'abc'[-5:10] }}"), "[1, 3] olléh abc");
  EXPECT_EQ(render("{{ {'a': {'b': 1}} }}"), "{'a': {'b': 1}}");
  EXPECT_EQ(render("{{ [1, 2,] }}{{ True }}{{ none }}"), "[1, 2]TrueNone");
}

TEST(Parser, TestsTakeOneArgumentWithoutParentheses) {
  EXPECT_EQ(render("{{ 4 is divisibleby 2 }} {{ 2 is eq 2 }} {{ 1 is in [1] }} {{ 1 is sameas(1) }}"),
            "True True True True");
}

TEST(SyntaxErrors, NameLineAndColumn) {
  EXPECT_EQ(error_of("line1\n{% if x %}\nno end"),
            "line 3, column 7: Unexpected end of template. Jinja was looking for the following tags: "
            "'elif' or 'else' or 'endif'. The innermost block that needs to be closed is 'if'.");
  EXPECT_EQ(error_of("{% for x in y %}{% if z %}{% endfor %}"),
            "line 1, column 30: Encountered unknown tag 'endfor'. You probably made a nesting mistake. Jinja is "
            "expecting this tag, but currently looking for 'elif' or 'else' or 'endif'. The innermost block that "
            "needs to be closed is 'if'.");
  EXPECT_EQ(error_of("{{ x"), "line 1, column 5: unexpected end of template, expected 'end of print statement'.");
  EXPECT_EQ(error_of("a\n  {% foo %}"), "line 2, column 6: Encountered unknown tag 'foo'.");
  EXPECT_EQ(error_of("{% endif %}"), "line 1, column 4: Encountered unknown tag 'endif'.");
  EXPECT_EQ(error_of("{% for %}{% endfor %}"), "line 1, column 8: expected token 'name', got 'end of statement block'");
  EXPECT_EQ(error_of("x\n\n   {{ a.  }}"), "line 3, column 11: expected name or number");
  EXPECT_EQ(error_of("{{ 1 + }}"), "line 1, column 8: unexpected 'end of print statement'");
}

TEST(SyntaxErrors, UnknownFilterAndTestAreNamedWhenEvaluated) {
  EXPECT_EQ(error_of("{{ x | nofilter }}"), "line 1: TemplateSyntaxError: No filter named 'nofilter'.");
  EXPECT_EQ(error_of("{{ x is notatest }}"), "line 1: TemplateSyntaxError: No test named 'notatest'.");
  // As in Jinja2, a branch that never runs may name a filter this environment lacks (from_json).
  EXPECT_EQ(error_of("{% if false %}\n{{ x | bogus(1) }}{% endif %}"), "");
}

TEST(SyntaxErrors, DeepNestingIsBounded) {
  std::string deep = "{{ " + std::string(300, '(') + "1" + std::string(300, ')') + " }}";
  EXPECT_NE(error_of(deep).find("template nests too deeply"), std::string::npos);
}

}  // namespace
}  // namespace hf::templates
