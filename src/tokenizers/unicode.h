#pragma once
// UTF-8 and Unicode helpers for the tokenizer pipeline. Character properties come from utf8proc
// (general categories, case mapping, normalization forms); White_Space is a fixed list because
// neither utf8proc nor PCRE2 exposes that property.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/utf8.h"

namespace hf::tok {

// Decodes the code point at s[i] (s must be valid UTF-8) and advances i.
inline char32_t next_cp(std::string_view s, size_t& i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) { ++i; return c; }
  if (c < 0xE0) { char32_t cp = ((c & 0x1F) << 6) | (s[i + 1] & 0x3F); i += 2; return cp; }
  if (c < 0xF0) {
    char32_t cp = ((c & 0x0F) << 12) | ((s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F);
    i += 3;
    return cp;
  }
  char32_t cp = ((c & 0x07) << 18) | ((s[i + 1] & 0x3F) << 12) | ((s[i + 2] & 0x3F) << 6) | (s[i + 3] & 0x3F);
  i += 4;
  return cp;
}

// Byte length of the UTF-8 character that starts with lead byte c.
inline size_t utf8_len(unsigned char c) { return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4; }

inline void append_utf8(std::string& out, char32_t cp) { utf8::append(out, cp); }

// Length of the valid UTF-8 prefix of s.
size_t valid_utf8_prefix(std::string_view s);
inline bool is_valid_utf8(std::string_view s) { return valid_utf8_prefix(s) == s.size(); }
// Valid UTF-8 with one U+FFFD per maximal invalid subsequence (Rust's from_utf8_lossy, WHATWG,
// Python's decode("utf-8", "replace")).
std::string utf8_lossy(std::string_view bytes);

// Unicode White_Space (Rust char::is_whitespace, Oniguruma \s).
bool is_whitespace(char32_t c);
// General category tests (utf8proc's tables).
bool is_letter(char32_t c);           // L*
bool is_number(char32_t c);           // N* (Rust char::is_numeric)
bool is_alphanumeric(char32_t c);     // L* or N*
bool is_punctuation(char32_t c);      // P*
bool is_bert_punctuation(char32_t c); // ASCII punctuation or P*
bool is_other(char32_t c);            // Cc, Cf, Cn, Co, Cs
bool is_nonspacing_mark(char32_t c);  // Mn
bool is_cjk_ideograph(char32_t c);    // the ranges BertNormalizer pads with spaces
// Rust char::to_lowercase appended to out (full mapping: U+0130 → "i̇").
void append_lowercase(std::string& out, char32_t c);

enum class NormForm { NFC, NFD, NFKC, NFKD };
// Unicode normalization of valid UTF-8.
std::string normalize_form(std::string_view s, NormForm form);

// Byte offsets where extended grapheme clusters start, then s.size().
void grapheme_bounds(std::string_view s, std::basic_string<uint32_t>& bounds);

}  // namespace hf::tok
