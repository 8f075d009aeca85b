// make_normalizer(): "type" → builder; Sequence lives here.
#include "tokenizers/normalizers/normalizers.h"

namespace hf::tok {

namespace {
class SequenceNormalizer : public Normalizer {
 public:
  explicit SequenceNormalizer(std::vector<std::unique_ptr<Normalizer>> parts) : parts_(std::move(parts)) {}
  void normalize(std::string& s) const override {
    for (const auto& p : parts_) p->normalize(s);
  }

 private:
  std::vector<std::unique_ptr<Normalizer>> parts_;
};
}  // namespace

std::unique_ptr<Normalizer> make_normalizer(const json& j, const std::string& path) {
  if (j.is_null()) return nullptr;
  std::string type = component_type(j, path);
  if (type == "NFC" || type == "NFD" || type == "NFKC" || type == "NFKD") return make_unicode_form(type);
  if (type == "Lowercase") return make_lowercase();
  if (type == "Strip") return make_strip(j, path);
  if (type == "StripAccents") return make_strip_accents();
  if (type == "Replace") return make_replace(j, path);
  if (type == "Prepend") return make_prepend(j, path);
  if (type == "ByteLevel") return make_byte_level_normalizer();
  if (type == "BertNormalizer") return make_bert_normalizer(j, path);
  if (type == "Precompiled") return make_precompiled(j, path);
  if (type == "Sequence") return std::make_unique<SequenceNormalizer>(sequence_parts<Normalizer>(j, "normalizers", path, make_normalizer));
  unknown_type(path, "normalizer", type);
}

}  // namespace hf::tok
