// WordLevel: each pre-tokenized word is one vocabulary entry, or unk_token.
#include "tokenizers/models/models.h"

namespace hf::tok {

namespace {
class WordLevel : public Model {
 public:
  WordLevel(const ModelSource& src, const std::string& path) {
    load_vocab_object(src, path, vocab_);
    unk_token_ = get_string_or(*src.model, "unk_token", path, "<unk>");
  }
  void tokenize(std::string_view word, std::vector<int32_t>& out) const override {
    if (auto id = vocab_.find(word)) {
      out.push_back(*id);
      return;
    }
    auto unk = vocab_.find(unk_token_);
    if (!unk) throw TokenizerError("WordLevel: \"" + std::string(word) + "\" is not in the vocabulary and unk_token \"" + unk_token_ + "\" is not either");
    out.push_back(*unk);
  }
  std::optional<int32_t> token_to_id(std::string_view t) const override { return vocab_.find(t); }
  const std::string* id_to_token(int32_t id) const override { return vocab_.token(id); }
  size_t vocab_size() const override { return vocab_.size(); }

 private:
  Vocab vocab_;
  std::string unk_token_;
};
}  // namespace

std::unique_ptr<Model> make_wordlevel(const ModelSource& src, const std::string& path) {
  return std::make_unique<WordLevel>(src, path);
}

}  // namespace hf::tok
