#pragma once
// GPT-2's byte ↔ character table: every byte maps to one printable character (bytes that are
// printable Latin-1 map to themselves, the others to U+0100...), so byte-level BPE vocabularies
// are valid UTF-8 strings.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "tokenizers/unicode.h"

namespace hf::tok {

struct ByteLevelTable {
  std::array<char32_t, 256> byte_to_char{};
  std::array<std::string, 256> byte_to_utf8;   // the character as UTF-8 (1 or 2 bytes)
  std::array<int16_t, 0x180> char_to_byte{};   // code point (< 0x180) → byte, -1 if none

  ByteLevelTable() {
    char_to_byte.fill(-1);
    int n = 0;
    for (int b = 0; b < 256; ++b) {
      bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      char32_t c = printable ? static_cast<char32_t>(b) : static_cast<char32_t>(256 + n++);
      byte_to_char[b] = c;
      append_utf8(byte_to_utf8[b], c);
      char_to_byte[c] = static_cast<int16_t>(b);
    }
  }
  // Appends the mapped form of `bytes` to out.
  void encode(std::string_view bytes, std::string& out) const {
    for (unsigned char b : bytes) out += byte_to_utf8[b];
  }
};

inline const ByteLevelTable& byte_level_table() {
  static const ByteLevelTable t;
  return t;
}

}  // namespace hf::tok
