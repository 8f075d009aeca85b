#pragma once
// Open-addressing hash maps for the hot lookups: token string → id (vocabularies of 150k+
// entries, built in a few ms) and (id, id) → merge (BPE). Both are built once and then read-only.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hf::tok {

inline uint64_t mix64(uint64_t h) {  // murmur3's finalizer
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

inline uint64_t hash_bytes(std::string_view s) {
  // Keys are short token strings: 8 bytes at a time, then a strong final mix.
  uint64_t h = 0x9E3779B97F4A7C15ull ^ s.size();
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    __builtin_memcpy(&w, s.data() + i, 8);
    h = mix64(h ^ w);
  }
  uint64_t w = 0;
  if (i < s.size()) __builtin_memcpy(&w, s.data() + i, s.size() - i);
  return mix64(h ^ w ^ (uint64_t(s.size() - i) << 56));
}

// string → int32. A slot holds the key's hash, the value and the key itself when it is short
// (most tokens are), so a lookup touches one cache line; longer keys live in an arena. Bulk
// builders compute hashes ahead and prefetch() the slots they will touch.
class StringIdMap {
 public:
  void reserve(size_t n) {
    size_t cap = 16;
    while (cap < n + n / 2) cap <<= 1;  // load factor <= 2/3
    slots_.assign(cap, Slot{});
    mask_ = cap - 1;
    size_ = 0;
  }
  static uint64_t hash(std::string_view key) { return hash_bytes(key); }
  void prefetch(uint64_t h) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[h & mask_]);
  }
  // Inserts or overwrites.
  void set(std::string_view key, int32_t value) { set_hashed(key, hash(key), value); }
  void set_hashed(std::string_view key, uint64_t h, int32_t value) {
    if ((size_ + 1) * 3 > slots_.size() * 2) grow();
    uint32_t h32 = static_cast<uint32_t>(h >> 32);
    size_t i = h & mask_;
    while (true) {
      Slot& s = slots_[i];
      if (s.len == kEmpty) {
        s.hash = h32;
        s.value = value;
        s.len = static_cast<uint32_t>(key.size());
        if (key.size() <= kInline) {
          __builtin_memcpy(s.key, key.data(), key.size());
        } else {
          uint32_t off = static_cast<uint32_t>(arena_.size());
          __builtin_memcpy(s.key, &off, sizeof off);
          arena_.append(key);
        }
        ++size_;
        return;
      }
      if (s.hash == h32 && s.len == key.size() && view(s) == key) {
        s.value = value;
        return;
      }
      i = (i + 1) & mask_;
    }
  }
  const int32_t* find(std::string_view key) const { return find_hashed(key, hash(key)); }
  const int32_t* find_hashed(std::string_view key, uint64_t h) const {
    if (slots_.empty()) return nullptr;
    uint32_t h32 = static_cast<uint32_t>(h >> 32);
    size_t i = h & mask_;
    while (true) {
      const Slot& s = slots_[i];
      if (s.len == kEmpty) return nullptr;
      if (s.hash == h32 && s.len == key.size() && view(s) == key) return &s.value;
      i = (i + 1) & mask_;
    }
  }
  size_t size() const { return size_; }

 private:
  static constexpr uint32_t kEmpty = 0xFFFFFFFFu;
  static constexpr size_t kInline = 20;
  struct alignas(32) Slot {
    uint32_t hash = 0;
    int32_t value = 0;
    uint32_t len = kEmpty;
    char key[kInline];
  };
  std::string_view view(const Slot& s) const {
    if (s.len <= kInline) return std::string_view(s.key, s.len);
    uint32_t off;
    __builtin_memcpy(&off, s.key, sizeof off);
    return std::string_view(arena_).substr(off, s.len);
  }
  void grow() {
    std::vector<Slot> old = std::move(slots_);
    size_t cap = old.empty() ? 16 : old.size() * 2;
    slots_.assign(cap, Slot{});
    mask_ = cap - 1;
    for (const Slot& s : old) {
      if (s.len == kEmpty) continue;
      size_t i = hash_bytes(view(s)) & mask_;
      while (slots_[i].len != kEmpty) i = (i + 1) & mask_;
      slots_[i] = s;
    }
  }
  std::vector<Slot> slots_;
  std::string arena_;
  size_t mask_ = 0, size_ = 0;
};

// uint64 → V, with key ~0 reserved.
template <class V>
class U64Map {
 public:
  void reserve(size_t n) {
    size_t cap = 16;
    while (cap < n * 2) cap <<= 1;
    keys_.assign(cap, kEmpty);
    values_.assign(cap, V{});
    mask_ = cap - 1;
  }
  void set(uint64_t key, const V& v) {
    if ((size_ + 1) * 2 > keys_.size()) rehash(keys_.empty() ? 16 : keys_.size() * 2);
    size_t i = slot(key);
    while (keys_[i] != kEmpty && keys_[i] != key) i = (i + 1) & mask_;
    if (keys_[i] == kEmpty) ++size_;
    keys_[i] = key;
    values_[i] = v;
  }
  void prefetch(uint64_t key) const {
    if (!keys_.empty()) __builtin_prefetch(&keys_[slot(key)]);
  }
  const V* find(uint64_t key) const {
    if (keys_.empty()) return nullptr;
    size_t i = slot(key);
    while (true) {
      if (keys_[i] == key) return &values_[i];
      if (keys_[i] == kEmpty) return nullptr;
      i = (i + 1) & mask_;
    }
  }
  size_t size() const { return size_; }

 private:
  static constexpr uint64_t kEmpty = ~uint64_t(0);
  size_t slot(uint64_t k) const { return mix64(k) & mask_; }
  void rehash(size_t cap) {
    std::vector<uint64_t> ok = std::move(keys_);
    std::vector<V> ov = std::move(values_);
    keys_.assign(cap, kEmpty);
    values_.assign(cap, V{});
    mask_ = cap - 1;
    size_ = 0;
    for (size_t i = 0; i < ok.size(); ++i)
      if (ok[i] != kEmpty) set(ok[i], ov[i]);
  }
  std::vector<uint64_t> keys_;
  std::vector<V> values_;
  size_t mask_ = 0, size_ = 0;
};

}  // namespace hf::tok
