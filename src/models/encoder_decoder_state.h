#pragma once
// The per-call state of an encoder–decoder: the encoder output, the cross-attention keys/values
// of every decoder layer (computed once per input, shared by that input's beams) and the decoder
// self-attention cache of every row, which beam search reorders.
#include <cstdint>
#include <span>
#include <vector>

#include "hf/seq2seq_lm.h"
#include "hf/tensor.h"

namespace hf {

class EncoderDecoderState : public Seq2SeqState {
 public:
  int batch = 0, seq = 0, n_rows = 0;
  int64_t capacity = 0, len = 0;
  int64_t inner = 0;                                 // decoder heads × head_dim
  Tensor encoder_out;                                // [batch, seq, d_model]
  std::vector<uint8_t> mask;                         // [batch, seq]
  std::vector<std::vector<float>> cross_k, cross_v;  // per decoder layer [batch, seq, inner]
  // Per decoder layer, laid out [position][row][inner]: a step appends one block (no capacity is
  // reserved up front: max_length is often 512 while translations stop after a few dozen tokens).
  std::vector<std::vector<float>> self_k, self_v;
  std::vector<int32_t> row_input;                    // input row of each decoder row

  int rows() const override { return n_rows; }
  int64_t length() const override { return len; }
  const Tensor& encoder_last_hidden_state() const override { return encoder_out; }
  void reorder(std::span<const int32_t> rows) override;

  // The logits buffer of decode(), allocated once for the largest row count.
  Tensor logits(int64_t rows, int64_t vocab);

 private:
  std::vector<float> block_buffer_;
  Tensor logits_buffer_;
};

}  // namespace hf
