#pragma once
// The decoder-only model's KV cache: keys and values per layer, laid out
// [row][kv_head][position][head_dim] so that one head's keys are contiguous for attention.
// Elements are float32 (exact, the default) or f16 / bf16 (LoadOptions::kv_cache_dtype): half the
// memory and half the bytes attention streams at depth; write() rounds to nearest even and the
// attention kernel widens them back as it reads.
// Storage grows by doubling up to `capacity`, so a generous capacity costs nothing up front.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "hf/causal_lm.h"

namespace hf {

class DecoderKVCache : public KVCache {
 public:
  // `dtype`: F32, F16 or BF16 (anything else: hf::ConfigError).
  DecoderKVCache(int batch, int64_t capacity, int64_t layers, int64_t kv_heads, int64_t head_dim,
                 DType dtype = DType::F32);

  int batch() const override { return batch_; }
  int64_t capacity() const override { return capacity_; }
  int64_t length() const override { return length_; }
  void reorder(std::span<const int32_t> rows) override;
  void truncate(int64_t length) override;
  int64_t memory_bytes() const override;

  // Makes room for `length` positions (hf::InputError past capacity).
  void reserve(int64_t length);
  // Keys / values of `layer`, row `b`, KV head `g`: `allocated()` positions of head_dim elements
  // of dtype().
  const void* keys(int64_t layer, int64_t b, int64_t g) const { return at(k_, layer, b, g); }
  const void* values(int64_t layer, int64_t b, int64_t g) const { return at(v_, layer, b, g); }
  DType dtype() const { return dtype_; }
  int64_t allocated() const { return allocated_; }
  // Stores `n` new positions from `pos` on of `layer`, row `b`: token t's keys (all KV heads,
  // kv_heads * head_dim floats) at k + t * row_stride, its values likewise at v + t * row_stride.
  void write(int64_t layer, int64_t b, int64_t pos, const float* k, const float* v, int64_t n, int64_t row_stride);
  void set_length(int64_t length) { length_ = length; }

  // The token ids and position ids behind row `b`'s keys, kept so that a model whose RoPE changes
  // with the sequence length (longrope) can re-encode the whole sequence when it must.
  void record(int64_t b, int64_t start, const int32_t* ids, const int32_t* positions, int64_t n);
  std::span<const int32_t> tokens(int64_t b) const { return {tokens_[b].data(), size_t(length_)}; }
  std::span<const int32_t> positions(int64_t b) const { return {positions_[b].data(), size_t(length_)}; }
  // The largest position of any forward call whose keys the cache holds (-1: none).
  int32_t rope_max_position() const { return rope_max_position_; }
  void set_rope_max_position(int32_t p) { rope_max_position_ = p; }

 private:
  std::byte* at(const std::vector<std::vector<std::byte>>& s, int64_t layer, int64_t b, int64_t g) const {
    return const_cast<std::byte*>(s[layer].data()) + ((b * kv_heads_ + g) * allocated_) * head_dim_ * elem_;
  }
  void resize_storage(int batch, int64_t allocated, std::span<const int32_t> row_map);

  int batch_;
  int64_t capacity_, layers_, kv_heads_, head_dim_;
  DType dtype_;
  int64_t elem_;  // bytes per element
  int64_t allocated_ = 0, length_ = 0;
  std::vector<std::vector<std::byte>> k_, v_;  // per layer
  std::vector<std::vector<int32_t>> tokens_, positions_;  // per row
  int32_t rope_max_position_ = -1;
};

}  // namespace hf
