#include "models/encoder_decoder_state.h"

#include <cstring>
#include <string>

#include "hf/error.h"

namespace hf {

void EncoderDecoderState::reorder(std::span<const int32_t> rows) {
  bool identity = static_cast<int>(rows.size()) == n_rows;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i] < 0 || rows[i] >= n_rows)
      throw InputError("Seq2SeqState.reorder: row " + std::to_string(rows[i]) + " out of range");
    identity = identity && rows[i] == static_cast<int32_t>(i);
  }
  if (identity) return;
  // In place, one position at a time through a block-sized buffer: the cache is the largest
  // allocation of beam search, and a second copy of it would double the peak memory. Blocks
  // move towards the front (or stay) when rows do not grow, so a block is read before anything
  // overwrites it; a growing row count takes a fresh buffer.
  const size_t new_rows = rows.size(), d = static_cast<size_t>(inner), block = new_rows * d;
  block_buffer_.resize(block);
  auto gather = [&](std::vector<float>& cache) {
    if (new_rows > static_cast<size_t>(n_rows)) {
      std::vector<float> out(static_cast<size_t>(len) * block);
      for (int64_t p = 0; p < len; ++p)
        for (size_t i = 0; i < new_rows; ++i)
          std::memcpy(out.data() + p * block + i * d, cache.data() + (p * n_rows + rows[i]) * d, d * sizeof(float));
      cache = std::move(out);
      return;
    }
    for (int64_t p = 0; p < len; ++p) {
      for (size_t i = 0; i < new_rows; ++i)
        std::memcpy(block_buffer_.data() + i * d, cache.data() + (p * n_rows + rows[i]) * d, d * sizeof(float));
      std::memcpy(cache.data() + p * block, block_buffer_.data(), block * sizeof(float));
    }
    cache.resize(static_cast<size_t>(len) * block);
  };
  for (size_t l = 0; l < self_k.size(); ++l) {
    gather(self_k[l]);
    gather(self_v[l]);
  }
  std::vector<int32_t> inputs(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) inputs[i] = row_input[rows[i]];
  row_input = std::move(inputs);
  n_rows = static_cast<int>(rows.size());
}

Tensor EncoderDecoderState::logits(int64_t rows, int64_t vocab) {
  if (logits_buffer_.empty() || logits_buffer_.dim(0) < rows) logits_buffer_ = Tensor::zeros(DType::F32, {rows, vocab});
  return logits_buffer_.rows(0, rows);
}

}  // namespace hf
