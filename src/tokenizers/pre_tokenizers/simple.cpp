// Whitespace, WhitespaceSplit, Punctuation, Digits, BertPreTokenizer, CharDelimiterSplit.
#include "tokenizers/pre_tokenizers/pre_tokenizers.h"
#include "tokenizers/regex.h"

namespace hf::tok {

namespace {

// Splits every piece on the characters pred selects.
template <class Pred>
class CharSplit : public PreTokenizer {
 public:
  CharSplit(Pred pred, SplitBehavior b) : pred_(pred), behavior_(b) {}
  void pre_tokenize(std::vector<Piece>& pieces) const override {
    Matches m;
    for_each_piece(pieces, [&](const Piece& p, std::vector<Piece>& out) {
      char_matches(p.text, pred_, m);
      split_by_matches(p, m, behavior_, false, out);
    });
  }

 private:
  Pred pred_;
  SplitBehavior behavior_;
};

template <class Pred>
std::unique_ptr<PreTokenizer> char_split(Pred pred, SplitBehavior b) {
  return std::make_unique<CharSplit<Pred>>(pred, b);
}

// Whitespace: the words of `\w+|[^\w\s]+` (Rust regex: \w = Alphabetic, marks, Nd, Pc, Join_Control).
class Whitespace : public PreTokenizer {
 public:
  Whitespace()
      : regex_(R"([\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\x{200C}\x{200D}]+|[^\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\x{200C}\x{200D}\s\x{85}]+)",
               "pre_tokenizer Whitespace", false) {}
  void pre_tokenize(std::vector<Piece>& pieces) const override {
    Matches m;
    for_each_piece(pieces, [&](const Piece& p, std::vector<Piece>& out) {
      regex_.find_all(p.text, m);
      split_by_matches(p, m, SplitBehavior::Removed, true, out);
    });
  }

 private:
  Regex regex_;
};

class BertPreTokenizer : public PreTokenizer {
 public:
  void pre_tokenize(std::vector<Piece>& pieces) const override {
    Matches m;
    for_each_piece(pieces, [&](const Piece& p, std::vector<Piece>& out) {
      char_matches(p.text, is_whitespace, m);
      split_by_matches(p, m, SplitBehavior::Removed, false, out);
    });
    for_each_piece(pieces, [&](const Piece& p, std::vector<Piece>& out) {
      char_matches(p.text, is_bert_punctuation, m);
      split_by_matches(p, m, SplitBehavior::Isolated, false, out);
    });
  }
};

// Digits: runs of digits (or each digit) isolated.
class Digits : public PreTokenizer {
 public:
  explicit Digits(bool individual) : individual_(individual) {}
  void pre_tokenize(std::vector<Piece>& pieces) const override {
    Matches m;
    for_each_piece(pieces, [&](const Piece& p, std::vector<Piece>& out) {
      char_matches(p.text, is_number, m);
      split_by_matches(p, m, individual_ ? SplitBehavior::Isolated : SplitBehavior::Contiguous, false, out);
    });
  }

 private:
  bool individual_;
};

}  // namespace

std::unique_ptr<PreTokenizer> make_whitespace() { return std::make_unique<Whitespace>(); }

std::unique_ptr<PreTokenizer> make_whitespace_split() { return char_split(is_whitespace, SplitBehavior::Removed); }

std::unique_ptr<PreTokenizer> make_punctuation(const json& j, const std::string& path) {
  SplitBehavior b = SplitBehavior::Isolated;
  if (const json* v = opt_field(j, "behavior")) b = parse_behavior(*v, json_path(path, "behavior"));
  return char_split(is_bert_punctuation, b);
}

std::unique_ptr<PreTokenizer> make_digits(const json& j, const std::string& path) {
  return std::make_unique<Digits>(get_bool_or(j, "individual_digits", path, false));
}

std::unique_ptr<PreTokenizer> make_bert_pre_tokenizer() { return std::make_unique<BertPreTokenizer>(); }

std::unique_ptr<PreTokenizer> make_char_delimiter_split(const json& j, const std::string& path) {
  std::string d = get_string(j, "delimiter", path);
  size_t i = 0;
  if (d.empty()) bad_json(json_path(path, "delimiter"), "expected one character");
  char32_t c = next_cp(d, i);
  return char_split([c](char32_t x) { return x == c; }, SplitBehavior::Removed);
}

}  // namespace hf::tok
