#pragma once
// What the encoder tasks (feature-extraction, sentence-embeddings, fill-mask, text-classification,
// zero-shot-classification, token-classification, question-answering) share: the model with its
// head, one forward per input (transformers' pipelines run batch_size 1 unpadded by default), and
// the call's keyword arguments (PipelineCallOptions::extra, under transformers' names).
#include <optional>
#include <string>
#include <vector>

#include "hf/encoder.h"
#include "hf/pipeline.h"

namespace hf::pipelines {

class EncoderPipeline : public PipelineImpl {
 public:
  EncoderPipeline(std::string task, const PipelineOptions& options, EncoderHead head);
  // nullopt: the tokenizer only (model_ stays empty), for a task whose model may be something
  // else than an encoder (zero-shot-classification with BART-MNLI, hf/seq2seq_classification.h).
  EncoderPipeline(std::string task, const PipelineOptions& options, std::optional<EncoderHead> head);

 protected:
  // The model on one encoding (token types only where the tokenizer class makes them).
  EncoderOutput forward(const Encoding& e) const;
  // tokenizer(text[, pair], truncation=...) → its first window.
  Encoding encode(const std::string& text, const std::optional<std::string>& pair = {}, const std::string& truncation = "") const;

  // Keyword arguments: absent → nullopt. Wrong types are hf::InputError naming the argument.
  static const json* kwarg(const PipelineCallOptions& o, const char* name);
  static std::optional<int64_t> int_kwarg(const PipelineCallOptions& o, const char* name);
  static std::optional<bool> bool_kwarg(const PipelineCallOptions& o, const char* name);
  static std::optional<std::string> string_kwarg(const PipelineCallOptions& o, const char* name);
  // A string input, or hf::InputError saying what the task expects.
  std::string text_input(const json& input) const;

  EncoderModel model_;
};

// Probabilities in double precision from float32 logits.
std::vector<double> softmax(const float* x, size_t n);
double sigmoid(double x);

}  // namespace hf::pipelines
