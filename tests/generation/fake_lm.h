#pragma once
// A CausalLM stand-in whose next token is a pure function of what the row attends to, so that
// batching, left padding, positions, the cache and stopping can be tested without weights:
// next = (sum of attended ids + 7 * position of the new token) % vocab, scored 5.0 (others 0,
// the runner-up next+1 scored 4.0 so that sampling has two real candidates).
#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>

#include "hf/causal_lm.h"
#include "hf/error.h"

namespace testing_fake {

class FakeCache : public hf::KVCache {
 public:
  FakeCache(int batch, int64_t capacity) : batch_(batch), capacity_(capacity), ids_(batch), mask_(batch) {}
  int batch() const override { return batch_; }
  int64_t capacity() const override { return capacity_; }
  int64_t length() const override { return ids_.empty() ? 0 : static_cast<int64_t>(ids_[0].size()); }
  void reorder(std::span<const int32_t>) override {}
  void truncate(int64_t) override {}
  int batch_;
  int64_t capacity_;
  std::vector<std::vector<int32_t>> ids_;
  std::vector<std::vector<uint8_t>> mask_;
};

class FakeLM : public hf::CausalLM {
 public:
  explicit FakeLM(int vocab = 50, int64_t context = 64) {
    cfg_.vocab_size = vocab;
    cfg_.max_position_embeddings = context;
  }
  const hf::ModelConfig& config() const override { return cfg_; }
  std::unique_ptr<hf::KVCache> new_cache(int batch, int64_t capacity) const override {
    return std::make_unique<FakeCache>(batch, capacity);
  }
  hf::Tensor forward(const hf::ForwardInput& in, hf::KVCache& kv) const override {
    auto& c = static_cast<FakeCache&>(kv);
    forwards++;
    if (delay_ms) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    const int64_t past = c.length();
    if (past + in.seq > c.capacity_) throw hf::InputError("fake: cache full");
    const int64_t total = past + in.seq;
    if (!in.attention_mask.empty() && static_cast<int64_t>(in.attention_mask.size()) != in.batch * total)
      throw std::logic_error("fake: attention_mask size");
    const int vocab = static_cast<int>(cfg_.vocab_size);
    hf::Tensor out = hf::Tensor::zeros(hf::DType::F32, {in.batch, vocab});
    float* o = out.mutable_data_as<float>();
    for (int b = 0; b < in.batch; ++b) {
      for (int s = 0; s < in.seq; ++s) {
        c.ids_[b].push_back(in.input_ids[b * in.seq + s]);
        c.mask_[b].push_back(in.attention_mask.empty() ? 1 : in.attention_mask[b * total + past + s]);
      }
      // The mask given for the cached positions must agree with what was recorded.
      int64_t sum = 0;
      for (int64_t j = 0; j < total; ++j)
        if (c.mask_[b][j]) sum += c.ids_[b][j];
      const int32_t pos = in.position_ids[b * in.seq + in.seq - 1];
      const int next = static_cast<int>((sum + 7 * (pos + 1)) % vocab);
      o[b * vocab + next] = 5.0f;
      o[b * vocab + (next + 1) % vocab] = 4.0f;
    }
    return out;
  }
  int64_t weight_bytes() const override { return 0; }
  int64_t num_parameters() const override { return 0; }

  hf::ModelConfig cfg_;
  mutable std::atomic<int> forwards{0};
  int delay_ms = 0;
};

}  // namespace testing_fake
