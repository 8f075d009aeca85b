// make_pre_tokenizer(): "type" → builder; Sequence lives here.
#include "tokenizers/pre_tokenizers/pre_tokenizers.h"

namespace hf::tok {

namespace {
class SequencePreTokenizer : public PreTokenizer {
 public:
  explicit SequencePreTokenizer(std::vector<std::unique_ptr<PreTokenizer>> parts) : parts_(std::move(parts)) {}
  void pre_tokenize(std::vector<Piece>& pieces) const override {
    for (const auto& p : parts_) p->pre_tokenize(pieces);
  }

 private:
  std::vector<std::unique_ptr<PreTokenizer>> parts_;
};
}  // namespace

std::unique_ptr<PreTokenizer> make_pre_tokenizer(const json& j, const std::string& path) {
  if (j.is_null()) return nullptr;
  std::string type = component_type(j, path);
  if (type == "Split") return make_split(j, path);
  if (type == "ByteLevel") return make_byte_level_pre_tokenizer(j, path);
  if (type == "Metaspace") return make_metaspace(j, path);
  if (type == "Whitespace") return make_whitespace();
  if (type == "WhitespaceSplit") return make_whitespace_split();
  if (type == "Punctuation") return make_punctuation(j, path);
  if (type == "Digits") return make_digits(j, path);
  if (type == "BertPreTokenizer") return make_bert_pre_tokenizer();
  if (type == "CharDelimiterSplit") return make_char_delimiter_split(j, path);
  if (type == "Sequence") return std::make_unique<SequencePreTokenizer>(sequence_parts<PreTokenizer>(j, "pretokenizers", path, make_pre_tokenizer));
  unknown_type(path, "pre-tokenizer", type);
}

}  // namespace hf::tok
