// Template structure: text, {{ }} and {% %} statements, block nesting and end tags.
#include "templates/parser.h"

#include "templates/parser_impl.h"

#include <utility>

namespace hf::templates {

// Parses template data and statements until a block tag named in `end_tags`; leaves the
// stream on that tag's name.
void Parser::fail_unclosed(const Token& at, const std::string* name) const {
  std::string message = name ? "Encountered unknown tag '" + *name + "'." : "Unexpected end of template.";
  if (!end_tags_stack_.empty()) {
    bool expected = false;   // is the unknown tag the end of an outer block?
    for (const auto& tags : end_tags_stack_)
      for (const char* tag : tags) expected = expected || (name && *name == tag);
    std::string looking;
    for (const char* tag : end_tags_stack_.back()) looking += std::string(looking.empty() ? "" : " or ") + "'" + tag + "'";
    message += expected ? " You probably made a nesting mistake. Jinja is expecting this tag, but currently looking for " + looking + "."
                        : " Jinja was looking for the following tags: " + looking + ".";
  }
  if (!tag_stack_.empty()) message += " The innermost block that needs to be closed is '" + tag_stack_.back() + "'.";
  fail(at, message);
}

Body Parser::subparse(std::initializer_list<const char*> end_tags) {
  Body body;
  if (end_tags.size()) end_tags_stack_.push_back(end_tags);
  struct Pop {
    std::vector<std::initializer_list<const char*>>& stack;
    bool pushed;
    ~Pop() { if (pushed) stack.pop_back(); }
  } pop{end_tags_stack_, end_tags.size() != 0};
  while (true) {
    const Token& t = cur();
    if (t.type == Tok::Eof) {
      if (end_tags.size() == 0) return body;
      fail_unclosed(t, nullptr);
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
Body Parser::parse_statements(std::initializer_list<const char*> end_tags, bool drop) {
  expect(Tok::BlockEnd, "'end of statement block'");
  Body body = subparse(end_tags);
  if (drop) advance();
  return body;
}

StmtPtr Parser::parse_statement() {
  Depth depth(*this);
  const Token& t = cur();
  if (t.type != Tok::Name) fail("tag name expected");
  std::string tag = t.text;
  auto s = std::make_unique<Stmt>();
  s->line = t.line;
  const Token& tag_at = t;
  advance();
  tag_stack_.push_back(tag);
  struct Pop {
    std::vector<std::string>& stack;
    bool active = true;
    ~Pop() { if (active) stack.pop_back(); }
  } pop{tag_stack_};
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
  else if (tag == "break" || tag == "continue") {
    // Jinja2 compiles these to Python's break/continue, which Python rejects outside a loop.
    if (loop_depth_ == 0)
      fail(t, tag == "break" ? "SyntaxError: 'break' outside loop" : "SyntaxError: 'continue' not properly in loop");
    s->kind = tag == "break" ? StmtKind::Break : StmtKind::Continue;
  }
  else if (tag == "generation") {   // transformers' {% generation %}: renders its body
    s->kind = StmtKind::Scope;
    s->body = parse_statements({"endgeneration"}, true);
  } else if (tag == "print") {
    s->kind = StmtKind::Print;
    s->expr = parse_tuple(true, {}, false);
  } else {
    tag_stack_.pop_back();   // Jinja2 drops the unknown tag before it reports it
    pop.active = false;
    fail_unclosed(tag_at, &tag);
  }
  return s;
}

void Parser::parse_for(Stmt& s) {
  s.kind = StmtKind::For;
  const Token& target_at = cur();
  s.target = parse_assign_target(false, {"in"});
  for (const auto& name : s.target.names)
    if (name == "loop") fail(target_at, "Can't assign to special loop variable in for-loop target");
  if (!skip_name("in")) unexpected("'in'");
  s.expr = parse_tuple(false, {"recursive"}, false);
  if (skip_name("if")) s.condition = parse_expression(true);
  s.recursive = skip_name("recursive");
  ++loop_depth_;
  s.body = parse_statements({"endfor", "else"}, false);
  --loop_depth_;
  std::string end = cur().text;
  advance();
  if (end == "else") s.else_body = parse_statements({"endfor"}, true);
}

void Parser::parse_if(Stmt& s) {
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

void Parser::parse_set(Stmt& s) {
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

void Parser::parse_signature(std::vector<MacroParam>& params) {
  expect_op("(");
  while (!is_op(")")) {
    if (!params.empty()) expect_op(",");
    MacroParam p;
    const Token& at = cur();
    p.name = expect_name();
    if (skip_op("=")) p.default_value = parse_expression(true);
    else if (!params.empty() && params.back().default_value)
      fail(at, "non-default argument follows default argument");
    params.push_back(std::move(p));
  }
  advance();
}

void Parser::parse_macro(Stmt& s) {
  s.kind = StmtKind::Macro;
  s.text = expect_name();
  parse_signature(s.params);
  int outer_loops = std::exchange(loop_depth_, 0);   // a macro body is a new function
  s.body = parse_statements({"endmacro"}, true);
  loop_depth_ = outer_loops;
}

void Parser::parse_call_block(Stmt& s) {
  s.kind = StmtKind::CallBlock;
  if (is_op("(")) parse_signature(s.params);
  const Token& at = cur();
  s.expr = parse_expression(true);
  if (s.expr->kind != ExprKind::Call) fail(at, "expected call");
  int outer_loops = std::exchange(loop_depth_, 0);
  s.body = parse_statements({"endcall"}, true);
  loop_depth_ = outer_loops;
}

void Parser::parse_with(Stmt& s) {
  s.kind = StmtKind::With;
  while (cur().type != Tok::BlockEnd) {
    if (!s.assignments.empty()) expect_op(",");
    Target target = parse_assign_target(false, {});
    expect_op("=");
    s.assignments.emplace_back(std::move(target), parse_expression(true));
  }
  s.body = parse_statements({"endwith"}, true);
}

Target Parser::parse_assign_target(bool with_namespace, std::initializer_list<const char*> end_names) {
  Target target;
  bool parenthesized = skip_op("(");
  while (true) {
    const Token& at = cur();
    target.names.push_back(expect_name());
    for (const char* constant : {"true", "false", "none", "True", "False", "None"})
      if (target.names.back() == constant) fail(at, "can't assign to 'const'");
    target.attributes.emplace_back();
    if (with_namespace && skip_op(".")) target.attributes.back() = expect_name();   // `set ns.attr`
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

std::unique_ptr<Program> parse(const std::string& source) { return Parser(tokenize(source)).run(); }

}  // namespace hf::templates
