// Jinja2's expression grammar, lowest precedence first: conditional, or, and, not, comparisons,
// + -, ~, * / // %, **, unary, then primaries with postfix subscripts, calls, filters and tests.
#include "templates/bigint.h"
#include "templates/builtins.h"
#include "templates/parser_impl.h"

namespace hf::templates {

namespace {
Value int_literal(const Token& t) {
  if (t.big_digits.empty()) return t.int_value;
  return Value(*BigInt::parse(t.big_digits, t.big_base));   // the lexer checked the digits
}
}  // namespace

// `a, b` builds a tuple; a single expression stays itself.
ExprPtr Parser::parse_tuple(bool with_condexpr, std::initializer_list<const char*> end_names, bool explicit_parens) {
  const Token& start = cur();
  std::vector<ExprPtr> items;
  bool is_tuple = false;
  while (true) {
    if (!items.empty()) expect_op(",");
    if (is_tuple_end(end_names)) break;
    items.push_back(parse_expression(with_condexpr));
    if (is_op(",")) is_tuple = true;
    else break;
  }
  if (!is_tuple) {
    if (!items.empty()) return std::move(items[0]);
    if (!explicit_parens) fail("Expected an expression, got '" + describe(cur()) + "'");
  }
  auto t = node(ExprKind::TupleLit, start);
  t->a = std::move(items);
  return t;
}

bool Parser::is_tuple_end(std::initializer_list<const char*> end_names) const {
  // Not the end of the template: Jinja2 then parses an expression there ("unexpected 'end of template'").
  if (cur().type == Tok::VarEnd || cur().type == Tok::BlockEnd) return true;
  if (is_op(")")) return true;
  for (const char* n : end_names)
    if (is_name(n)) return true;
  return false;
}

ExprPtr Parser::parse_expression(bool with_condexpr) {
  Depth depth(*this);
  return with_condexpr ? parse_condexpr() : parse_or();
}

ExprPtr Parser::parse_condexpr() {
  ExprPtr expr = parse_or();
  while (is_name("if")) {
    const Token& at = cur();
    advance();
    auto c = node(ExprKind::CondExpr, at);
    c->a.push_back(parse_or());
    c->a.push_back(std::move(expr));
    c->a.push_back(skip_name("else") ? parse_condexpr() : nullptr);
    expr = std::move(c);
  }
  return expr;
}

ExprPtr Parser::binary(ExprKind kind, const Token& at, ExprPtr left, ExprPtr right) {
  auto e = node(kind, at);
  e->a.push_back(std::move(left));
  e->a.push_back(std::move(right));
  return e;
}

ExprPtr Parser::parse_or() { return parse_logical(ExprKind::Or, "or", &Parser::parse_and); }

ExprPtr Parser::parse_and() { return parse_logical(ExprKind::And, "and", &Parser::parse_not); }

// `a or b or c` / `a and b and c`: left-associative chains of one keyword.
ExprPtr Parser::parse_logical(ExprKind kind, const char* keyword, ExprPtr (Parser::*operand)()) {
  ExprPtr left = (this->*operand)();
  while (is_name(keyword)) {
    const Token& at = cur();
    advance();
    left = binary(kind, at, std::move(left), (this->*operand)());
  }
  return left;
}

ExprPtr Parser::parse_not() {
  if (is_name("not")) {
    Depth depth(*this);
    auto e = node(ExprKind::Not, cur());
    advance();
    e->a.push_back(parse_not());
    return e;
  }
  return parse_compare();
}

ExprPtr Parser::parse_compare() {
  const Token& at = cur();
  ExprPtr first = parse_math1();
  ExprPtr cmp;
  while (true) {
    CmpOp op;
    if (is_op("==")) op = CmpOp::Eq;
    else if (is_op("!=")) op = CmpOp::Ne;
    else if (is_op("<")) op = CmpOp::Lt;
    else if (is_op("<=")) op = CmpOp::Le;
    else if (is_op(">")) op = CmpOp::Gt;
    else if (is_op(">=")) op = CmpOp::Ge;
    else if (is_name("in")) op = CmpOp::In;
    else if (is_name("not") && peek().type == Tok::Name && peek().text == "in") {
      op = CmpOp::NotIn;
      advance();
    } else {
      break;
    }
    advance();
    if (!cmp) {
      cmp = node(ExprKind::Compare, at);
      cmp->a.push_back(std::move(first));
    }
    cmp->ops.push_back(op);
    cmp->a.push_back(parse_math1());
  }
  return cmp ? std::move(cmp) : std::move(first);
}

ExprPtr Parser::arithmetic(BinOp op, const Token& at, ExprPtr left, ExprPtr right) {
  auto e = binary(ExprKind::Binary, at, std::move(left), std::move(right));
  e->op = op;
  return e;
}

ExprPtr Parser::parse_math1() {
  ExprPtr left = parse_concat();
  while (is_op("+") || is_op("-")) {
    const Token& at = cur();
    BinOp op = at.text == "+" ? BinOp::Add : BinOp::Sub;
    advance();
    left = arithmetic(op, at, std::move(left), parse_concat());
  }
  return left;
}

ExprPtr Parser::parse_concat() {
  const Token& at = cur();
  ExprPtr first = parse_math2();
  if (!is_op("~")) return first;
  auto c = node(ExprKind::Concat, at);
  c->a.push_back(std::move(first));
  while (skip_op("~")) c->a.push_back(parse_math2());
  return c;
}

ExprPtr Parser::parse_math2() {
  ExprPtr left = parse_pow();
  while (is_op("*") || is_op("/") || is_op("//") || is_op("%")) {
    const Token& at = cur();
    BinOp op = at.text == "*" ? BinOp::Mul : at.text == "/" ? BinOp::Div
             : at.text == "//" ? BinOp::FloorDiv : BinOp::Mod;
    advance();
    left = arithmetic(op, at, std::move(left), parse_pow());
  }
  return left;
}

ExprPtr Parser::parse_pow() {
  ExprPtr left = parse_unary(true);
  while (is_op("**")) {
    const Token& at = cur();
    advance();
    left = arithmetic(BinOp::Pow, at, std::move(left), parse_unary(true));
  }
  return left;
}

ExprPtr Parser::parse_unary(bool with_filter) {
  Depth depth(*this);
  ExprPtr e;
  if (is_op("-") || is_op("+")) {
    e = node(is_op("-") ? ExprKind::Neg : ExprKind::Pos, cur());
    advance();
    e->a.push_back(parse_unary(false));
  } else {
    e = parse_primary();
  }
  e = parse_postfix(std::move(e));
  if (with_filter) e = parse_filter_expr(std::move(e));
  return e;
}

ExprPtr Parser::parse_primary() {
  const Token& t = cur();
  ExprPtr e;
  switch (t.type) {
    case Tok::Name:
      e = node(ExprKind::Literal, t);
      if (t.text == "true" || t.text == "True") e->value = true;
      else if (t.text == "false" || t.text == "False") e->value = false;
      else if (t.text == "none" || t.text == "None") e->value = Value::none();
      else {
        e->kind = ExprKind::Name;
        e->name = t.text;
      }
      advance();
      return e;
    case Tok::String: {
      std::string s = t.text;
      e = node(ExprKind::Literal, t);
      advance();
      while (cur().type == Tok::String) {   // adjacent literals concatenate, as in Python
        s += cur().text;
        advance();
      }
      e->value = std::move(s);
      return e;
    }
    case Tok::Int:
      e = node(ExprKind::Literal, t);
      e->value = int_literal(t);
      advance();
      return e;
    case Tok::Float:
      e = node(ExprKind::Literal, t);
      e->value = t.float_value;
      advance();
      return e;
    default: break;
  }
  if (skip_op("(")) {
    e = parse_tuple(true, {}, true);
    expect_op(")");
    return e;
  }
  if (is_op("[")) {
    e = node(ExprKind::ListLit, t);
    advance();
    while (!is_op("]")) {
      if (!e->a.empty()) {
        expect_op(",");
        if (is_op("]")) break;
      }
      e->a.push_back(parse_expression(true));
    }
    advance();
    return e;
  }
  if (is_op("{")) {
    e = node(ExprKind::DictLit, t);
    advance();
    while (!is_op("}")) {
      if (!e->a.empty()) {
        expect_op(",");
        if (is_op("}")) break;
      }
      e->a.push_back(parse_expression(true));
      expect_op(":");
      e->a.push_back(parse_expression(true));
    }
    advance();
    return e;
  }
  fail("unexpected '" + describe(t) + "'");
}

ExprPtr Parser::parse_postfix(ExprPtr e) {
  while (true) {
    if (is_op(".") || is_op("[")) e = parse_subscript(std::move(e));
    else if (is_op("(")) e = parse_call(std::move(e));
    else return e;
  }
}

ExprPtr Parser::parse_filter_expr(ExprPtr e) {
  while (true) {
    if (is_op("|")) e = parse_filter(std::move(e), false);
    else if (is_name("is")) e = parse_test(std::move(e));
    else if (is_op("(")) e = parse_call(std::move(e));
    else return e;
  }
}

ExprPtr Parser::parse_subscript(ExprPtr obj) {
  const Token& at = cur();
  if (skip_op(".")) {
    const Token& attr = cur();
    if (attr.type == Tok::Name) {
      auto e = node(ExprKind::GetAttr, at);
      e->a.push_back(std::move(obj));
      e->name = attr.text;
      advance();
      return e;
    }
    if (attr.type == Tok::Int) {
      auto key = node(ExprKind::Literal, attr);
      key->value = int_literal(attr);
      advance();
      auto e = node(ExprKind::GetItem, at);
      e->a.push_back(std::move(obj));
      e->a.push_back(std::move(key));
      return e;
    }
    fail(attr, "expected name or number");
  }
  expect_op("[");
  std::vector<ExprPtr> args;
  while (!is_op("]")) {
    if (!args.empty()) expect_op(",");
    args.push_back(parse_subscribed());
  }
  advance();
  if (args.size() == 1 && args[0]->kind == ExprKind::Slice) {
    args[0]->a[0] = std::move(obj);
    return std::move(args[0]);
  }
  auto e = node(ExprKind::GetItem, at);
  e->a.push_back(std::move(obj));
  if (args.size() == 1) {
    e->a.push_back(std::move(args[0]));
  } else {
    auto tuple = node(ExprKind::TupleLit, at);
    tuple->a = std::move(args);
    e->a.push_back(std::move(tuple));
  }
  return e;
}

// One subscript: an expression or a slice `start:stop:step` (a Slice node whose a[0] is a
// placeholder for the object).
ExprPtr Parser::parse_subscribed() {
  const Token& at = cur();
  ExprPtr start;
  if (!is_op(":")) {
    start = parse_expression(true);
    if (!is_op(":")) return start;
  }
  advance();
  auto slice = node(ExprKind::Slice, at);
  slice->a.push_back(nullptr);
  slice->a.push_back(std::move(start));
  slice->a.push_back(is_op("]") || is_op(",") || is_op(":") ? nullptr : parse_expression(true));
  if (skip_op(":")) slice->a.push_back(is_op("]") || is_op(",") ? nullptr : parse_expression(true));
  else slice->a.push_back(nullptr);
  return slice;
}

// Arguments as Jinja2's parse_call_args reads them: positional, then keyword, then `*args`, then
// `**kwargs`. The two star arguments are kept in `kwargs` under the names "*" and "**" (no
// keyword can be spelled so).
void Parser::parse_call_args(Expr& e) {
  const Token& open = cur();
  expect_op("(");
  bool require_comma = false, star = false, star_star = false;
  auto ensure = [&](bool ok) {
    if (!ok) fail(open, "invalid syntax for function call expression");
  };
  while (!is_op(")")) {
    if (require_comma) {
      expect_op(",");
      if (is_op(")")) break;
    }
    if (is_op("*")) {
      ensure(!star && !star_star);
      advance();
      e.kwargs.emplace_back("*", parse_expression(true));
      star = true;
    } else if (is_op("**")) {
      ensure(!star_star);
      advance();
      e.kwargs.emplace_back("**", parse_expression(true));
      star_star = true;
    } else if (cur().type == Tok::Name && peek().type == Tok::Op && peek().text == "=") {
      ensure(!star_star);
      std::string key = cur().text;
      advance();
      advance();
      e.kwargs.emplace_back(std::move(key), parse_expression(true));
    } else {
      ensure(!star && !star_star && e.kwargs.empty());
      e.a.push_back(parse_expression(true));
    }
    require_comma = true;
  }
  advance();
}

ExprPtr Parser::parse_call(ExprPtr callee) {
  auto e = node(ExprKind::Call, cur());
  e->a.push_back(std::move(callee));
  parse_call_args(*e);
  return e;
}

std::string Parser::dotted_name() {
  std::string name = expect_name();
  while (skip_op(".")) name += "." + expect_name();
  return name;
}

ExprPtr Parser::parse_filter(ExprPtr input, bool start_inline) {
  while (is_op("|") || start_inline) {
    if (!start_inline) advance();
    start_inline = false;
    const Token& at = cur();
    auto e = node(ExprKind::Filter, at);
    e->name = dotted_name();
    e->filter = find_filter(e->name);   // unknown: an error only if evaluated, as in Jinja2
    e->a.push_back(std::move(input));
    if (is_op("(")) parse_call_args(*e);
    input = std::move(e);
  }
  return input;
}

ExprPtr Parser::parse_test(ExprPtr input) {
  advance();   // `is`
  bool negated = skip_name("not");
  const Token& at = cur();
  auto e = node(ExprKind::Test, at);
  e->name = dotted_name();
  e->test = find_test(e->name);   // unknown: an error only if evaluated, as in Jinja2
  e->negated = negated;
  e->a.push_back(std::move(input));
  if (is_op("(")) {
    parse_call_args(*e);
  } else if ((cur().type == Tok::Name || cur().type == Tok::String || cur().type == Tok::Int ||
              cur().type == Tok::Float || is_op("(") || is_op("[") || is_op("{")) &&
             !is_name("else") && !is_name("or") && !is_name("and")) {
    if (is_name("is")) fail("You cannot chain multiple tests with is");
    e->a.push_back(parse_postfix(parse_primary()));
  }
  return e;
}
}  // namespace hf::templates
