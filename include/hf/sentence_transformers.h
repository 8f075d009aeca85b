#pragma once
// sentence-transformers folders (modules.json): Transformer → Pooling → [Normalize], as
// SentenceTransformer.encode computes them.
//
//   auto st = hf::SentenceTransformer::from_pretrained("sentence-transformers/all-MiniLM-L6-v2");
//   std::vector<std::vector<float>> m = st.encode({"a text", "another"});   // [n][dim]
//
// Tokenization truncates to max_seq_length tokens (sentence_bert_config.json, special tokens
// included; else the tokenizer's limit). Pooling modes (1_Pooling/config.json, concatenated in
// this order when several are on): cls, max (padding excluded), mean (Σ h·mask / Σ mask),
// mean_sqrt_len (÷ √Σ mask), lasttoken. Normalize: x / max(‖x‖₂, 1e-12). Each text runs alone, so
// padding never changes a row.
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "hf/encoder.h"
#include "hf/export.h"
#include "hf/tokenizer.h"

namespace hf {

struct PoolingConfig {
  bool cls = false, max = false, mean = true, mean_sqrt_len = false, lasttoken = false;
};

class HF_API SentenceTransformer {
 public:
  // hf::ModelError when the folder has no modules.json or a module hfcpp does not implement.
  static SentenceTransformer from_pretrained(const std::string& name_or_path, const HubOptions& hub = {});
  std::vector<float> encode(const std::string& text) const;
  std::vector<std::vector<float>> encode(const std::vector<std::string>& texts) const;
  // Pools token ids exactly as given (special tokens included or not: the caller's choice, as an
  // OpenAI client sending token arrays decides); token type ids 0. hf::InputError for an empty
  // list, an id outside the model's vocabulary or more than max_seq_length() ids.
  std::vector<float> encode_ids(std::span<const int32_t> input_ids) const;
  // Tokens the text takes after truncation (for usage counts).
  size_t count_tokens(const std::string& text) const;
  size_t dimension() const;
  bool normalizes() const { return normalize_; }  // a Normalize module ends the pipeline
  int64_t max_seq_length() const { return max_seq_length_; }
  const Tokenizer& tokenizer() const { return tok_; }
  const EncoderModel& model() const { return model_; }

 private:
  std::vector<float> pool(std::span<const int32_t> input_ids, std::span<const int32_t> token_type_ids) const;

  Tokenizer tok_;
  EncoderModel model_;
  PoolingConfig pooling_;
  bool normalize_ = false;
  int64_t max_seq_length_ = 0;
};

}  // namespace hf
