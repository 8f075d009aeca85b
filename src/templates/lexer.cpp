#include "templates/lexer.h"

#include <cstring>
#include <string_view>

#include "hf/error.h"
#include "templates/text.h"

namespace hf::templates {

namespace {

// The source as Jinja2 sees it: "\r\n" and "\r" become "\n"; one trailing newline is dropped.
std::string normalize_newlines(const std::string& source) {
  std::string out;
  out.reserve(source.size());
  for (size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '\r') {
      out += '\n';
      if (i + 1 < source.size() && source[i + 1] == '\n') ++i;
    } else {
      out += source[i];
    }
  }
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

bool is_name_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}
bool is_name_char(char c) { return is_name_start(c) || std::isdigit(static_cast<unsigned char>(c)); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

class Lexer {
 public:
  explicit Lexer(std::string source) : src_(std::move(source)) {}

  std::vector<Token> run() {
    try {
      lex();
    } catch (const LexError& e) {
      tokens_.push_back(e.token);
    }
    return std::move(tokens_);
  }

 private:
  struct LexError {
    Token token;
  };

  void lex() {
    size_t pos = 0;
    bool line_starting = true;
    while (pos < src_.size()) {
      size_t tag = find_tag(pos);
      if (tag == std::string::npos) {
        emit_data(src_.substr(pos), pos);
        break;
      }
      char kind = src_[tag + 1];   // '{', '%' or '#'
      size_t after = tag + 2;
      char sign = (after < src_.size() && (src_[after] == '-' || src_[after] == '+')) ? src_[after] : 0;
      size_t raw_end = kind == '%' ? match_raw_begin(after + (sign ? 1 : 0)) : std::string::npos;
      std::string text = src_.substr(pos, tag - pos);
      text = apply_left_strip(text, sign, kind != '{', line_starting);
      emit_data(text, pos);
      if (raw_end != std::string::npos) {
        pos = lex_raw_body(raw_end);
        line_starting = pos > 0 && src_[pos - 1] == '\n';
        continue;
      }
      pos = after + (sign ? 1 : 0);
      if (kind == '#') pos = skip_comment(pos, tag);
      else pos = lex_tag(pos, tag, kind == '{');
      line_starting = pos > 0 && src_[pos - 1] == '\n';
    }
    Token eof{Tok::Eof, ""};
    locate(eof, src_.size());
    tokens_.push_back(eof);
  }

  // Ends lexing with an Error token (see Tok::Error).
  [[noreturn]] void fail(size_t offset, const std::string& what) {
    Token t{Tok::Error, ""};
    locate(t, offset);
    t.text = "line " + std::to_string(t.line) + ", column " + std::to_string(t.column) + ": " + what;
    throw LexError{std::move(t)};
  }

  // Line and column (in code points) of `offset`; offsets arrive mostly in increasing order.
  void locate(Token& t, size_t offset) {
    if (offset < cursor_) {
      cursor_ = 0;
      line_ = 1;
      column_ = 1;
    }
    while (cursor_ < offset && cursor_ < src_.size()) {
      if (src_[cursor_] == '\n') {
        ++line_;
        column_ = 1;
      } else if ((static_cast<unsigned char>(src_[cursor_]) & 0xC0) != 0x80) {
        ++column_;
      }
      ++cursor_;
    }
    t.line = line_;
    t.column = column_;
  }

  void push(Tok type, std::string text, size_t offset) {
    Token t{type, std::move(text)};
    locate(t, offset);
    tokens_.push_back(std::move(t));
  }

  void emit_data(std::string text, size_t offset) {
    if (!text.empty()) push(Tok::Data, std::move(text), offset);
  }

  size_t find_tag(size_t pos) const {
    for (size_t i = src_.find('{', pos); i != std::string::npos; i = src_.find('{', i + 1)) {
      if (i + 1 < src_.size() && (src_[i + 1] == '{' || src_[i + 1] == '%' || src_[i + 1] == '#'))
        return i;
    }
    return std::string::npos;
  }

  size_t skip_space(size_t pos) const {
    while (pos < src_.size()) {
      size_t next = pos;
      if (!text::is_space(text::next_code_point(src_, next))) break;
      pos = next;
    }
    return pos;
  }

  // `-` strips all whitespace before the tag; otherwise lstrip_blocks removes the spaces and
  // tabs that are alone on the tag's line (block and comment tags only, not `{{`).
  static std::string apply_left_strip(const std::string& text, char sign, bool lstrip_applies,
                                      bool line_starting) {
    if (sign == '-') return std::string(text::strip(text, nullptr, false, true));
    if (sign == '+' || !lstrip_applies) return text;
    size_t l_pos = text.rfind('\n');
    l_pos = l_pos == std::string::npos ? 0 : l_pos + 1;
    if (l_pos == 0 && !line_starting) return text;
    std::string_view tail(text.data() + l_pos, text.size() - l_pos);
    if (tail.empty() || !text::strip(tail, nullptr, true, false).empty()) return text;
    return text.substr(0, l_pos);
  }

  // Matches the end of a block tag at `pos`: "+%}", "-%}" + whitespace, or "%}" + one newline.
  // Returns the position after it, or npos.
  size_t match_block_end(size_t pos, char close) const {
    auto at = [&](size_t i, const char* s) { return src_.compare(i, std::strlen(s), s) == 0; };
    std::string end = std::string(1, close) + "}";
    if (at(pos, ("+" + end).c_str())) return pos + 3;
    if (at(pos, ("-" + end).c_str())) return skip_space(pos + 3);
    if (at(pos, end.c_str())) return pos + 2 + (pos + 2 < src_.size() && src_[pos + 2] == '\n');
    return std::string::npos;
  }

  // After "{%" and its sign: `\s*raw\s*(-%}\s*|%})`; returns the position after it, or npos.
  size_t match_raw_begin(size_t pos) const {
    pos = skip_space(pos);
    if (src_.compare(pos, 3, "raw") != 0) return std::string::npos;
    pos = skip_space(pos + 3);
    if (src_.compare(pos, 3, "-%}") == 0) return skip_space(pos + 3);
    if (src_.compare(pos, 2, "%}") == 0) return pos + 2;
    return std::string::npos;
  }

  // The body of {% raw %}: text up to {% endraw %}, emitted verbatim (with the endraw tag's own
  // whitespace control applied to it).
  size_t lex_raw_body(size_t pos) {
    for (size_t tag = src_.find("{%", pos); tag != std::string::npos; tag = src_.find("{%", tag + 1)) {
      size_t p = tag + 2;
      char sign = (p < src_.size() && (src_[p] == '-' || src_[p] == '+')) ? src_[p] : 0;
      if (sign) ++p;
      p = skip_space(p);
      if (src_.compare(p, 6, "endraw") != 0) continue;
      size_t end = match_block_end(skip_space(p + 6), '%');
      if (end == std::string::npos) continue;
      emit_data(apply_left_strip(src_.substr(pos, tag - pos), sign, true, false), pos);
      return end;
    }
    fail(pos, "Missing end of raw directive");
  }

  size_t skip_comment(size_t pos, size_t start) {
    for (size_t i = src_.find("#}", pos); i != std::string::npos; i = src_.find("#}", i + 1)) {
      if (i > pos && (src_[i - 1] == '-' || src_[i - 1] == '+')) return match_block_end(i - 1, '#');
      return match_block_end(i, '#');
    }
    fail(start, "Missing end of comment tag");
  }

  size_t lex_tag(size_t pos, size_t start, bool variable) {
    push(variable ? Tok::VarBegin : Tok::BlockBegin, "", start);
    std::vector<char> balance;
    while (true) {
      // Jinja2's lexer stops at the end of the source inside a tag; the parser then says what it
      // was still expecting ("unexpected end of template, expected 'end of print statement'.").
      if (pos >= src_.size()) return pos;
      if (balance.empty()) {
        size_t end = variable ? match_variable_end(pos) : match_block_end(pos, '%');
        if (end != std::string::npos) {
          push(variable ? Tok::VarEnd : Tok::BlockEnd, "", pos);
          return end;
        }
      }
      size_t next = pos;
      if (text::is_space(text::next_code_point(src_, next))) {
        pos = skip_space(pos);
        continue;
      }
      char c = src_[pos];
      if (is_digit(c)) pos = lex_number(pos);
      else if (is_name_start(c)) pos = lex_name(pos);
      else if (c == '\'' || c == '"') pos = lex_string(pos);
      else pos = lex_operator(pos, balance);
    }
  }

  size_t match_variable_end(size_t pos) const {
    if (src_.compare(pos, 3, "-}}") == 0) return skip_space(pos + 3);
    if (src_.compare(pos, 2, "}}") == 0) return pos + 2;
    return std::string::npos;
  }

  // Jinja2's lexer error: the character's repr and its offset in the source.
  static std::string unexpected_char(char c, size_t pos) {
    std::string quoted = c == '\'' ? "\"'\"" : "'" + std::string(1, c) + "'";
    return "unexpected char " + quoted + " at " + std::to_string(pos);
  }

  size_t digits(size_t pos) const {   // (\d+_)*\d+
    while (pos < src_.size() && (is_digit(src_[pos]) ||
                                 (src_[pos] == '_' && pos + 1 < src_.size() && is_digit(src_[pos + 1]))))
      ++pos;
    return pos;
  }

  // 0x1F, 0o17, 0b101 with optional single underscores between digits (Jinja2's integer_re).
  size_t lex_prefixed_int(size_t start) {
    char kind = static_cast<char>(std::tolower(static_cast<unsigned char>(src_[start + 1])));
    int base = kind == 'x' ? 16 : kind == 'o' ? 8 : 2;
    auto is_base_digit = [&](char c) {
      if (base == 16) return std::isxdigit(static_cast<unsigned char>(c)) != 0;
      return c >= '0' && c < '0' + base;
    };
    size_t end = start + 2;
    std::string literal;
    while (end < src_.size()) {
      size_t at = end + (src_[end] == '_' ? 1 : 0);
      if (at >= src_.size() || !is_base_digit(src_[at])) break;
      literal += src_[at];
      end = at + 1;
    }
    if (literal.empty()) return lex_decimal(start);   // "0x" alone: the integer 0, then a name
    Token t{Tok::Int, src_.substr(start, end - start)};
    locate(t, start);
    errno = 0;
    unsigned long long v = std::strtoull(literal.c_str(), nullptr, base);
    if (errno == ERANGE || v > static_cast<unsigned long long>(INT64_MAX)) {   // Python's int: unbounded
      t.big_digits = literal;
      t.big_base = base;
    }
    t.int_value = static_cast<int64_t>(v);
    tokens_.push_back(std::move(t));
    return end;
  }

  size_t lex_number(size_t start) {
    if (src_[start] == '0' && start + 1 < src_.size() && std::strchr("xXoObB", src_[start + 1]) && src_[start + 1])
      return lex_prefixed_int(start);
    return lex_decimal(start);
  }

  size_t lex_decimal(size_t start) {
    size_t end = digits(start);
    bool is_float = false;
    if (end + 1 < src_.size() && src_[end] == '.' && is_digit(src_[end + 1])) {
      end = digits(end + 1);
      is_float = true;
    }
    if (end < src_.size() && (src_[end] == 'e' || src_[end] == 'E')) {
      size_t e = end + 1;
      if (e < src_.size() && (src_[e] == '+' || src_[e] == '-')) ++e;
      if (e < src_.size() && is_digit(src_[e])) {
        end = digits(e);
        is_float = true;
      }
    }
    std::string literal;
    for (size_t i = start; i < end; ++i)
      if (src_[i] != '_') literal += src_[i];
    Token t{is_float ? Tok::Float : Tok::Int, literal};
    locate(t, start);
    if (is_float) {
      t.float_value = std::strtod(literal.c_str(), nullptr);
    } else {
      errno = 0;
      t.int_value = std::strtoll(literal.c_str(), nullptr, 10);
      if (errno == ERANGE) t.big_digits = literal;   // Python's int: unbounded
    }
    tokens_.push_back(std::move(t));
    return end;
  }

  size_t lex_name(size_t start) {
    size_t end = start;
    while (end < src_.size() && is_name_char(src_[end])) ++end;
    push(Tok::Name, src_.substr(start, end - start), start);
    return end;
  }

  // A string literal, decoded as Python's "unicode-escape" codec does.
  size_t lex_string(size_t start) {
    char quote = src_[start];
    std::string value;
    size_t i = start + 1;
    while (true) {
      if (i >= src_.size()) fail(start, unexpected_char(src_[start], start));   // Jinja2: no string token matched
      char c = src_[i];
      if (c == quote) break;
      if (c != '\\') {
        value += c;
        ++i;
        continue;
      }
      if (i + 1 >= src_.size()) fail(start, unexpected_char(src_[start], start));
      char e = src_[i + 1];
      i += 2;
      switch (e) {
        case '\n': break;
        case '\\': value += '\\'; break;
        case '\'': value += '\''; break;
        case '"': value += '"'; break;
        case 'a': value += '\a'; break;
        case 'b': value += '\b'; break;
        case 'f': value += '\f'; break;
        case 'n': value += '\n'; break;
        case 'r': value += '\r'; break;
        case 't': value += '\t'; break;
        case 'v': value += '\v'; break;
        case 'x': case 'u': case 'U': {
          size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
          if (i + n > src_.size()) fail(i - 2, "truncated \\" + std::string(1, e) + " escape");
          char32_t cp = 0;
          for (size_t k = 0; k < n; ++k) {
            char h = src_[i + k];
            if (!std::isxdigit(static_cast<unsigned char>(h))) fail(i - 2, "truncated \\" + std::string(1, e) + " escape");
            cp = cp * 16 + (std::isdigit(static_cast<unsigned char>(h)) ? h - '0' : (std::tolower(h) - 'a' + 10));
          }
          if (cp > 0x10FFFF) fail(i - 2, "illegal Unicode character");
          text::append_utf8(value, cp);
          i += n;
          break;
        }
        default:
          if (e >= '0' && e <= '7') {
            char32_t cp = e - '0';
            for (int k = 0; k < 2 && i < src_.size() && src_[i] >= '0' && src_[i] <= '7'; ++k)
              cp = cp * 8 + (src_[i++] - '0');
            text::append_utf8(value, cp);
          } else {
            value += '\\';   // unknown escapes stay as written
            value += e;
          }
      }
    }
    push(Tok::String, std::move(value), start);
    return i + 1;
  }

  size_t lex_operator(size_t pos, std::vector<char>& balance) {
    static const char* const two[] = {"//", "**", "==", "!=", ">=", "<="};
    for (const char* op : two)
      if (src_.compare(pos, 2, op) == 0) {
        push(Tok::Op, op, pos);
        return pos + 2;
      }
    char c = src_[pos];
    if (std::strchr("+-/*%~[](){}><=.:|,;", c) == nullptr || c == 0)
      fail(pos, unexpected_char(c, pos));
    if (c == '(' || c == '[' || c == '{') balance.push_back(c == '(' ? ')' : c == '[' ? ']' : '}');
    if (c == ')' || c == ']' || c == '}') {
      if (balance.empty()) fail(pos, std::string("unexpected '") + c + "'");
      if (balance.back() != c)
        fail(pos, std::string("unexpected '") + c + "', expected '" + balance.back() + "'");
      balance.pop_back();
    }
    push(Tok::Op, std::string(1, c), pos);
    return pos + 1;
  }

  std::string src_;
  std::vector<Token> tokens_;
  size_t cursor_ = 0;
  int line_ = 1, column_ = 1;
};

}  // namespace

std::vector<Token> tokenize(const std::string& source) { return Lexer(normalize_newlines(source)).run(); }

}  // namespace hf::templates
