#pragma once
// A cache word → ids for BPE (the Rust crate keeps one too): natural text repeats its words, and
// a hash lookup is much cheaper than re-running the merges. Each thread has its own cache per
// model (no locks on the hot path): a flat open-addressing table over one arena, emptied when
// full. A thread keeps the caches of its few most recently used models.
#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

#include "tokenizers/hash_maps.h"

namespace hf::tok {

class WordCache {
 public:
  static constexpr size_t kMaxWordBytes = 256;

  WordCache() : id_(next_id()) {}

  bool get(std::string_view word, std::vector<int32_t>& out) const {
    return local().get(word, hash_bytes(word), out);
  }
  void put(std::string_view word, const int32_t* ids, size_t n) const {
    if (word.size() > kMaxWordBytes) return;
    local().put(word, hash_bytes(word), ids, n);
  }

 private:
  class Table {
   public:
    static constexpr size_t kSlots = 1 << 16;       // power of two
    static constexpr size_t kMaxEntries = kSlots / 2;
    Table() : slots_(kSlots) {}
    bool get(std::string_view w, uint64_t h, std::vector<int32_t>& out) const {
      for (size_t i = h & (kSlots - 1);; i = (i + 1) & (kSlots - 1)) {
        const Slot& s = slots_[i];
        if (s.hash == 0) return false;
        if (s.hash == (h | 1) && s.key_len == w.size() && std::memcmp(keys_.data() + s.key_off, w.data(), w.size()) == 0) {
          out.insert(out.end(), ids_.begin() + s.ids_off, ids_.begin() + s.ids_off + s.ids_len);
          return true;
        }
      }
    }
    void put(std::string_view w, uint64_t h, const int32_t* ids, size_t n) {
      if (entries_ >= kMaxEntries) clear();
      size_t i = h & (kSlots - 1);
      while (slots_[i].hash != 0) i = (i + 1) & (kSlots - 1);
      Slot& s = slots_[i];
      s.hash = h | 1;
      s.key_off = static_cast<uint32_t>(keys_.size());
      s.key_len = static_cast<uint32_t>(w.size());
      s.ids_off = static_cast<uint32_t>(ids_.size());
      s.ids_len = static_cast<uint32_t>(n);
      keys_.insert(keys_.end(), w.begin(), w.end());
      ids_.insert(ids_.end(), ids, ids + n);
      ++entries_;
    }

   private:
    struct Slot {
      uint64_t hash = 0;  // 0 = empty (stored hashes have the low bit set)
      uint32_t key_off = 0, key_len = 0, ids_off = 0, ids_len = 0;
    };
    void clear() {
      std::fill(slots_.begin(), slots_.end(), Slot{});
      keys_.clear();
      ids_.clear();
      entries_ = 0;
    }
    std::vector<Slot> slots_;
    std::vector<char> keys_;
    std::vector<int32_t> ids_;
    size_t entries_ = 0;
  };

  static uint64_t next_id() {
    static std::atomic<uint64_t> n{1};
    return n++;
  }
  // This thread's table for this cache (ids are never reused, so a table cannot outlive its model's
  // meaning; old tables are dropped when the thread needs room).
  Table& local() const {
    struct Entry {
      uint64_t id;
      std::unique_ptr<Table> table;
    };
    thread_local std::vector<Entry> tables;
    for (size_t k = 0; k < tables.size(); ++k) {
      if (tables[k].id == id_) {
        if (k != 0) std::swap(tables[k], tables[0]);  // most recent first
        return *tables[0].table;
      }
    }
    constexpr size_t kModelsPerThread = 4;
    if (tables.size() >= kModelsPerThread) tables.pop_back();
    tables.insert(tables.begin(), Entry{id_, std::make_unique<Table>()});
    return *tables[0].table;
  }

  uint64_t id_;
};

}  // namespace hf::tok
