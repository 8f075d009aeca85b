#pragma once
// BartForSequenceClassification (transformers' modeling_bart.py), e.g. facebook/bart-large-mnli,
// the default model of zero-shot-classification:
//
//   auto model = hf::Seq2SeqForSequenceClassification::from_pretrained("facebook/bart-large-mnli");
//   hf::EncoderOutput out = model.forward({.input_ids = ids});   // out.logits [1, num_labels]
//
// The whole encoder-decoder runs once: the decoder input is the input shifted right
// (shift_tokens_right: decoder_start_token_id, then input_ids[:-1]), and the decoder hidden state
// at the LAST eos token of each row goes through the classification head
// out_proj(tanh(dense(h))). It takes and returns the encoder models' types (EncoderInput,
// EncoderOutput, EncoderConfig's labels) so that a pipeline can hold either kind of classifier.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "hf/encoder.h"
#include "hf/export.h"
#include "hf/hub.h"

namespace hf {

class Seq2SeqClassifierImpl;

class HF_API Seq2SeqForSequenceClassification {
 public:
  Seq2SeqForSequenceClassification() = default;
  // A local folder (config.json with model_type bart/mbart and id2label, model.safetensors or
  // pytorch_model.bin with classification_head.*). hf::ConfigError / hf::ModelError naming what
  // is wrong.
  static Seq2SeqForSequenceClassification load(const std::filesystem::path& dir);
  static Seq2SeqForSequenceClassification from_pretrained(const std::string& name_or_path, const HubOptions& hub = {});
  // Whether config.json of `dir` describes an encoder-decoder classifier (its model_type is one
  // this class loads), so that a pipeline can choose between it and hf::EncoderModel.
  static bool handles(const std::filesystem::path& dir);

  // logits [batch, num_labels] (float32). token_type_ids are ignored (BART has none).
  // hf::InputError as transformers raises: "All examples must have the same number of <eos>
  // tokens." when the rows of the batch differ in their eos count (or a row has none).
  EncoderOutput forward(const EncoderInput& input) const;
  // One sequence → batch of 1.
  EncoderOutput operator()(std::span<const int32_t> input_ids) const;

  // model_type, id2label / label2id (num_labels), as the encoder models report them.
  const EncoderConfig& config() const;

 private:
  std::shared_ptr<const Seq2SeqClassifierImpl> impl_;
};

}  // namespace hf
