// NFC, NFD, NFKC, NFKD through utf8proc.
#include "tokenizers/normalizers/normalizers.h"
#include "tokenizers/unicode.h"

namespace hf::tok {

namespace {
class UnicodeForm : public Normalizer {
 public:
  explicit UnicodeForm(NormForm f) : form_(f) {}
  void normalize(std::string& s) const override { s = normalize_form(s, form_); }

 private:
  NormForm form_;
};
}  // namespace

std::unique_ptr<Normalizer> make_unicode_form(const std::string& type) {
  NormForm f = type == "NFC" ? NormForm::NFC : type == "NFD" ? NormForm::NFD : type == "NFKC" ? NormForm::NFKC : NormForm::NFKD;
  return std::make_unique<UnicodeForm>(f);
}

}  // namespace hf::tok
