#pragma once
// The encoder of BERT, DistilBERT, RoBERTa and XLM-R: one implementation, read like
// transformers' modeling_bert.py: embeddings (word + position [+ token type]) → LayerNorm →
// N × post-LN blocks (self-attention → residual → LayerNorm → dense/act/dense → residual →
// LayerNorm) → the head. The families differ only in tensor names (EncoderNames), position ids
// and which head layers exist; those are values, not subclasses.
#include <memory>
#include <string>
#include <vector>

#include "hf/encoder.h"
#include "io/weight_source.h"

namespace hf {

// A linear layer: W [out, in] in its stored dtype, bias as float32 (empty = none).
struct Dense {
  Tensor W;
  std::vector<float> b;
  int64_t out() const { return W.dim(0); }
};

struct LayerNorm {
  std::vector<float> w, b;
};

// Where a family keeps its tensors (relative to the base prefix, e.g. "bert.").
struct EncoderNames {
  std::string layers;                                  // "encoder.layer." / "transformer.layer."
  std::string q, k, v, o, attention_norm, up, down, output_norm;  // inside one layer
  static EncoderNames for_config(const EncoderConfig& c);
};

class EncoderModelImpl {
 public:
  EncoderModelImpl(EncoderConfig config, std::shared_ptr<const WeightSource> weights, EncoderHead head);
  EncoderOutput forward(const EncoderInput& input) const;
  const EncoderConfig& config() const { return config_; }
  EncoderHead head() const { return head_; }

 private:
  struct Layer {
    Dense q, k, v, o, up, down;
    LayerNorm attention_norm, output_norm;
  };
  // The task head's layers (see encoder_heads.cpp); unused members stay empty.
  struct Head {
    Dense pooler;                  // BERT's tanh pooler (AutoModel, BERT sequence classification)
    Dense transform;               // masked LM: dense → act → LayerNorm → decoder (tied) + bias
    LayerNorm transform_norm;
    std::string transform_act;
    Tensor decoder;
    std::vector<float> decoder_bias;
    Dense pre_classifier;          // sequence classification: act(pre(h[CLS])) → classifier
    std::string pre_act;           // "tanh" | "relu"
    Dense classifier;              // also token classification; QA: qa_outputs [2, H]
  };

  Tensor bind(const std::string& name, std::vector<int64_t> shape) const;
  Dense bind_dense(const std::string& name, int64_t out, int64_t in, bool bias = true) const;
  LayerNorm bind_norm(const std::string& name) const;
  void bind_head();
  // [N, H] hidden states of the body.
  std::vector<float> encode(const EncoderInput& in, int64_t S) const;
  void apply_head(const EncoderInput& in, int64_t S, const std::vector<float>& hidden, EncoderOutput& out) const;
  void activation(const std::string& act, float* x, int64_t n) const;
  void dense(const Dense& d, const float* x, int64_t rows, float* y) const;
  void layer_norm(const LayerNorm& n, float* x, int64_t rows) const;

  EncoderConfig config_;
  std::shared_ptr<const WeightSource> weights_;
  EncoderHead head_;
  std::string prefix_;  // "bert.", "distilbert.", "roberta.", "" (a saved base model)
  Tensor word_, position_, token_type_;
  LayerNorm embedding_norm_;
  std::vector<Layer> layers_;
  Head h_;
};

}  // namespace hf
