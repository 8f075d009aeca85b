#include "tokenizers/unicode.h"

#include <utf8proc.h>

#include <cstdlib>

namespace hf::tok {

namespace {
// Length of the well-formed UTF-8 character at b[i..n), or the length of its maximal invalid
// subpart negated (-1 at least). Table 3-7 of the Unicode standard.
long char_at(const unsigned char* b, size_t i, size_t n) {
  unsigned char c = b[i];
  if (c < 0x80) return 1;
  int need;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) need = 1;
  else if (c == 0xE0) { need = 2; lo = 0xA0; }
  else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) need = 2;
  else if (c == 0xED) { need = 2; hi = 0x9F; }
  else if (c == 0xF0) { need = 3; lo = 0x90; }
  else if (c >= 0xF1 && c <= 0xF3) need = 3;
  else if (c == 0xF4) { need = 3; hi = 0x8F; }
  else return -1;
  size_t j = i + 1;
  for (int k = 0; k < need; ++k) {
    if (j >= n || b[j] < lo || b[j] > hi) return -static_cast<long>(j - i);
    ++j;
    lo = 0x80;
    hi = 0xBF;
  }
  return static_cast<long>(j - i);
}
}  // namespace

size_t valid_utf8_prefix(std::string_view s) {
  const auto* b = reinterpret_cast<const unsigned char*>(s.data());
  size_t i = 0, n = s.size();
  while (i < n) {
    if (b[i] < 0x80) { ++i; continue; }
    long len = char_at(b, i, n);
    if (len < 0) return i;
    i += len;
  }
  return n;
}

std::string utf8_lossy(std::string_view s) {
  size_t ok = valid_utf8_prefix(s);
  if (ok == s.size()) return std::string(s);
  std::string out(s.substr(0, ok));
  const auto* b = reinterpret_cast<const unsigned char*>(s.data());
  size_t i = ok, n = s.size();
  while (i < n) {
    if (b[i] < 0x80) { out += static_cast<char>(b[i++]); continue; }
    long len = char_at(b, i, n);
    if (len > 0) {
      out.append(s.data() + i, len);
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      i += -len;
    }
  }
  return out;
}

bool is_whitespace(char32_t c) {
  if (c <= 0x20) return c == 0x20 || (c >= 0x09 && c <= 0x0D);
  if (c < 0x85) return false;
  return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 ||
         c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

static inline utf8proc_category_t cat(char32_t c) { return utf8proc_category(static_cast<utf8proc_int32_t>(c)); }

bool is_letter(char32_t c) {
  if (c < 0x80) return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
  auto k = cat(c);
  return k >= UTF8PROC_CATEGORY_LU && k <= UTF8PROC_CATEGORY_LO;
}

bool is_number(char32_t c) {
  if (c < 0x80) return c >= '0' && c <= '9';
  auto k = cat(c);
  return k >= UTF8PROC_CATEGORY_ND && k <= UTF8PROC_CATEGORY_NO;
}

bool is_alphanumeric(char32_t c) { return is_letter(c) || is_number(c); }

bool is_punctuation(char32_t c) {
  auto k = cat(c);
  return k >= UTF8PROC_CATEGORY_PC && k <= UTF8PROC_CATEGORY_PO;
}

bool is_bert_punctuation(char32_t c) {
  if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) return true;
  return is_punctuation(c);
}

bool is_other(char32_t c) {
  auto k = cat(c);
  return k == UTF8PROC_CATEGORY_CN || (k >= UTF8PROC_CATEGORY_CC && k <= UTF8PROC_CATEGORY_CO);
}

bool is_nonspacing_mark(char32_t c) { return c >= 0x300 && cat(c) == UTF8PROC_CATEGORY_MN; }

bool is_cjk_ideograph(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
         (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

void append_lowercase(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  } else if (c == 0x130) {
    out += "i\xCC\x87";  // İ → i + U+0307 (SpecialCasing, unconditional)
  } else {
    append_utf8(out, static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(c))));
  }
}

namespace {
// Characters that a normalization form leaves alone and that never combine with a neighbour:
// enough to skip utf8proc on plain English and Chinese text.
bool nf_stable(char32_t c, bool compat, bool decompose) {
  if (c < 0xA0) return true;
  if (c < 0x300) return !compat && (!decompose || c < 0xC0);  // precomposed Latin decomposes
  if (c >= 0x4E00 && c <= 0x9FFF) return true;
  if (c >= 0x3001 && c <= 0x3029) return true;                 // CJK punctuation
  if (c >= 0xFF01 && c <= 0xFF5E) return !compat;              // fullwidth ASCII
  return false;
}
}  // namespace

std::string normalize_form(std::string_view s, NormForm form) {
  bool compat = form == NormForm::NFKC || form == NormForm::NFKD;
  bool decompose = form == NormForm::NFD || form == NormForm::NFKD;
  // Fast path: text made only of characters no form changes.
  {
    size_t i = 0;
    bool stable = true;
    while (i < s.size()) {
      unsigned char b = static_cast<unsigned char>(s[i]);
      if (b < 0x80) { ++i; continue; }
      char32_t c = next_cp(s, i);
      if (!nf_stable(c, compat, decompose)) { stable = false; break; }
    }
    if (stable) return std::string(s);
  }
  int opts = UTF8PROC_STABLE | (decompose ? UTF8PROC_DECOMPOSE : UTF8PROC_COMPOSE) | (compat ? UTF8PROC_COMPAT : 0);
  utf8proc_uint8_t* dst = nullptr;
  utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(s.data()),
                                    static_cast<utf8proc_ssize_t>(s.size()), &dst,
                                    static_cast<utf8proc_option_t>(opts));
  if (n < 0) {
    std::free(dst);
    return std::string(s);  // cannot happen on valid UTF-8
  }
  std::string out(reinterpret_cast<const char*>(dst), static_cast<size_t>(n));
  std::free(dst);
  return out;
}

void grapheme_bounds(std::string_view s, std::basic_string<uint32_t>& bounds) {
  bounds.clear();
  if (s.empty()) {
    bounds.push_back(0);
    return;
  }
  utf8proc_int32_t state = 0;
  size_t i = 0;
  char32_t prev = next_cp(s, i);
  bounds.push_back(0);
  while (i < s.size()) {
    size_t at = i;
    char32_t c = next_cp(s, i);
    if (utf8proc_grapheme_break_stateful(static_cast<utf8proc_int32_t>(prev), static_cast<utf8proc_int32_t>(c), &state))
      bounds.push_back(static_cast<uint32_t>(at));
    prev = c;
  }
  bounds.push_back(static_cast<uint32_t>(s.size()));
}

}  // namespace hf::tok
