#include "templates/parser.h"

#include <initializer_list>

#include "hf/error.h"
#include "templates/builtins.h"
#include "templates/lexer.h"

namespace hf::templates {

namespace {

constexpr int kMaxNesting = 200;   // deeper templates are rejected rather than overflowing the stack

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : toks_(std::move(tokens)) {}

  std::unique_ptr<Program> run() {
    auto program = std::make_unique<Program>();
    program->body = subparse({});
    return program;
  }

 private:
  // ---- token helpers --------------------------------------------------------------------
  const Token& cur() const { return toks_[pos_]; }
  const Token& peek(size_t n = 1) const { return toks_[std::min(pos_ + n, toks_.size() - 1)]; }
  void advance() {
    if (cur().type != Tok::Eof) ++pos_;
  }
  bool is_op(const char* op) const { return cur().type == Tok::Op && cur().text == op; }
  bool is_name(const char* name) const { return cur().type == Tok::Name && cur().text == name; }
  bool skip_op(const char* op) {
    if (!is_op(op)) return false;
    advance();
    return true;
  }
  bool skip_name(const char* name) {
    if (!is_name(name)) return false;
    advance();
    return true;
  }

  [[noreturn]] void fail(const Token& at, const std::string& what) const {
    throw TemplateError("line " + std::to_string(at.line) + ", column " + std::to_string(at.column) +
                        ": " + what);
  }
  [[noreturn]] void fail(const std::string& what) const { fail(cur(), what); }

  static std::string describe(const Token& t) {
    switch (t.type) {
      case Tok::Data: return "template data / text";
      case Tok::VarBegin: return "begin of print statement";
      case Tok::VarEnd: return "end of print statement";
      case Tok::BlockBegin: return "begin of statement block";
      case Tok::BlockEnd: return "end of statement block";
      case Tok::String: return "string";
      case Tok::Int: return "integer";
      case Tok::Float: return "float";
      case Tok::Eof: return "end of template";
      default: return t.text;
    }
  }

  void expect_op(const char* op) {
    if (!skip_op(op)) unexpected(std::string("'") + op + "'");
  }
  std::string expect_name() {
    if (cur().type != Tok::Name) unexpected("name");
    std::string name = cur().text;
    advance();
    return name;
  }
  void expect(Tok type, const char* what) {
    if (cur().type != type) unexpected(what);
    advance();
  }
  [[noreturn]] void unexpected(const std::string& expected) const {
    if (cur().type == Tok::Eof) fail("unexpected end of template, expected " + expected + ".");
    fail("expected token " + expected + ", got '" + describe(cur()) + "'");
  }

  struct Depth {
    Parser& p;
    explicit Depth(Parser& parser) : p(parser) {
      if (++p.depth_ > kMaxNesting) p.fail("template nests too deeply (more than 200 levels)");
    }
    ~Depth() { --p.depth_; }
  };

  ExprPtr node(ExprKind kind, const Token& at) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->line = at.line;
    return e;
  }

  // ---- statements -----------------------------------------------------------------------
  // Parses template data and statements until a block tag named in `end_tags`; leaves the
  // stream on that tag's name.
  Body subparse(std::initializer_list<const char*> end_tags) {
    Body body;
    while (true) {
      const Token& t = cur();
      if (t.type == Tok::Eof) {
        if (end_tags.size() == 0) return body;
        std::string names;
        for (const char* n : end_tags) names += std::string(names.empty() ? "" : " or ") + "'" + n + "'";
        fail("unexpected end of template. Jinja was looking for the following tags: " + names + ".");
      }
      if (t.type == Tok::Data) {
        auto s = std::make_unique<Stmt>();
        s->kind = StmtKind::Text;
        s->line = t.line;
        s->text = t.text;
        body.push_back(std::move(s));
        advance();
      } else if (t.type == Tok::VarBegin) {
        advance();
        auto s = std::make_unique<Stmt>();
        s->kind = StmtKind::Print;
        s->line = t.line;
        s->expr = parse_tuple(true, {}, false);
        expect(Tok::VarEnd, "'end of print statement'");
        body.push_back(std::move(s));
      } else if (t.type == Tok::BlockBegin) {
        advance();
        for (const char* end : end_tags)
          if (is_name(end)) return body;
        body.push_back(parse_statement());
        expect(Tok::BlockEnd, "'end of statement block'");
      } else {
        fail("unexpected '" + describe(t) + "'");
      }
    }
  }

  // A block's body up to one of `end_tags`; consumes the end tag's name when `drop` is set.
  Body parse_statements(std::initializer_list<const char*> end_tags, bool drop) {
    expect(Tok::BlockEnd, "'end of statement block'");
    Body body = subparse(end_tags);
    if (drop) advance();
    return body;
  }

  StmtPtr parse_statement() {
    Depth depth(*this);
    const Token& t = cur();
    if (t.type != Tok::Name) fail("tag name expected");
    std::string tag = t.text;
    auto s = std::make_unique<Stmt>();
    s->line = t.line;
    advance();
    if (tag == "for") parse_for(*s);
    else if (tag == "if") parse_if(*s);
    else if (tag == "set") parse_set(*s);
    else if (tag == "macro") parse_macro(*s);
    else if (tag == "call") parse_call_block(*s);
    else if (tag == "filter") {
      s->kind = StmtKind::FilterBlock;
      s->expr = parse_filter(nullptr, true);
      s->body = parse_statements({"endfilter"}, true);
    } else if (tag == "with") parse_with(*s);
    else if (tag == "break") s->kind = StmtKind::Break;
    else if (tag == "continue") s->kind = StmtKind::Continue;
    else if (tag == "generation") {   // transformers' {% generation %}: renders its body
      s->kind = StmtKind::Scope;
      s->body = parse_statements({"endgeneration"}, true);
    } else if (tag == "print") {
      s->kind = StmtKind::Print;
      s->expr = parse_tuple(true, {}, false);
    } else {
      fail(t, "Encountered unknown tag '" + tag + "'.");
    }
    return s;
  }

  void parse_for(Stmt& s) {
    s.kind = StmtKind::For;
    s.target = parse_assign_target(false, {"in"});
    if (!skip_name("in")) unexpected("'in'");
    s.expr = parse_tuple(false, {"recursive"}, false);
    if (skip_name("if")) s.condition = parse_expression(true);
    if (skip_name("recursive")) fail("recursive for loops are not supported");
    s.body = parse_statements({"endfor", "else"}, false);
    std::string end = cur().text;
    advance();
    if (end == "else") s.else_body = parse_statements({"endfor"}, true);
  }

  void parse_if(Stmt& s) {
    s.kind = StmtKind::If;
    ExprPtr test = parse_tuple(false, {}, false);
    while (true) {
      Body body = parse_statements({"elif", "else", "endif"}, false);
      s.branches.emplace_back(std::move(test), std::move(body));
      std::string end = cur().text;
      advance();
      if (end == "elif") {
        test = parse_tuple(false, {}, false);
        continue;
      }
      if (end == "else") s.else_body = parse_statements({"endif"}, true);
      return;
    }
  }

  void parse_set(Stmt& s) {
    s.target = parse_assign_target(true, {});
    if (skip_op("=")) {
      s.kind = StmtKind::Set;
      s.expr = parse_tuple(true, {}, false);
      return;
    }
    s.kind = StmtKind::SetBlock;
    s.expr = parse_filter(nullptr, false);
    s.body = parse_statements({"endset"}, true);
  }

  void parse_signature(std::vector<MacroParam>& params) {
    expect_op("(");
    while (!is_op(")")) {
      if (!params.empty()) expect_op(",");
      MacroParam p;
      p.name = expect_name();
      if (skip_op("=")) p.default_value = parse_expression(true);
      params.push_back(std::move(p));
    }
    advance();
  }

  void parse_macro(Stmt& s) {
    s.kind = StmtKind::Macro;
    s.text = expect_name();
    parse_signature(s.params);
    s.body = parse_statements({"endmacro"}, true);
  }

  void parse_call_block(Stmt& s) {
    s.kind = StmtKind::CallBlock;
    if (is_op("(")) parse_signature(s.params);
    const Token& at = cur();
    s.expr = parse_expression(true);
    if (s.expr->kind != ExprKind::Call) fail(at, "expected call");
    s.body = parse_statements({"endcall"}, true);
  }

  void parse_with(Stmt& s) {
    s.kind = StmtKind::With;
    while (cur().type != Tok::BlockEnd) {
      if (!s.assignments.empty()) expect_op(",");
      Target target = parse_assign_target(false, {});
      expect_op("=");
      s.assignments.emplace_back(std::move(target), parse_expression(true));
    }
    s.body = parse_statements({"endwith"}, true);
  }

  Target parse_assign_target(bool with_namespace, std::initializer_list<const char*> end_names) {
    Target target;
    if (with_namespace && cur().type == Tok::Name && peek().type == Tok::Op && peek().text == ".") {
      target.names.push_back(cur().text);
      advance();
      advance();
      target.attribute = expect_name();
      return target;
    }
    bool parenthesized = skip_op("(");
    while (true) {
      target.names.push_back(expect_name());
      if (!skip_op(",")) break;
      target.is_tuple = true;
      if (cur().type != Tok::Name) break;
      bool at_end = false;
      for (const char* n : end_names) at_end = at_end || is_name(n);
      if (at_end) break;
    }
    if (parenthesized) {
      expect_op(")");
      target.is_tuple = true;
    }
    return target;
  }

  // ---- expressions ----------------------------------------------------------------------
  // `a, b` builds a tuple; a single expression stays itself.
  ExprPtr parse_tuple(bool with_condexpr, std::initializer_list<const char*> end_names,
                      bool explicit_parentheses) {
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
      if (!explicit_parentheses) fail("Expected an expression, got '" + describe(cur()) + "'");
    }
    auto t = node(ExprKind::TupleLit, start);
    t->a = std::move(items);
    return t;
  }

  bool is_tuple_end(std::initializer_list<const char*> end_names) const {
    if (cur().type == Tok::VarEnd || cur().type == Tok::BlockEnd || cur().type == Tok::Eof) return true;
    if (is_op(")")) return true;
    for (const char* n : end_names)
      if (is_name(n)) return true;
    return false;
  }

  ExprPtr parse_expression(bool with_condexpr) {
    Depth depth(*this);
    return with_condexpr ? parse_condexpr() : parse_or();
  }

  ExprPtr parse_condexpr() {
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

  ExprPtr binary(ExprKind kind, const Token& at, ExprPtr left, ExprPtr right) {
    auto e = node(kind, at);
    e->a.push_back(std::move(left));
    e->a.push_back(std::move(right));
    return e;
  }

  ExprPtr parse_or() {
    ExprPtr left = parse_and();
    while (is_name("or")) {
      const Token& at = cur();
      advance();
      left = binary(ExprKind::Or, at, std::move(left), parse_and());
    }
    return left;
  }

  ExprPtr parse_and() {
    ExprPtr left = parse_not();
    while (is_name("and")) {
      const Token& at = cur();
      advance();
      left = binary(ExprKind::And, at, std::move(left), parse_not());
    }
    return left;
  }

  ExprPtr parse_not() {
    if (is_name("not")) {
      Depth depth(*this);
      auto e = node(ExprKind::Not, cur());
      advance();
      e->a.push_back(parse_not());
      return e;
    }
    return parse_compare();
  }

  ExprPtr parse_compare() {
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

  ExprPtr arithmetic(BinOp op, const Token& at, ExprPtr left, ExprPtr right) {
    auto e = binary(ExprKind::Binary, at, std::move(left), std::move(right));
    e->op = op;
    return e;
  }

  ExprPtr parse_math1() {
    ExprPtr left = parse_concat();
    while (is_op("+") || is_op("-")) {
      const Token& at = cur();
      BinOp op = at.text == "+" ? BinOp::Add : BinOp::Sub;
      advance();
      left = arithmetic(op, at, std::move(left), parse_concat());
    }
    return left;
  }

  ExprPtr parse_concat() {
    const Token& at = cur();
    ExprPtr first = parse_math2();
    if (!is_op("~")) return first;
    auto c = node(ExprKind::Concat, at);
    c->a.push_back(std::move(first));
    while (skip_op("~")) c->a.push_back(parse_math2());
    return c;
  }

  ExprPtr parse_math2() {
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

  ExprPtr parse_pow() {
    ExprPtr left = parse_unary(true);
    while (is_op("**")) {
      const Token& at = cur();
      advance();
      left = arithmetic(BinOp::Pow, at, std::move(left), parse_unary(true));
    }
    return left;
  }

  ExprPtr parse_unary(bool with_filter) {
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

  ExprPtr parse_primary() {
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
        e->value = t.int_value;
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

  ExprPtr parse_postfix(ExprPtr e) {
    while (true) {
      if (is_op(".") || is_op("[")) e = parse_subscript(std::move(e));
      else if (is_op("(")) e = parse_call(std::move(e));
      else return e;
    }
  }

  ExprPtr parse_filter_expr(ExprPtr e) {
    while (true) {
      if (is_op("|")) e = parse_filter(std::move(e), false);
      else if (is_name("is")) e = parse_test(std::move(e));
      else if (is_op("(")) e = parse_call(std::move(e));
      else return e;
    }
  }

  ExprPtr parse_subscript(ExprPtr obj) {
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
        key->value = attr.int_value;
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
  ExprPtr parse_subscribed() {
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

  void parse_call_args(Expr& e) {
    expect_op("(");
    bool require_comma = false;
    while (!is_op(")")) {
      if (require_comma) {
        expect_op(",");
        if (is_op(")")) break;
      }
      if (is_op("*") || is_op("**")) fail("*args and **kwargs in calls are not supported");
      if (cur().type == Tok::Name && peek().type == Tok::Op && peek().text == "=") {
        std::string key = cur().text;
        advance();
        advance();
        e.kwargs.emplace_back(std::move(key), parse_expression(true));
      } else {
        if (!e.kwargs.empty()) fail("positional argument follows keyword argument");
        e.a.push_back(parse_expression(true));
      }
      require_comma = true;
    }
    advance();
  }

  ExprPtr parse_call(ExprPtr callee) {
    auto e = node(ExprKind::Call, cur());
    e->a.push_back(std::move(callee));
    parse_call_args(*e);
    return e;
  }

  std::string dotted_name() {
    std::string name = expect_name();
    while (skip_op(".")) name += "." + expect_name();
    return name;
  }

  ExprPtr parse_filter(ExprPtr input, bool start_inline) {
    while (is_op("|") || start_inline) {
      if (!start_inline) advance();
      start_inline = false;
      const Token& at = cur();
      auto e = node(ExprKind::Filter, at);
      e->name = dotted_name();
      e->filter = find_filter(e->name);
      if (!e->filter) fail(at, "No filter named '" + e->name + "'.");
      e->a.push_back(std::move(input));
      if (is_op("(")) parse_call_args(*e);
      input = std::move(e);
    }
    return input;
  }

  ExprPtr parse_test(ExprPtr input) {
    advance();   // `is`
    bool negated = skip_name("not");
    const Token& at = cur();
    auto e = node(ExprKind::Test, at);
    e->name = dotted_name();
    e->test = find_test(e->name);
    if (!e->test) fail(at, "No test named '" + e->name + "'.");
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

  std::vector<Token> toks_;
  size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace

std::unique_ptr<Program> parse(const std::string& source) { return Parser(tokenize(source)).run(); }

}  // namespace hf::templates
