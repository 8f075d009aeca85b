// WordPiece (BERT): greedy longest-match-first from the left, later pieces looked up with the
// continuing_subword_prefix (##); a word with an unmatched position, or longer than
// max_input_chars_per_word characters, is one unk token.
#include "tokenizers/models/models.h"
#include "tokenizers/unicode.h"

namespace hf::tok {

namespace {
class WordPiece : public Model {
 public:
  WordPiece(const ModelSource& src, const std::string& path) {
    const json& m = *src.model;
    load_vocab_object(src, path, vocab_);
    unk_token_ = get_string_or(m, "unk_token", path, "[UNK]");
    prefix_ = get_string_or(m, "continuing_subword_prefix", path, "##");
    max_chars_ = static_cast<size_t>(get_int_or(m, "max_input_chars_per_word", path, 100));
  }

  void tokenize(std::string_view s, std::vector<int32_t>& out) const override {
    size_t chars = 0;
    for (unsigned char c : s) chars += (c & 0xC0) != 0x80;
    if (chars > max_chars_) {
      out.push_back(unk_id());
      return;
    }
    size_t first = out.size();
    std::string sub;
    size_t start = 0;
    while (start < s.size()) {
      size_t end = s.size();
      bool found = false;
      while (start < end) {
        sub.clear();
        if (start > 0) sub += prefix_;
        sub.append(s.data() + start, end - start);
        if (auto id = vocab_.find(sub)) {
          out.push_back(*id);
          found = true;
          break;
        }
        // Drop the last character.
        size_t k = end - 1;
        while (k > start && (static_cast<unsigned char>(s[k]) & 0xC0) == 0x80) --k;
        end = k;
      }
      if (!found) {
        out.resize(first);
        out.push_back(unk_id());
        return;
      }
      start = end;
    }
  }

  std::optional<int32_t> token_to_id(std::string_view t) const override { return vocab_.find(t); }
  const std::string* id_to_token(int32_t id) const override { return vocab_.token(id); }
  size_t vocab_size() const override { return vocab_.size(); }
  std::string_view continuing_prefix() const override { return prefix_; }

 private:
  int32_t unk_id() const {
    auto id = vocab_.find(unk_token_);
    if (!id) throw TokenizerError("WordPiece: unk_token \"" + unk_token_ + "\" is not in the vocabulary");
    return *id;
  }
  Vocab vocab_;
  std::string unk_token_, prefix_;
  size_t max_chars_ = 100;
};
}  // namespace

std::unique_ptr<Model> make_wordpiece(const ModelSource& src, const std::string& path) {
  return std::make_unique<WordPiece>(src, path);
}

}  // namespace hf::tok
