// Split: a string or an (Oniguruma-syntax) regex, with a SplitDelimiterBehavior and `invert`.
#include "tokenizers/pre_tokenizers/pre_tokenizers.h"
#include "tokenizers/regex.h"

namespace hf::tok {

namespace {
class Split : public PreTokenizer {
 public:
  Split(const std::string& pattern, bool is_regex, SplitBehavior b, bool invert, const std::string& path)
      : regex_(is_regex ? pattern : regex_escape(pattern), path, is_regex), behavior_(b), invert_(invert) {}
  void pre_tokenize(std::vector<Piece>& pieces) const override {
    Matches m;
    for_each_piece(pieces, [&](const Piece& p, std::vector<Piece>& out) {
      regex_.find_all(p.text, m);
      split_by_matches(p, m, behavior_, invert_, out);
    });
  }

 private:
  Regex regex_;
  SplitBehavior behavior_;
  bool invert_;
};
}  // namespace

std::unique_ptr<PreTokenizer> make_split(const json& j, const std::string& path) {
  const json& pat = field(j, "pattern", path);
  std::string ppath = json_path(path, "pattern");
  SplitBehavior b = parse_behavior(field(j, "behavior", path), json_path(path, "behavior"));
  bool invert = get_bool_or(j, "invert", path, false);
  if (const json* s = opt_field(pat, "String")) {
    if (!s->is_string()) bad_json(json_path(ppath, "String"), "expected a string");
    return std::make_unique<Split>(s->get<std::string>(), false, b, invert, ppath);
  }
  if (const json* r = opt_field(pat, "Regex")) {
    if (!r->is_string()) bad_json(json_path(ppath, "Regex"), "expected a string");
    return std::make_unique<Split>(r->get<std::string>(), true, b, invert, ppath);
  }
  bad_json(ppath, "expected {\"String\": ...} or {\"Regex\": ...}");
}

}  // namespace hf::tok
