#pragma once
// A cache word → ids for BPE (the Rust crate keeps one too): natural text repeats its words, and
// a hash lookup is much cheaper than re-running the merges. Each thread has its own cache per
// model (no locks on the hot path): a flat open-addressing table over one arena, emptied when
// full. A thread keeps the caches of its few most recently used models.
// The table starts small and doubles as words arrive: a server has one thread per connection
// (80 by default), and a table sized for its maximum up front (1.5 MiB) on every thread that
// ever tokenized a short chat prompt made `hfcpp serve` grow by 1.5 MiB per new thread.
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
  // Bytes this thread's table holds for this cache (slots and arenas).
  size_t thread_bytes() const { return local().bytes(); }

 private:
  class Table {
   public:
    static constexpr size_t kMinSlots = 256, kMaxSlots = 1 << 16;  // powers of two
    static constexpr size_t kMaxEntries = kMaxSlots / 2;
    Table() : slots_(kMinSlots) {}
    bool get(std::string_view w, uint64_t h, std::vector<int32_t>& out) const {
      const size_t mask = slots_.size() - 1;
      for (size_t i = start(h) & mask;; i = (i + 1) & mask) {
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
      if (2 * (entries_ + 1) > slots_.size()) grow();  // at most half full: short probes
      Slot& s = slots_[free_slot(h | 1)];
      s.hash = h | 1;
      s.key_off = static_cast<uint32_t>(keys_.size());
      s.key_len = static_cast<uint32_t>(w.size());
      s.ids_off = static_cast<uint32_t>(ids_.size());
      s.ids_len = static_cast<uint32_t>(n);
      keys_.insert(keys_.end(), w.begin(), w.end());
      ids_.insert(ids_.end(), ids, ids + n);
      ++entries_;
    }

    size_t bytes() const {
      return slots_.capacity() * sizeof(Slot) + keys_.capacity() + ids_.capacity() * sizeof(int32_t);
    }

   private:
    struct Slot {
      uint64_t hash = 0;  // 0 = empty (stored hashes have the low bit set)
      uint32_t key_off = 0, key_len = 0, ids_off = 0, ids_len = 0;
    };
    // The probe starts from the bits above the one forced to 1, so a stored hash re-places itself.
    static size_t start(uint64_t h) { return static_cast<size_t>(h >> 1); }
    size_t free_slot(uint64_t stored) const {
      const size_t mask = slots_.size() - 1;
      size_t i = start(stored) & mask;
      while (slots_[i].hash != 0) i = (i + 1) & mask;
      return i;
    }
    void grow() {
      std::vector<Slot> old(slots_.size() * 2);
      old.swap(slots_);
      for (const Slot& s : old)
        if (s.hash != 0) slots_[free_slot(s.hash)] = s;
    }
    // Full: start over small, giving the memory back (a burst of long text must not stay resident).
    void clear() {
      std::vector<Slot>(kMinSlots).swap(slots_);
      std::vector<char>().swap(keys_);
      std::vector<int32_t>().swap(ids_);
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
