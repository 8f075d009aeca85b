#pragma once
// Added tokens (tokenizer.json "added_tokens", plus special tokens tokenizer_config.json names):
// found in the text before the normalizer runs and emitted as their ids, never seen by the
// model. Two sets, as in the Rust AddedVocabulary: tokens with normalized=false match the raw
// text; tokens with normalized=true match the normalized text (their content normalized too).
// Matching is leftmost-longest; single_word, lstrip and rstrip adjust or reject a match.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizers/hash_maps.h"
#include "tokenizers/pipeline.h"

namespace hf::tok {

struct AddedToken {
  std::string content;
  int32_t id = 0;
  bool special = false;
  bool single_word = false;
  bool lstrip = false;
  bool rstrip = false;
  bool normalized = false;
};

class AddedVocabulary {
 public:
  // Adds a token (a token whose content is already there is left as it is).
  void add(const AddedToken& t);
  // Builds the matchers; call once after the last add().
  void finalize(const Normalizer* normalizer, bool split_special_tokens);

  struct Segment {
    int32_t id;  // -1: ordinary text
    size_t begin, end;
  };
  // Splits s into added tokens and the text between them (non-empty pieces only).
  void split(std::string_view s, bool normalized_set, std::vector<Segment>& out) const;

  const AddedToken* by_id(int32_t id) const;
  std::optional<int32_t> find(std::string_view content) const;
  const std::vector<AddedToken>& tokens() const { return tokens_; }
  int32_t max_id() const { return max_id_; }

 private:
  struct Matcher {
    std::vector<std::string> patterns;
    std::vector<size_t> token_index;                   // per pattern
    std::array<std::vector<uint32_t>, 256> by_first;  // pattern indices by first byte, longest first
    bool empty() const { return patterns.empty(); }
  };
  void build(Matcher& m, bool normalized, const Normalizer* normalizer);
  void split_with(const Matcher& m, std::string_view s, std::vector<Segment>& out) const;

  std::vector<AddedToken> tokens_;
  StringIdMap content_to_index_;
  std::vector<int32_t> index_by_id_;  // id → index in tokens_, -1 if none
  int32_t max_id_ = -1;
  bool split_special_ = false;
  Matcher raw_, normalized_;
};

}  // namespace hf::tok
