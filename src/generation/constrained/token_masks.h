#pragma once
// The token level of constrained decoding: for a Graph and a Vocabulary, which tokens each state
// allows and how long the output needs at least after each of them. A state's mask is computed
// the first time the state is met (one walk of the vocabulary trie) and cached; everything is
// shared by the rows, requests and threads using the same grammar and tokenizer (one lock).
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "generation/constrained/runtime.h"
#include "generation/constrained/vocabulary.h"

namespace hf::constrained {

struct StateHash {
  size_t operator()(const State& s) const {
    uint64_t h = 1469598103934665603ull;
    for (uint32_t x : s) h = (h ^ x) * 1099511628211ull;
    return static_cast<size_t>(h);
  }
};

// What a state allows. `closing` values count bytes still needed after the token.
struct Mask {
  std::vector<uint64_t> allowed;  // one bit per token id (eos ids are not in it)
  int64_t common_closing = 0;     // the closing length after most allowed tokens
  std::vector<std::pair<int32_t, int64_t>> other_closing;  // tokens whose closing length differs
  int64_t max_closing = 0;
  bool accepting = false;         // the text is complete: eos allowed
};

// One sequence's position.
struct Cursor {
  State state;
  bool terminated = false;  // eos accepted
  std::string text;
};

class TokenMasks {
 public:
  TokenMasks(const Graph& graph, std::shared_ptr<const Vocabulary> vocabulary);
  const Vocabulary& vocabulary() const { return *vocab_; }

  Cursor start();
  // False (cursor unchanged) when the bytes cannot continue the output.
  bool advance(Cursor& c, std::string_view bytes);
  std::shared_ptr<const Mask> mask(const State& state);
  int64_t closing(const State& state);

  // -inf on every token `c` may not take with `remaining_tokens` left (this one included).
  void apply(const Cursor& c, std::span<const int32_t> eos, std::span<float> scores, int64_t remaining_tokens);

 private:
  void walk(uint32_t node, size_t depth, std::vector<State>& states, std::vector<std::pair<int32_t, int64_t>>& out);

  std::mutex mu_;
  Engine engine_;
  std::shared_ptr<const Vocabulary> vocab_;
  std::unordered_map<State, std::shared_ptr<const Mask>, StateHash> cache_;
  // Bounds memory (a mask of a 151k vocabulary is ~19 KB): past this many states the cache restarts.
  static constexpr size_t kMaxCachedStates = 1024;
};

}  // namespace hf::constrained
