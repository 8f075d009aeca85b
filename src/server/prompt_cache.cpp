// Prompt cache: longest-prefix reuse of finished sequences' KV caches, LRU under a byte budget.
#include "server/prompt_cache.h"

#include <algorithm>

namespace hf::server {

PromptCache::Hit PromptCache::take(const std::vector<int32_t>& prompt) {
  auto best = entries_.end();
  int64_t best_len = 0;
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    const size_t n = std::min(it->tokens.size(), prompt.size());
    const auto diff = std::mismatch(it->tokens.begin(), it->tokens.begin() + n, prompt.begin());
    const int64_t common = diff.first - it->tokens.begin();
    if (common > best_len) best = it, best_len = common;
  }
  if (best == entries_.end()) return {};
  Hit hit{std::move(best->cache), std::min<int64_t>(best_len, static_cast<int64_t>(prompt.size()) - 1)};
  bytes_ -= best->cost;
  entries_.erase(best);
  hit.cache->truncate(hit.reused);
  return hit;
}

void PromptCache::put(std::vector<int32_t> tokens, std::unique_ptr<KVCache> cache) {
  tokens.resize(static_cast<size_t>(cache->length()));
  const int64_t held = cache->memory_bytes();
  const int64_t cost = held > 0 ? held : static_cast<int64_t>(tokens.size()) * bytes_per_token_;
  if (tokens.empty() || cost > budget_) return;
  entries_.push_front({std::move(tokens), std::move(cache), cost});
  bytes_ += cost;
  while (bytes_ > budget_) {
    bytes_ -= entries_.back().cost;
    entries_.pop_back();
  }
}

}  // namespace hf::server
