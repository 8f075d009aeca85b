#pragma once
// The Jinja2 lexer with HF's environment: trim_blocks, lstrip_blocks, `-`/`+` whitespace control,
// raw blocks, comments, newlines normalized to "\n" and one trailing newline dropped
// (keep_trailing_newline=False). Whitespace handling happens here, so the parser sees template
// text exactly as it will be printed.
#include <cstdint>
#include <string>
#include <vector>

namespace hf::templates {

// Error: a lexical error, the last token (its text is the message). Jinja2 lexes lazily, as the
// parser asks for tokens, so its parser can fail first on a token before the bad one: the parser
// raises this one only when it reaches it.
enum class Tok : uint8_t { Data, VarBegin, VarEnd, BlockBegin, BlockEnd, Name, String, Int, Float, Op, Eof, Error };

struct Token {
  Tok type;
  std::string text;   // data, name, operator, or the decoded string literal
  int64_t int_value = 0;
  std::string big_digits = {};   // an integer literal past 64 bits: its digits in `big_base`
  int big_base = 10;
  double float_value = 0;
  int line = 1, column = 1;
};

// The tokens up to the end (Eof), or up to a lexical error: then the last token is an Error
// whose text is "line L, column C: ...".
std::vector<Token> tokenize(const std::string& source);

}  // namespace hf::templates
