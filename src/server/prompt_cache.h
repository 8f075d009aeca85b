#pragma once
// PromptCache: the KV caches of finished sequences, kept so that a request extending an earlier
// conversation prefills only what is new. A request takes the entry sharing the longest prefix
// with its prompt (rewound to that prefix); a finished sequence gives its cache back. Memory is
// bounded by a byte budget: least-recently-used entries are dropped first. Used by the scheduler
// thread only (no locking). The cache is a speed-up only: replicas share nothing.
#include <cstdint>
#include <list>
#include <memory>
#include <vector>

#include "hf/causal_lm.h"

namespace hf::server {

class PromptCache {
 public:
  // An entry costs the memory its cache holds (KVCache::memory_bytes(): allocated positions in
  // the cache's own dtype, so an f16 cache counts half); `bytes_per_token` (KV bytes of one
  // position, all layers) prices a cache that does not say. `budget_bytes`: 0 disables.
  PromptCache(int64_t bytes_per_token, int64_t budget_bytes) : bytes_per_token_(bytes_per_token), budget_(budget_bytes) {}

  struct Hit {
    std::unique_ptr<KVCache> cache;  // null on a miss
    int64_t reused = 0;              // positions of the prompt already in `cache`
  };
  // The entry sharing the longest prefix with `prompt`, rewound to at most prompt.size() - 1
  // positions (the last prompt token must run to give the next-token logits).
  Hit take(const std::vector<int32_t>& prompt);
  // `tokens`: the ids whose keys/values `cache` holds (cache->length() of them).
  void put(std::vector<int32_t> tokens, std::unique_ptr<KVCache> cache);

  int64_t bytes() const { return bytes_; }
  size_t entries() const { return entries_.size(); }

 private:
  struct Entry {
    std::vector<int32_t> tokens;
    std::unique_ptr<KVCache> cache;
    int64_t cost;  // bytes charged to the budget
  };
  std::list<Entry> entries_;  // most recently used first
  int64_t bytes_per_token_, budget_, bytes_ = 0;
};

}  // namespace hf::server
