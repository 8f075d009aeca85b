// Masks by trie walk, cached per state, and the budget rule: with B tokens left after this one,
// a token is allowed only if the output can be completed in B more bytes from where it leads
// (each byte of a completion is a single-byte token in byte-level and byte-fallback
// vocabularies, so bytes bound tokens).
#include "generation/constrained/token_masks.h"

#include <algorithm>
#include <limits>
#include <map>

namespace hf::constrained {

TokenMasks::TokenMasks(const Graph& graph, std::shared_ptr<const Vocabulary> vocabulary)
    : engine_(graph), vocab_(std::move(vocabulary)) {}

Cursor TokenMasks::start() {
  std::lock_guard lock(mu_);
  return Cursor{engine_.initial(), false, ""};
}

bool TokenMasks::advance(Cursor& c, std::string_view bytes) {
  std::lock_guard lock(mu_);
  State s = c.state, next;
  for (char b : bytes) {
    engine_.step(s, static_cast<uint8_t>(b), next);
    if (next.empty()) return false;
    s.swap(next);
  }
  c.state = std::move(s);
  c.text += bytes;
  return true;
}

int64_t TokenMasks::closing(const State& state) {
  std::lock_guard lock(mu_);
  return engine_.closing(state);
}

// Depth-first over the trie: states[depth] is where the bytes of the current node lead.
void TokenMasks::walk(uint32_t node, size_t depth, std::vector<State>& states,
                      std::vector<std::pair<int32_t, int64_t>>& out) {
  const auto& nodes = vocab_->nodes();
  const auto& ids = vocab_->token_ids();
  if (states.size() <= depth + 1) states.resize(depth + 2);
  for (uint32_t c = nodes[node].child_begin; c < nodes[node].child_end; ++c) {
    engine_.step(states[depth], nodes[c].byte, states[depth + 1]);
    if (states[depth + 1].empty()) continue;  // no token below can be valid
    if (nodes[c].token_begin < nodes[c].token_end) {
      const int64_t closing = engine_.closing(states[depth + 1]);
      for (uint32_t t = nodes[c].token_begin; t < nodes[c].token_end; ++t) out.push_back({ids[t], closing});
    }
    walk(c, depth + 1, states, out);
  }
}

std::shared_ptr<const Mask> TokenMasks::mask(const State& state) {
  std::lock_guard lock(mu_);
  if (auto it = cache_.find(state); it != cache_.end()) return it->second;
  std::vector<State> states{state};
  std::vector<std::pair<int32_t, int64_t>> tokens;
  walk(0, 0, states, tokens);
  auto m = std::make_shared<Mask>();
  m->allowed.assign((vocab_->size() + 63) / 64, 0);
  m->accepting = engine_.accepting(state);
  std::map<int64_t, size_t> counts;
  for (auto [id, closing] : tokens) {
    m->allowed[size_t(id) / 64] |= uint64_t(1) << (id % 64);
    ++counts[closing];
    m->max_closing = std::max(m->max_closing, closing);
  }
  size_t best = 0;
  for (auto [closing, n] : counts)
    if (n > best) best = n, m->common_closing = closing;
  for (auto [id, closing] : tokens)
    if (closing != m->common_closing) m->other_closing.push_back({id, closing});
  if (cache_.size() >= kMaxCachedStates) cache_.clear();
  cache_.emplace(state, m);
  return m;
}

void TokenMasks::apply(const Cursor& c, std::span<const int32_t> eos, std::span<float> scores,
                       int64_t remaining_tokens) {
  constexpr float kMasked = -std::numeric_limits<float>::infinity();
  if (c.terminated) {  // only eos again (finished rows are fed the pad id anyway)
    for (size_t i = 0; i < scores.size(); ++i)
      if (std::find(eos.begin(), eos.end(), static_cast<int32_t>(i)) == eos.end()) scores[i] = kMasked;
    return;
  }
  const std::shared_ptr<const Mask> m = mask(c.state);
  const int64_t budget = std::max<int64_t>(remaining_tokens, 1) - 1;  // bytes left after this token
  std::vector<uint64_t> bits;
  const std::vector<uint64_t>* allowed = &m->allowed;
  if (m->max_closing > budget) {
    // Tight budget: keep only tokens after which the output still closes in time; if none
    // (the budget was too small from the start), those that close soonest.
    int64_t limit = budget;
    int64_t soonest = m->common_closing;
    for (auto [id, closing] : m->other_closing) soonest = std::min(soonest, closing);
    if (soonest > limit && !m->accepting) limit = soonest;
    if (m->common_closing <= limit) {
      bits = m->allowed;
      for (auto [id, closing] : m->other_closing)
        if (closing > limit) bits[size_t(id) / 64] &= ~(uint64_t(1) << (id % 64));
    } else {
      bits.assign(m->allowed.size(), 0);
      for (auto [id, closing] : m->other_closing)
        if (closing <= limit) bits[size_t(id) / 64] |= uint64_t(1) << (id % 64);
    }
    allowed = &bits;
  }
  std::vector<float> eos_scores;  // eos keeps the model's score when the text is complete
  for (int32_t e : eos) eos_scores.push_back(e >= 0 && size_t(e) < scores.size() ? scores[size_t(e)] : kMasked);
  const size_t vocab = vocab_->size();
  for (size_t i = 0; i < scores.size(); ++i)
    if (i >= vocab || !((*allowed)[i / 64] >> (i % 64) & 1)) scores[i] = kMasked;
  if (!m->accepting) return;
  for (size_t k = 0; k < eos.size(); ++k)
    if (eos[k] >= 0 && size_t(eos[k]) < scores.size()) scores[size_t(eos[k])] = eos_scores[k];
  // A complete text whose only way on is eos, which an earlier processor banned (min_new_tokens):
  // ending is the only way to keep the output valid, so eos comes back.
  if (std::none_of(scores.begin(), scores.end(), [](float x) { return x > kMasked; }))
    for (int32_t e : eos)
      if (e >= 0 && size_t(e) < scores.size()) scores[size_t(e)] = 0.0f;
}

}  // namespace hf::constrained
