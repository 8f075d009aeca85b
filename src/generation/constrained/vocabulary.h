#pragma once
// A tokenizer's vocabulary as the bytes each token adds to the decoded text, in a trie, so that
// the tokens allowed in a state are found by one walk that shares every common prefix.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace hf {
class Tokenizer;
}

namespace hf::constrained {

class Vocabulary {
 public:
  // Built once per tokenizer implementation and shared (the trie of a 151k vocabulary takes a
  // moment to build).
  static std::shared_ptr<const Vocabulary> of(const Tokenizer& tokenizer);
  explicit Vocabulary(const Tokenizer& tokenizer);

  size_t size() const { return bytes_.size(); }
  // "" for special tokens and tokens that decode to nothing: never allowed by a grammar.
  const std::string& bytes(int32_t id) const { return bytes_[static_cast<size_t>(id)]; }

  struct Node {
    uint32_t child_begin = 0, child_end = 0;  // children: nodes [child_begin, child_end)
    uint32_t token_begin = 0, token_end = 0;  // tokens ending here: token_ids()[token_begin, token_end)
    uint8_t byte = 0;                         // the edge from the parent
  };
  const std::vector<Node>& nodes() const { return nodes_; }  // nodes()[0] is the root
  const std::vector<int32_t>& token_ids() const { return token_ids_; }

 private:
  void build_trie();
  std::vector<std::string> bytes_;
  std::vector<Node> nodes_;
  std::vector<int32_t> token_ids_;
};

}  // namespace hf::constrained
