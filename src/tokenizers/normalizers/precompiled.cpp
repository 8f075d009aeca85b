// Precompiled: SentencePiece's normalization table (precompiled_charsmap, base64): a darts-clone
// double-array trie over UTF-8 followed by the NUL-terminated replacement strings. Applied as
// SentencePiece's normalizer.cc does: at each position the longest trie key that is a prefix of
// the rest of the text is replaced by its value; without a match one character is copied.
// (The Rust crate instead replaces whole grapheme clusters shorter than 6 bytes by their
// *shortest* match; the two differ only on rare sequences, e.g. a letter followed by several
// combining marks, where the reference fixtures follow SentencePiece.)
#include <cstring>

#include "tokenizers/normalizers/normalizers.h"
#include "tokenizers/unicode.h"

namespace hf::tok {

namespace {

std::string base64_decode(const std::string& in, const std::string& path) {
  static int8_t table[256];
  static bool init = [] {
    std::memset(table, -1, sizeof table);
    const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < 64; ++i) table[static_cast<unsigned char>(a[i])] = static_cast<int8_t>(i);
    return true;
  }();
  (void)init;
  std::string out;
  out.reserve(in.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char ch : in) {
    if (ch == '=' || ch == '\n' || ch == '\r') continue;
    int v = table[static_cast<unsigned char>(ch)];
    if (v < 0) bad_json(path, "precompiled_charsmap is not base64");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

class Precompiled : public Normalizer {
 public:
  Precompiled(const std::string& blob, const std::string& path) {
    if (blob.empty()) return;
    if (blob.size() < 4) bad_json(path, "precompiled_charsmap too short");
    uint32_t trie_size;
    std::memcpy(&trie_size, blob.data(), 4);  // little-endian, as written by sentencepiece
    if (trie_size % 4 != 0 || 4 + size_t(trie_size) > blob.size()) bad_json(path, "precompiled_charsmap: bad trie size");
    array_.resize(trie_size / 4);
    std::memcpy(array_.data(), blob.data() + 4, trie_size);
    normalized_ = blob.substr(4 + trie_size);
  }

  void normalize(std::string& s) const override {
    if (array_.empty()) return;
    std::string out;
    out.reserve(s.size());
    size_t i = 0;
    while (i < s.size()) {
      std::string_view norm;
      size_t len = longest_match(std::string_view(s).substr(i), norm);
      if (len > 0) {
        out.append(norm);
        i += len;
      } else {
        size_t n = utf8_len(static_cast<unsigned char>(s[i]));
        out.append(s, i, n);
        i += n;
      }
    }
    s = std::move(out);
  }

 private:
  // Length of the longest trie key that is a prefix of `key` (0: none), and its replacement.
  size_t longest_match(std::string_view key, std::string_view& norm) const {
    auto offset = [](uint32_t u) { return (u >> 10) << ((u & (1u << 9)) >> 6); };
    size_t pos = offset(array_[0]);
    size_t best = 0;
    for (size_t i = 0; i < key.size(); ++i) {
      unsigned char c = static_cast<unsigned char>(key[i]);
      if (c == 0) break;
      pos ^= c;
      if (pos >= array_.size()) break;
      uint32_t unit = array_[pos];
      if ((unit & ((1u << 31) | 0xFF)) != c) break;
      pos ^= offset(unit);
      if ((unit >> 8) & 1) {
        if (pos >= array_.size()) break;
        size_t index = array_[pos] & 0x7FFFFFFFu;
        if (index > normalized_.size()) break;
        size_t end = normalized_.find('\0', index);
        if (end == std::string::npos) end = normalized_.size();
        norm = std::string_view(normalized_).substr(index, end - index);
        best = i + 1;
      }
    }
    return best;
  }

  std::vector<uint32_t> array_;
  std::string normalized_;
};

}  // namespace

std::unique_ptr<Normalizer> make_precompiled(const json& j, const std::string& path) {
  const json* m = opt_field(j, "precompiled_charsmap");
  std::string blob;
  std::string mpath = json_path(path, "precompiled_charsmap");
  if (m) {
    if (!m->is_string()) bad_json(mpath, "expected a base64 string");
    blob = base64_decode(m->get<std::string>(), mpath);
  }
  return std::make_unique<Precompiled>(blob, mpath);
}

}  // namespace hf::tok
