#pragma once
// Python `str` semantics over UTF-8 bytes: code points, whitespace as str.isspace() defines it,
// case mapping, splitlines. Templates index, slice and strip strings by code point, never by byte.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/utf8.h"

namespace hf::templates::text {

// Decodes the code point at `pos` and advances `pos`; invalid bytes decode as themselves (Latin-1),
// so malformed input never loops or throws.
inline char32_t next_code_point(std::string_view s, size_t& pos) { return utf8::decode(s, pos); }
inline void append_utf8(std::string& out, char32_t cp) { utf8::append(out, cp); }
std::vector<char32_t> code_points(std::string_view s);
std::string from_code_points(const char32_t* begin, const char32_t* end);
size_t length(std::string_view s);   // in code points, as Python's len()

bool is_space(char32_t cp);            // str.isspace()
bool is_printable(char32_t cp);        // str.isprintable(), for repr()
bool is_line_break(char32_t cp);       // the separators of str.splitlines()
char32_t to_upper(char32_t cp);
char32_t to_lower(char32_t cp);
bool is_alpha(char32_t cp);
bool is_digit(char32_t cp);

std::string upper(std::string_view s);
std::string lower(std::string_view s);
std::string capitalize(std::string_view s);      // str.capitalize(): first upper, rest lower
std::string python_title(std::string_view s);    // str.title()

// str.strip/lstrip/rstrip: `chars` empty-optional means whitespace.
std::string_view strip(std::string_view s, const std::string* chars, bool left, bool right);
std::vector<std::string> split_whitespace(std::string_view s, int64_t maxsplit);
std::vector<std::string> split(std::string_view s, std::string_view sep, int64_t maxsplit);
std::vector<std::string> rsplit(std::string_view s, std::string_view sep, int64_t maxsplit);
std::vector<std::string> splitlines(std::string_view s, bool keepends);
std::string replace(std::string_view s, std::string_view old, std::string_view with, int64_t count);

}  // namespace hf::templates::text
