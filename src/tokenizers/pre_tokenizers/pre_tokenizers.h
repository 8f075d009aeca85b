#pragma once
// Pre-tokenizer builders, one family per file; make_pre_tokenizer() (factory.cpp) dispatches on
// "type". split_by_matches() is the Rust NormalizedString::split: the pattern's matches plus the
// gaps between them, combined as the SplitDelimiterBehavior says.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tokenizers/json_util.h"
#include "tokenizers/pipeline.h"
#include "tokenizers/unicode.h"

namespace hf::tok {

enum class SplitBehavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };
SplitBehavior parse_behavior(const json& j, const std::string& path);

using Matches = std::vector<std::pair<size_t, size_t>>;
// Appends the non-empty pieces of `p` to out.
void split_by_matches(const Piece& p, const Matches& matches, SplitBehavior behavior, bool invert, std::vector<Piece>& out);

// Each character of s for which pred(c) holds is one match.
template <class Pred>
void char_matches(std::string_view s, Pred pred, Matches& out) {
  out.clear();
  size_t i = 0;
  while (i < s.size()) {
    size_t b = i;
    if (pred(next_cp(s, i))) out.emplace_back(b, i);
  }
}

// Applies fn(piece, out) to every piece, replacing `pieces` by what fn appended.
// (fn must not call for_each_piece itself: the output vector is reused per thread.)
template <class F>
void for_each_piece(std::vector<Piece>& pieces, F&& fn) {
  thread_local std::vector<Piece> out;
  out.clear();
  for (const Piece& p : pieces) fn(p, out);
  pieces.swap(out);
}

std::unique_ptr<PreTokenizer> make_split(const json& j, const std::string& path);
std::unique_ptr<PreTokenizer> make_byte_level_pre_tokenizer(const json& j, const std::string& path);
std::unique_ptr<PreTokenizer> make_metaspace(const json& j, const std::string& path);
std::unique_ptr<PreTokenizer> make_whitespace();
std::unique_ptr<PreTokenizer> make_whitespace_split();
std::unique_ptr<PreTokenizer> make_punctuation(const json& j, const std::string& path);
std::unique_ptr<PreTokenizer> make_digits(const json& j, const std::string& path);
std::unique_ptr<PreTokenizer> make_bert_pre_tokenizer();
std::unique_ptr<PreTokenizer> make_char_delimiter_split(const json& j, const std::string& path);

}  // namespace hf::tok
