#pragma once
// A thread-safe cache word → ids for BPE (the Rust crate keeps one too): natural text repeats
// its words, and a hash lookup is much cheaper than re-running the merges. Sharded by hash so two
// threads rarely wait on one lock; each shard stops growing at its capacity.
#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tokenizers/hash_maps.h"

namespace hf::tok {

class WordCache {
 public:
  static constexpr size_t kMaxWordBytes = 256;

  bool get(std::string_view word, std::vector<int32_t>& out) const {
    Shard& s = shard(word);
    std::lock_guard<std::mutex> lock(s.mutex);
    auto it = s.map.find(word);
    if (it == s.map.end()) return false;
    out.insert(out.end(), it->second.begin(), it->second.end());
    return true;
  }
  void put(std::string_view word, const int32_t* ids, size_t n) const {
    if (word.size() > kMaxWordBytes) return;
    Shard& s = shard(word);
    std::lock_guard<std::mutex> lock(s.mutex);
    if (s.map.size() >= kShardCapacity) return;
    s.map.emplace(std::string(word), std::vector<int32_t>(ids, ids + n));
  }

 private:
  static constexpr size_t kShards = 32;
  static constexpr size_t kShardCapacity = 4096;
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return hash_bytes(s); }
  };
  struct Shard {
    std::mutex mutex;
    std::unordered_map<std::string, std::vector<int32_t>, Hash, std::equal_to<>> map;
  };
  Shard& shard(std::string_view w) const { return shards_[(hash_bytes(w) >> 7) % kShards]; }
  mutable std::array<Shard, kShards> shards_;
};

}  // namespace hf::tok
