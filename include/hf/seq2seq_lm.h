#pragma once
// The encoder–decoder model contract used by seq2seq generation (Marian, BART, mBART, T5 / mT5):
// the encoder runs once over a right-padded batch, then the decoder advances one token per row
// per step. The state holds the encoder's cross-attention keys/values (computed once per input,
// shared by every beam of that input) and the decoder self-attention cache; beam search
// reorders its rows. encode() and decode() are const and thread-safe: a loaded model is shared,
// each generate call owns its state.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>

#include "hf/export.h"
#include "hf/tensor.h"

namespace hf {

class HF_API Seq2SeqState {
 public:
  virtual ~Seq2SeqState() = default;
  virtual int rows() const = 0;           // decoder rows (inputs × beams)
  virtual int64_t length() const = 0;     // decoder positions done
  // Decoder row i becomes old row rows[i] (beam search); rows.size() may change the row count.
  virtual void reorder(std::span<const int32_t> rows) = 0;
  // The encoder output [batch, seq, d_model] (float32), for inspection and tests.
  virtual const Tensor& encoder_last_hidden_state() const = 0;
};

class HF_API Seq2SeqLM {
 public:
  virtual ~Seq2SeqLM() = default;
  virtual const std::string& model_type() const = 0;
  virtual int64_t vocab_size() const = 0;              // decoder output size
  // Longest source / target sequence; 0 = no limit (T5's relative positions have no table).
  virtual int64_t max_position_embeddings() const = 0;
  virtual const std::filesystem::path& directory() const = 0;

  // Runs the encoder over `batch` rows of `seq` ids (right-padded; mask 1 = token, empty = all 1)
  // and returns a state with `expand` decoder rows per input row (row r serves input r / expand),
  // able to hold `capacity` decoder positions. hf::InputError for bad sizes, ids outside the
  // vocabulary or sequences longer than max_position_embeddings.
  virtual std::unique_ptr<Seq2SeqState> encode(int batch, int seq, std::span<const int32_t> input_ids,
                                               std::span<const uint8_t> attention_mask, int expand,
                                               int64_t capacity) const = 0;
  // One decoder step: `tokens` holds the newest token of every row; returns float32 logits
  // [rows, vocab] of the next position and appends to the state's cache. The logits live in a
  // buffer of the state, valid (and writable, for logits processors) until the next decode().
  virtual Tensor decode(std::span<const int32_t> tokens, Seq2SeqState& state) const = 0;

  virtual int64_t weight_bytes() const = 0;
  virtual int64_t num_parameters() const = 0;
};

// Loads the encoder–decoder model in local folder `dir` (config.json + model.safetensors, else
// pytorch_model.bin through the safe reader). hf::ConfigError for an unsupported model_type.
HF_API std::shared_ptr<const Seq2SeqLM> load_seq2seq_lm(const std::filesystem::path& dir);

}  // namespace hf
