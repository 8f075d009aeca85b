// BertNormalizer, in the Rust crate's order: clean_text, handle_chinese_chars, strip_accents
// (NFD then drop Mn), lowercase.
#include "tokenizers/normalizers/normalizers.h"
#include "tokenizers/unicode.h"

namespace hf::tok {

namespace {
class BertNormalizer : public Normalizer {
 public:
  BertNormalizer(bool clean_text, bool chinese, bool strip_accents, bool lowercase)
      : clean_text_(clean_text), chinese_(chinese), strip_accents_(strip_accents), lowercase_(lowercase) {}

  void normalize(std::string& s) const override {
    std::string out;
    out.reserve(s.size() + 8);
    size_t i = 0;
    if (clean_text_ || chinese_) {
      while (i < s.size()) {
        size_t b = i;
        char32_t c = next_cp(s, i);
        if (clean_text_) {
          if (c == 0 || c == 0xFFFD || (c != '\t' && c != '\n' && c != '\r' && is_other(c))) continue;
          if (c == '\t' || c == '\n' || c == '\r' || is_whitespace(c)) {
            out += ' ';
            continue;
          }
        }
        if (chinese_ && is_cjk_ideograph(c)) {
          out += ' ';
          out.append(s, b, i - b);
          out += ' ';
          continue;
        }
        out.append(s, b, i - b);
      }
      s = std::move(out);
    }
    if (strip_accents_) {
      std::string d = normalize_form(s, NormForm::NFD);
      std::string kept;
      kept.reserve(d.size());
      i = 0;
      while (i < d.size()) {
        size_t b = i;
        if (!is_nonspacing_mark(next_cp(d, i))) kept.append(d, b, i - b);
      }
      s = std::move(kept);
    }
    if (lowercase_) {
      std::string low;
      low.reserve(s.size());
      i = 0;
      while (i < s.size()) append_lowercase(low, next_cp(s, i));
      s = std::move(low);
    }
  }

 private:
  bool clean_text_, chinese_, strip_accents_, lowercase_;
};
}  // namespace

std::unique_ptr<Normalizer> make_bert_normalizer(const json& j, const std::string& path) {
  bool lowercase = get_bool_or(j, "lowercase", path, true);
  bool strip = get_bool_or(j, "strip_accents", path, lowercase);  // null: follows lowercase
  return std::make_unique<BertNormalizer>(get_bool_or(j, "clean_text", path, true),
                                          get_bool_or(j, "handle_chinese_chars", path, true), strip, lowercase);
}

}  // namespace hf::tok
