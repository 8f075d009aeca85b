#define PCRE2_CODE_UNIT_WIDTH 8
#include "tokenizers/regex.h"

#include <pcre2.h>

#include "hf/error.h"
#include "tokenizers/unicode.h"

namespace hf::tok {

namespace {
constexpr const char* kWhiteSpace = "\\s\\x{85}";             // Unicode White_Space
constexpr const char* kWord = "\\p{L}\\p{M}\\p{Nd}\\p{Pc}";  // Oniguruma's Unicode \w

// Per-thread match data and JIT stack, shared by every Regex (match data is not tied to a pattern).
struct MatchScratch {
  pcre2_match_data* data = nullptr;
  pcre2_jit_stack* stack = nullptr;
  pcre2_match_context* context = nullptr;
  MatchScratch() {
    data = pcre2_match_data_create(1, nullptr);
    stack = pcre2_jit_stack_create(32 * 1024, 4 * 1024 * 1024, nullptr);
    context = pcre2_match_context_create(nullptr);
    pcre2_jit_stack_assign(context, nullptr, stack);
  }
  ~MatchScratch() {
    pcre2_match_context_free(context);
    pcre2_jit_stack_free(stack);
    pcre2_match_data_free(data);
  }
};
MatchScratch& scratch() {
  thread_local MatchScratch s;
  return s;
}
}  // namespace

std::string onig_to_pcre2(const std::string& p) {
  std::string out;
  out.reserve(p.size() + 16);
  bool in_class = false;
  for (size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    if (c == '\\' && i + 1 < p.size()) {
      char e = p[i + 1];
      ++i;
      if (e == 's') {
        if (in_class) out += kWhiteSpace;
        else out += std::string("[") + kWhiteSpace + "]";
      } else if (e == 'S' && !in_class) {
        out += std::string("[^") + kWhiteSpace + "]";
      } else if (e == 'w') {
        if (in_class) out += kWord;
        else out += std::string("[") + kWord + "]";
      } else if (e == 'W' && !in_class) {
        out += std::string("[^") + kWord + "]";
      } else if (e == 'h') {  // Oniguruma \h is a hexadecimal digit
        out += in_class ? "0-9a-fA-F" : "[0-9a-fA-F]";
      } else if (e == 'H' && !in_class) {
        out += "[^0-9a-fA-F]";
      } else {
        out += '\\';
        out += e;
      }
      continue;
    }
    if (!in_class && c == '[') {
      in_class = true;
      out += c;
      // A ']' right after '[' or '[^' is a literal.
      if (i + 1 < p.size() && p[i + 1] == '^') { out += '^'; ++i; }
      if (i + 1 < p.size() && p[i + 1] == ']') { out += "\\]"; ++i; }
      continue;
    }
    if (in_class && c == '[' && i + 1 < p.size() && p[i + 1] == ':') {  // [:alpha:]
      size_t end = p.find(":]", i + 2);
      if (end != std::string::npos) {
        out.append(p, i, end + 2 - i);
        i = end + 1;
        continue;
      }
    }
    if (in_class && c == ']') in_class = false;
    out += c;
  }
  return out;
}

std::string regex_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (std::string_view("\\^$.|?*+()[]{}-").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

Regex::Regex(const std::string& pattern, const std::string& where, bool translate) {
  std::string p = translate ? onig_to_pcre2(pattern) : pattern;
  int err = 0;
  PCRE2_SIZE off = 0;
  code_ = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(p.data()), p.size(), PCRE2_UTF | PCRE2_UCP | PCRE2_NO_UTF_CHECK,
                        &err, &off, nullptr);
  if (!code_) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(err, msg, sizeof msg);
    throw TokenizerError(where + ": cannot compile regex \"" + pattern + "\" at offset " + std::to_string(off) + ": " +
                         reinterpret_cast<const char*>(msg));
  }
  jit_ = pcre2_jit_compile(code_, PCRE2_JIT_COMPLETE) == 0;
}

Regex::~Regex() { pcre2_code_free(code_); }

void Regex::find_all(std::string_view s, std::vector<std::pair<size_t, size_t>>& out) const {
  out.clear();
  MatchScratch& m = scratch();
  auto* subject = reinterpret_cast<PCRE2_SPTR>(s.data());
  size_t start = 0;
  size_t last_end = static_cast<size_t>(-1);
  while (start <= s.size()) {
    int rc = jit_ ? pcre2_jit_match(code_, subject, s.size(), start, 0, m.data, m.context)
                  : pcre2_match(code_, subject, s.size(), start, PCRE2_NO_UTF_CHECK, m.data, m.context);
    if (rc < 0) {
      if (rc == PCRE2_ERROR_NOMATCH) break;
      throw TokenizerError("regex match failed (PCRE2 error " + std::to_string(rc) + ")");
    }
    PCRE2_SIZE* ov = pcre2_get_ovector_pointer(m.data);
    size_t b = ov[0], e = ov[1];
    if (b == e) {
      // An empty match right after the previous match is not reported (Rust/Oniguruma iterators).
      if (b != last_end) out.emplace_back(b, e);
      if (b >= s.size()) break;
      start = b + utf8_len(static_cast<unsigned char>(s[b]));
    } else {
      out.emplace_back(b, e);
      start = e;
    }
    last_end = e;
  }
}

std::string Regex::replace_all(std::string_view s, std::string_view with) const {
  std::vector<std::pair<size_t, size_t>> m;
  find_all(s, m);
  if (m.empty()) return std::string(s);
  std::string out;
  size_t prev = 0;
  for (auto [b, e] : m) {
    out.append(s.data() + prev, b - prev);
    out.append(with);
    prev = e;
  }
  out.append(s.data() + prev, s.size() - prev);
  return out;
}

}  // namespace hf::tok
