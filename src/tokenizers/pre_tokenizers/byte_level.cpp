// ByteLevel: optional prefix space, optional GPT-2 regex split, then every byte → its GPT-2
// character (byte_level.h).
#include "tokenizers/byte_level.h"
#include "tokenizers/pre_tokenizers/pre_tokenizers.h"
#include "tokenizers/regex.h"

namespace hf::tok {

namespace {
constexpr const char* kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

class ByteLevelPreTokenizer : public PreTokenizer {
 public:
  ByteLevelPreTokenizer(bool add_prefix_space, bool use_regex, const std::string& path)
      : add_prefix_space_(add_prefix_space) {
    if (use_regex) regex_ = std::make_unique<Regex>(kGpt2Pattern, path);
  }
  void pre_tokenize(std::vector<Piece>& pieces) const override {
    const ByteLevelTable& table = byte_level_table();
    Matches m;
    std::vector<Piece> split;
    for_each_piece(pieces, [&](const Piece& p, std::vector<Piece>& out) {
      Piece q;
      const Piece* src = &p;
      if (add_prefix_space_ && (p.text.empty() || p.text[0] != ' ')) {
        q.text = " " + p.text;
        q.at_start = p.at_start;
        src = &q;
      }
      size_t first = out.size();
      if (regex_) {
        regex_->find_all(src->text, m);
        split_by_matches(*src, m, SplitBehavior::Isolated, false, out);
      } else if (!src->text.empty()) {
        out.push_back(*src);
      }
      for (size_t k = first; k < out.size(); ++k) {
        std::string mapped;
        mapped.reserve(out[k].text.size() * 2);
        table.encode(out[k].text, mapped);
        out[k].text = std::move(mapped);
      }
    });
  }

 private:
  bool add_prefix_space_;
  std::unique_ptr<Regex> regex_;
};
}  // namespace

std::unique_ptr<PreTokenizer> make_byte_level_pre_tokenizer(const json& j, const std::string& path) {
  return std::make_unique<ByteLevelPreTokenizer>(get_bool_or(j, "add_prefix_space", path, true),
                                                 get_bool_or(j, "use_regex", path, true), path);
}

}  // namespace hf::tok
