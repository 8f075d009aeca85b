// Metaspace: ' ' → replacement (▁), a ▁ prepended per prepend_scheme, then split before each ▁.
#include "tokenizers/pre_tokenizers/pre_tokenizers.h"

namespace hf::tok {

namespace {
enum class Prepend { Always, First, Never };

class Metaspace : public PreTokenizer {
 public:
  Metaspace(std::string replacement, Prepend scheme, bool split)
      : rep_(std::move(replacement)), scheme_(scheme), split_(split) {}
  void pre_tokenize(std::vector<Piece>& pieces) const override {
    Matches m;
    for_each_piece(pieces, [&](const Piece& p, std::vector<Piece>& out) {
      Piece q{std::string(), p.at_start};
      q.text.reserve(p.text.size() + rep_.size() * 4);
      for (char c : p.text) {
        if (c == ' ') q.text += rep_;
        else q.text += c;
      }
      bool needs_prefix = q.text.compare(0, rep_.size(), rep_) != 0;
      if (needs_prefix && (scheme_ == Prepend::Always || (scheme_ == Prepend::First && p.at_start)))
        q.text.insert(0, rep_);
      if (!split_) {
        if (!q.text.empty()) out.push_back(std::move(q));
        return;
      }
      m.clear();
      for (size_t pos = q.text.find(rep_); pos != std::string::npos; pos = q.text.find(rep_, pos + rep_.size()))
        m.emplace_back(pos, pos + rep_.size());
      split_by_matches(q, m, SplitBehavior::MergedWithNext, false, out);
    });
  }

 private:
  std::string rep_;
  Prepend scheme_;
  bool split_;
};
}  // namespace

std::unique_ptr<PreTokenizer> make_metaspace(const json& j, const std::string& path) {
  std::string rep = get_string_or(j, "replacement", path, "\xE2\x96\x81");
  Prepend scheme = Prepend::Always;
  if (const json* s = opt_field(j, "prepend_scheme")) {
    std::string v = s->is_string() ? s->get<std::string>() : "";
    if (v == "always") scheme = Prepend::Always;
    else if (v == "first") scheme = Prepend::First;
    else if (v == "never") scheme = Prepend::Never;
    else bad_json(json_path(path, "prepend_scheme"), "expected \"always\", \"first\" or \"never\"");
  } else if (!get_bool_or(j, "add_prefix_space", path, true)) {
    scheme = Prepend::Never;
  }
  return std::make_unique<Metaspace>(rep, scheme, get_bool_or(j, "split", path, true));
}

}  // namespace hf::tok
