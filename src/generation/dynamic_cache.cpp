// DynamicCache: a caller-owned KV cache reused across generate() calls by common prefix.
#include <algorithm>

#include "hf/generation.h"

namespace hf {

DynamicCache::DynamicCache() = default;
DynamicCache::~DynamicCache() = default;
DynamicCache::DynamicCache(DynamicCache&&) noexcept = default;
DynamicCache& DynamicCache::operator=(DynamicCache&&) noexcept = default;

void DynamicCache::reset() {
  model_ = nullptr;
  kv_.reset();
  tokens_.clear();
}

int64_t DynamicCache::reuse_for(const CausalLM& model, std::span<const int32_t> prompt, int64_t capacity) {
  if (model_ != &model || !kv_ || kv_->capacity() < capacity || kv_->length() != get_seq_length()) {
    reset();
    model_ = &model;
    kv_ = model.new_cache(1, capacity);
  }
  // The last prompt id always runs: its logits choose the first new token.
  const size_t limit = std::min(tokens_.size(), prompt.empty() ? size_t{0} : prompt.size() - 1);
  const size_t common = std::mismatch(tokens_.begin(), tokens_.begin() + limit, prompt.begin()).first - tokens_.begin();
  kv_->truncate(static_cast<int64_t>(common));
  tokens_.resize(common);
  return static_cast<int64_t>(common);
}

}  // namespace hf
