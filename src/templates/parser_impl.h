#pragma once
// The parser's state, shared by its two halves: parser.cpp (template structure, statements) and
// parse_expressions.cpp (Jinja2's expression grammar and operator precedence).
#include <initializer_list>
#include <string>
#include <vector>

#include "hf/error.h"
#include "templates/ast.h"
#include "templates/lexer.h"

namespace hf::templates {

constexpr int kMaxNesting = 200;   // deeper templates are rejected rather than overflowing the stack

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : toks_(std::move(tokens)) {}

  std::unique_ptr<Program> run() {
    raise_lexer_error(cur());
    auto program = std::make_unique<Program>();
    program->body = subparse({});
    return program;
  }

 private:
  // ---- token helpers --------------------------------------------------------------------
  const Token& cur() const { return toks_[pos_]; }
  // Jinja2's TokenStream.look(): lexing the token after the current one may raise.
  const Token& peek(size_t n = 1) const { return raise_lexer_error(toks_[std::min(pos_ + n, toks_.size() - 1)]); }
  void advance() {
    if (cur().type != Tok::Eof) raise_lexer_error(toks_[++pos_]);
  }
  // A lexical error is raised when the parser reaches it, as Jinja2's lazy lexer does.
  static const Token& raise_lexer_error(const Token& t) {
    if (t.type == Tok::Error) throw TemplateError(t.text);
    return t;
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
    if (cur().type != Tok::Name) unexpected("'name'");
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

  // ---- statements (parser.cpp) -----------------------------------------------------
  Body subparse(std::initializer_list<const char*> end_tags);
  Body parse_statements(std::initializer_list<const char*> end_tags, bool drop);
  StmtPtr parse_statement();
  void parse_for(Stmt& s);
  void parse_if(Stmt& s);
  void parse_set(Stmt& s);
  void parse_signature(std::vector<MacroParam>& params);
  void parse_macro(Stmt& s);
  void parse_call_block(Stmt& s);
  void parse_with(Stmt& s);
  Target parse_assign_target(bool with_namespace, std::initializer_list<const char*> end_names);

  // ---- expressions (parse_expressions.cpp) -------------------------------------------
  ExprPtr parse_tuple(bool with_condexpr, std::initializer_list<const char*> end_names, bool explicit_parens);
  bool is_tuple_end(std::initializer_list<const char*> end_names) const;
  ExprPtr parse_expression(bool with_condexpr);
  ExprPtr parse_condexpr();
  ExprPtr binary(ExprKind kind, const Token& at, ExprPtr left, ExprPtr right);
  ExprPtr parse_or();
  ExprPtr parse_and();
  ExprPtr parse_logical(ExprKind kind, const char* keyword, ExprPtr (Parser::*operand)());
  ExprPtr parse_not();
  ExprPtr parse_compare();
  ExprPtr arithmetic(BinOp op, const Token& at, ExprPtr left, ExprPtr right);
  ExprPtr parse_math1();
  ExprPtr parse_concat();
  ExprPtr parse_math2();
  ExprPtr parse_pow();
  ExprPtr parse_unary(bool with_filter);
  ExprPtr parse_primary();
  ExprPtr parse_postfix(ExprPtr e);
  ExprPtr parse_filter_expr(ExprPtr e);
  ExprPtr parse_subscript(ExprPtr obj);
  ExprPtr parse_subscribed();
  void parse_call_args(Expr& e);
  ExprPtr parse_call(ExprPtr callee);
  std::string dotted_name();
  ExprPtr parse_filter(ExprPtr input, bool start_inline);
  ExprPtr parse_test(ExprPtr input);

  // Jinja2's _fail_ut_eof: the end of the template, or an unknown tag `name`, inside blocks.
  [[noreturn]] void fail_unclosed(const Token& at, const std::string* name) const;

  std::vector<Token> toks_;
  size_t pos_ = 0;
  std::vector<std::string> tag_stack_;   // the statements being parsed, innermost last
  std::vector<std::initializer_list<const char*>> end_tags_stack_;   // the end tags each subparse awaits
  int depth_ = 0;
  int loop_depth_ = 0;   // for-loop bodies around the statement being parsed (0 inside a macro)
};

}  // namespace hf::templates
