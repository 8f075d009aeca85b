// Small normalizers: Lowercase, Strip, StripAccents, Replace, Prepend, ByteLevel.
#include <utf8proc.h>

#include "tokenizers/byte_level.h"
#include "tokenizers/normalizers/normalizers.h"
#include "tokenizers/regex.h"
#include "tokenizers/unicode.h"

namespace hf::tok {

namespace {

class Lowercase : public Normalizer {
 public:
  void normalize(std::string& s) const override {
    std::string out;
    out.reserve(s.size());
    size_t i = 0;
    while (i < s.size()) append_lowercase(out, next_cp(s, i));
    s = std::move(out);
  }
};

// Strips Unicode White_Space on the left and/or right.
class Strip : public Normalizer {
 public:
  Strip(bool left, bool right) : left_(left), right_(right) {}
  void normalize(std::string& s) const override {
    size_t b = 0, e = s.size();
    if (left_) {
      while (b < e) {
        size_t j = b;
        if (!is_whitespace(next_cp(s, j))) break;
        b = j;
      }
    }
    if (right_) {
      while (e > b) {
        size_t k = e - 1;
        while (k > b && (static_cast<unsigned char>(s[k]) & 0xC0) == 0x80) --k;
        size_t j = k;
        if (!is_whitespace(next_cp(s, j))) break;
        e = k;
      }
    }
    s = s.substr(b, e - b);
  }

 private:
  bool left_, right_;
};

// Removes combining marks (general category M*).
class StripAccents : public Normalizer {
 public:
  void normalize(std::string& s) const override {
    std::string out;
    out.reserve(s.size());
    size_t i = 0;
    while (i < s.size()) {
      size_t b = i;
      char32_t c = next_cp(s, i);
      if (c >= 0x300) {
        auto k = utf8proc_category(static_cast<utf8proc_int32_t>(c));
        if (k == UTF8PROC_CATEGORY_MN || k == UTF8PROC_CATEGORY_MC || k == UTF8PROC_CATEGORY_ME) continue;
      }
      out.append(s, b, i - b);
    }
    s = std::move(out);
  }
};

class Replace : public Normalizer {
 public:
  Replace(const std::string& pattern, bool is_regex, std::string content, const std::string& path)
      : regex_(is_regex ? pattern : regex_escape(pattern), path, is_regex), content_(std::move(content)) {}
  void normalize(std::string& s) const override { s = regex_.replace_all(s, content_); }

 private:
  Regex regex_;
  std::string content_;
};

class Prepend : public Normalizer {
 public:
  explicit Prepend(std::string p) : prepend_(std::move(p)) {}
  void normalize(std::string& s) const override {
    if (!s.empty()) s.insert(0, prepend_);
  }

 private:
  std::string prepend_;
};

class ByteLevelNormalizer : public Normalizer {
 public:
  void normalize(std::string& s) const override {
    std::string out;
    byte_level_table().encode(s, out);
    s = std::move(out);
  }
};

}  // namespace

std::unique_ptr<Normalizer> make_lowercase() { return std::make_unique<Lowercase>(); }

std::unique_ptr<Normalizer> make_strip(const json& j, const std::string& path) {
  return std::make_unique<Strip>(get_bool_or(j, "strip_left", path, true), get_bool_or(j, "strip_right", path, true));
}

std::unique_ptr<Normalizer> make_strip_accents() { return std::make_unique<StripAccents>(); }

std::unique_ptr<Normalizer> make_replace(const json& j, const std::string& path) {
  const json& pat = field(j, "pattern", path);
  std::string ppath = json_path(path, "pattern");
  std::string content = get_string(j, "content", path);
  if (const json* s = opt_field(pat, "String")) {
    if (!s->is_string()) bad_json(json_path(ppath, "String"), "expected a string");
    return std::make_unique<Replace>(s->get<std::string>(), false, content, ppath);
  }
  if (const json* r = opt_field(pat, "Regex")) {
    if (!r->is_string()) bad_json(json_path(ppath, "Regex"), "expected a string");
    return std::make_unique<Replace>(r->get<std::string>(), true, content, ppath);
  }
  bad_json(ppath, "expected {\"String\": ...} or {\"Regex\": ...}");
}

std::unique_ptr<Normalizer> make_prepend(const json& j, const std::string& path) {
  return std::make_unique<Prepend>(get_string(j, "prepend", path));
}

std::unique_ptr<Normalizer> make_byte_level_normalizer() { return std::make_unique<ByteLevelNormalizer>(); }

}  // namespace hf::tok
