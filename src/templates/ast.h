#pragma once
// The syntax tree of a compiled template. Built once by the parser, then only read: rendering
// never mutates it, which is what makes one compiled template safe to render from many threads.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "templates/value.h"

namespace hf::templates {

struct Expr;
struct Stmt;
using ExprPtr = std::unique_ptr<Expr>;
using StmtPtr = std::unique_ptr<Stmt>;
using Body = std::vector<StmtPtr>;

using FilterFn = Value (*)(Evaluator& ev, const Value& input, const CallArgs& args);
using TestFn = bool (*)(Evaluator& ev, const Value& input, const CallArgs& args);

enum class ExprKind : uint8_t {
  Literal,    // value
  Name,       // name
  GetAttr,    // a[0].name
  GetItem,    // a[0][a[1]]
  Slice,      // a[0][a[1]:a[2]:a[3]] (absent parts are null)
  Call,       // a[0](a[1..], kwargs)
  Filter,     // a[0] | name(a[1..], kwargs); a[0] is null in filter blocks
  Test,       // a[0] is [not] name(a[1..], kwargs)
  Neg, Pos, Not,          // a[0]
  And, Or,                // a[0], a[1]
  Binary,                 // a[0] op a[1]
  Compare,                // a[0] ops[0] a[1] ops[1] a[2] ...
  Concat,                 // a[0] ~ a[1] ~ ...
  CondExpr,               // a[1] if a[0] else a[2] (a[2] may be null)
  ListLit, TupleLit,      // a[...]
  DictLit,                // a[0]: a[1], a[2]: a[3], ...
};

enum class BinOp : uint8_t { Add, Sub, Mul, Div, FloorDiv, Mod, Pow };
enum class CmpOp : uint8_t { Eq, Ne, Lt, Le, Gt, Ge, In, NotIn };

struct Expr {
  ExprKind kind;
  int line = 0;
  Value value;                                             // Literal
  std::string name;                                        // Name, GetAttr, Filter, Test
  std::vector<ExprPtr> a;                                  // operands
  std::vector<std::pair<std::string, ExprPtr>> kwargs;     // Call, Filter, Test
  std::vector<CmpOp> ops;                                  // Compare
  BinOp op = BinOp::Add;                                   // Binary
  FilterFn filter = nullptr;                               // Filter (resolved when compiled)
  TestFn test = nullptr;                                   // Test
  bool negated = false;                                    // Test: `is not`
};

// Assignment targets: `x`, `a, b`, `ns.attr`, or `ns.a, ns.b`.
struct Target {
  std::vector<std::string> names;
  std::vector<std::string> attributes;   // set: for each name, "" or the attribute (`ns.a, ns.b = ...`)
  bool is_tuple = false;
};

struct MacroParam {
  std::string name;
  ExprPtr default_value;      // null: no default
};

enum class StmtKind : uint8_t {
  Text, Print, If, For, Set, SetBlock, Macro, CallBlock, FilterBlock, With, Break, Continue, Scope,
};

struct Stmt {
  StmtKind kind;
  int line = 0;
  std::string text;                                  // Text; Macro: name
  ExprPtr expr;                                      // Print, Set value, For iterable, CallBlock call,
                                                     // FilterBlock / SetBlock filter chain
  ExprPtr condition;                                 // For: `if` filter
  std::vector<std::pair<ExprPtr, Body>> branches;    // If / elif
  Body body;                                         // For, SetBlock, Macro, CallBlock, FilterBlock, With, Scope
  Body else_body;                                    // If, For
  Target target;                                     // For, Set, SetBlock
  std::vector<MacroParam> params;                    // Macro, CallBlock
  std::vector<std::pair<Target, ExprPtr>> assignments;   // With
  bool uses_caller = false, uses_varargs = false, uses_kwargs = false;   // Macro
  bool recursive = false;                            // For: `for ... recursive` (loop(...) recurses)
};

struct Program {
  Body body;
};

}  // namespace hf::templates
