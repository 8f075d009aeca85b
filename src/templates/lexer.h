#pragma once
// The Jinja2 lexer with HF's environment: trim_blocks, lstrip_blocks, `-`/`+` whitespace control,
// raw blocks, comments, newlines normalized to "\n" and one trailing newline dropped
// (keep_trailing_newline=False). Whitespace handling happens here, so the parser sees template
// text exactly as it will be printed.
#include <cstdint>
#include <string>
#include <vector>

namespace hf::templates {

enum class Tok : uint8_t { Data, VarBegin, VarEnd, BlockBegin, BlockEnd, Name, String, Int, Float, Op, Eof };

struct Token {
  Tok type;
  std::string text;   // data, name, operator, or the decoded string literal
  int64_t int_value = 0;
  std::string big_digits = {};   // an integer literal past 64 bits: its digits in `big_base`
  int big_base = 10;
  double float_value = 0;
  int line = 1, column = 1;
};

// Throws hf::TemplateError "line L, column C: ..." on a lexical error.
std::vector<Token> tokenize(const std::string& source);

}  // namespace hf::templates
