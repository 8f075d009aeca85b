#include "models/decoder_kv_cache.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <string>

#include "hf/error.h"

namespace hf {

DecoderKVCache::DecoderKVCache(int batch, int64_t capacity, int64_t layers, int64_t kv_heads, int64_t head_dim,
                               DType dtype)
    : batch_(batch), capacity_(capacity), layers_(layers), kv_heads_(kv_heads), head_dim_(head_dim), dtype_(dtype),
      elem_(int64_t(dtype_size(dtype))), k_(layers), v_(layers), tokens_(batch), positions_(batch) {
  if (batch < 1 || capacity < 1) throw InputError("KV cache needs batch >= 1 and capacity >= 1");
  if (dtype != DType::F32 && dtype != DType::F16 && dtype != DType::BF16)
    throw ConfigError(std::string("KV cache dtype ") + dtype_name(dtype) + " is not supported (F32, F16 or BF16)");
}

namespace {
// n floats stored as `dtype` at dst, rounded to nearest even for the half types.
void store_rounded(const float* src, int64_t n, DType dtype, std::byte* dst) {
  if (dtype == DType::F32) {
    std::memcpy(dst, src, sizeof(float) * n);
    return;
  }
  auto* h = reinterpret_cast<uint16_t*>(dst);
  if (dtype == DType::BF16)
    for (int64_t i = 0; i < n; ++i) h[i] = f32_to_bf16(src[i]);
  else
    for (int64_t i = 0; i < n; ++i) h[i] = f32_to_f16(src[i]);
}
}  // namespace

void DecoderKVCache::write(int64_t layer, int64_t b, int64_t pos, const float* k, const float* v, int64_t n,
                           int64_t row_stride) {
  for (int64_t g = 0; g < kv_heads_; ++g) {
    std::byte* kc = at(k_, layer, b, g) + pos * head_dim_ * elem_;
    std::byte* vc = at(v_, layer, b, g) + pos * head_dim_ * elem_;
    for (int64_t t = 0; t < n; ++t) {
      store_rounded(k + t * row_stride + g * head_dim_, head_dim_, dtype_, kc + t * head_dim_ * elem_);
      store_rounded(v + t * row_stride + g * head_dim_, head_dim_, dtype_, vc + t * head_dim_ * elem_);
    }
  }
}

int64_t DecoderKVCache::memory_bytes() const { return 2 * layers_ * batch_ * kv_heads_ * allocated_ * head_dim_ * elem_; }

void DecoderKVCache::record(int64_t b, int64_t start, const int32_t* ids, const int32_t* positions, int64_t n) {
  for (auto* store : {&tokens_[b], &positions_[b]}) store->resize(start + n);
  std::copy_n(ids, n, tokens_[b].begin() + start);
  std::copy_n(positions, n, positions_[b].begin() + start);
}

// Copies the first length_ positions of every (row, head) into storage of a new shape; new row
// i takes old row row_map[i] (identity when row_map is empty).
void DecoderKVCache::resize_storage(int batch, int64_t allocated, std::span<const int32_t> row_map) {
  for (auto* store : {&k_, &v_})
    for (int64_t l = 0; l < layers_; ++l) {
      std::vector<std::byte> fresh(size_t(batch) * kv_heads_ * allocated * head_dim_ * elem_);
      const std::vector<std::byte>& old = (*store)[l];
      if (length_ > 0)
        for (int b = 0; b < batch; ++b) {
          const int64_t src_b = row_map.empty() ? b : row_map[b];
          for (int64_t g = 0; g < kv_heads_; ++g)
            std::memcpy(fresh.data() + (b * kv_heads_ + g) * allocated * head_dim_ * elem_,
                        old.data() + (src_b * kv_heads_ + g) * allocated_ * head_dim_ * elem_,
                        length_ * head_dim_ * elem_);
        }
      (*store)[l] = std::move(fresh);
    }
  if (!row_map.empty()) {
    std::vector<std::vector<int32_t>> tokens(batch), positions(batch);
    for (int b = 0; b < batch; ++b) tokens[b] = tokens_[row_map[b]], positions[b] = positions_[row_map[b]];
    tokens_ = std::move(tokens);
    positions_ = std::move(positions);
  }
  batch_ = batch;
  allocated_ = allocated;
}

void DecoderKVCache::reserve(int64_t length) {
  if (length > capacity_)
    throw InputError("KV cache full: " + std::to_string(length) + " positions needed, capacity " +
                     std::to_string(capacity_) + " (raise max_new_tokens' budget or shorten the prompt)");
  if (length <= allocated_) return;
  int64_t grown = std::min(capacity_, std::max<int64_t>({length, allocated_ * 2, 64}));
  resize_storage(batch_, grown, {});
}

void DecoderKVCache::reorder(std::span<const int32_t> rows) {
  for (int32_t r : rows)
    if (r < 0 || r >= batch_)
      throw InputError("KV cache reorder: row " + std::to_string(r) + " outside [0, " + std::to_string(batch_) + ")");
  if (rows.empty()) throw InputError("KV cache reorder: no rows");
  resize_storage(static_cast<int>(rows.size()), std::max<int64_t>(allocated_, 1), rows);
}

void DecoderKVCache::truncate(int64_t length) {
  if (length < 0 || length > length_)
    throw InputError("KV cache truncate to " + std::to_string(length) + " but it holds " + std::to_string(length_));
  length_ = length;
  if (length == 0) rope_max_position_ = -1;
}

}  // namespace hf
