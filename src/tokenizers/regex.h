#pragma once
// Regexes of tokenizer.json through PCRE2 (UTF + Unicode properties, JIT-compiled).
// tokenizer.json patterns are written for Oniguruma (the `tokenizers` crate's engine); the
// differences that matter are translated: Oniguruma's \s is Unicode White_Space (U+0085 included,
// PCRE2's \s leaves it out) and its \w includes marks and connector punctuation.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

struct pcre2_real_code_8;

namespace hf::tok {

class Regex {
 public:
  // `pattern` in Oniguruma syntax; throws hf::TokenizerError naming `where` if it does not compile.
  Regex(const std::string& pattern, const std::string& where, bool translate_onig = true);
  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  // Non-overlapping matches of s (valid UTF-8), left to right, as [begin, end) byte offsets.
  void find_all(std::string_view s, std::vector<std::pair<size_t, size_t>>& out) const;
  // Every occurrence replaced by `with` (literal text).
  std::string replace_all(std::string_view s, std::string_view with) const;

 private:
  pcre2_real_code_8* code_ = nullptr;
  bool jit_ = false;
};

// The Oniguruma → PCRE2 rewrite (exposed for tests).
std::string onig_to_pcre2(const std::string& pattern);
// `text` as a regex that matches it literally.
std::string regex_escape(std::string_view text);

}  // namespace hf::tok
