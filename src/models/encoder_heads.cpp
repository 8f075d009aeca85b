// The task heads on top of the encoder, per family (transformers' modeling_bert.py,
// modeling_distilbert.py, modeling_roberta.py):
//
//   head                    BERT                         DistilBERT                  RoBERTa / XLM-R
//   pooler (AutoModel)      tanh(pooler.dense(h[CLS]))   —                           tanh(pooler.dense(h[CLS]))
//   masked LM               cls.predictions.transform    vocab_transform             lm_head.dense
//                           (dense, act, LayerNorm),     (dense, act,                (dense, gelu, layer_norm),
//                           decoder tied + bias          vocab_layer_norm), vocab_   decoder tied + lm_head.bias
//                                                        projector tied + bias
//   sequence classification classifier(tanh(pooler))    classifier(relu(pre_        classifier.out_proj(tanh(
//                                                        classifier(h[CLS])))        classifier.dense(h[CLS])))
//   token classification    classifier(h) on every token (all families)
//   question answering      qa_outputs(h) → [start, end] (all families)
#include <algorithm>

#include "hf/error.h"
#include "kernels/kernels.h"
#include "models/encoder_model.h"

namespace hf {

namespace {

const char* head_name(EncoderHead h) {
  switch (h) {
    case EncoderHead::MaskedLM: return "masked-LM";
    case EncoderHead::SequenceClassification: return "sequence-classification";
    case EncoderHead::TokenClassification: return "token-classification";
    case EncoderHead::QuestionAnswering: return "question-answering";
    default: return "base";
  }
}

}  // namespace

void EncoderModelImpl::bind_head() {
  const EncoderConfig& c = config_;
  const int64_t H = c.hidden_size, L = c.num_labels();
  const bool distil = c.model_type == "distilbert", roberta_like = c.positions_from_padding;
  // A folder saved from another head lacks this one's tensors: say so in one line rather than
  // naming a tensor the user never heard of (transformers would initialise it at random).
  auto require = [&](const std::string& name) {
    if (weights_->has(name)) return;
    std::string arch = c.architectures.empty() ? c.model_type : c.architectures[0];
    throw ModelError(weights_->describe() + ": this " + arch + " checkpoint has no " + head_name(head_) +
                     " head (tensor '" + name + "' is missing); use a model trained for this task");
  };
  switch (head_) {
    case EncoderHead::None:
      if (!distil && weights_->has(prefix_ + "pooler.dense.weight")) h_.pooler = bind_dense(prefix_ + "pooler.dense", H, H);
      break;
    case EncoderHead::MaskedLM: {
      const std::string p = distil ? "" : roberta_like ? "lm_head." : "cls.predictions.";
      const std::string dense = distil ? "vocab_transform" : roberta_like ? "lm_head.dense" : "cls.predictions.transform.dense";
      const std::string norm = distil ? "vocab_layer_norm" : roberta_like ? "lm_head.layer_norm" : "cls.predictions.transform.LayerNorm";
      const std::string decoder = distil ? "vocab_projector" : p + "decoder";
      require(dense + ".weight");
      h_.transform = bind_dense(dense, H, H);
      h_.transform_norm = bind_norm(norm);
      h_.transform_act = roberta_like ? "gelu" : c.hidden_act;
      // The decoder is tied to the word embeddings (save_pretrained drops the copy).
      h_.decoder = weights_->has(decoder + ".weight") ? bind(decoder + ".weight", {c.vocab_size, H}) : word_;
      const std::string bias = distil ? "vocab_projector.bias" : p + "bias";
      h_.decoder_bias = bind(weights_->has(bias) ? bias : decoder + ".bias", {c.vocab_size}).to_f32();
      break;
    }
    case EncoderHead::SequenceClassification:
      if (distil) {
        require("pre_classifier.weight");
        h_.pre_classifier = bind_dense("pre_classifier", H, H);
        h_.pre_act = "relu";
        h_.classifier = bind_dense("classifier", L, H);
      } else if (roberta_like) {
        require("classifier.dense.weight");
        h_.pre_classifier = bind_dense("classifier.dense", H, H);
        h_.pre_act = "tanh";
        h_.classifier = bind_dense("classifier.out_proj", L, H);
      } else {
        require("classifier.weight");
        h_.pre_classifier = bind_dense(prefix_ + "pooler.dense", H, H);
        h_.pre_act = "tanh";
        h_.classifier = bind_dense("classifier", L, H);
      }
      break;
    case EncoderHead::TokenClassification:
      require("classifier.weight");
      h_.classifier = bind_dense("classifier", L, H);
      break;
    case EncoderHead::QuestionAnswering:
      require("qa_outputs.weight");
      h_.classifier = bind_dense("qa_outputs", 2, H);
      break;
  }
}

void EncoderModelImpl::apply_head(const EncoderInput& in, int64_t S, const std::vector<float>& hidden, EncoderOutput& out) const {
  const int64_t B = in.batch, N = B * S, H = config_.hidden_size;
  // The [CLS] (first) row of every sequence.
  auto first_rows = [&] {
    std::vector<float> cls(B * H);
    for (int64_t b = 0; b < B; ++b) std::copy_n(hidden.data() + b * S * H, H, cls.data() + b * H);
    return cls;
  };
  auto to_tensor = [](const std::vector<float>& v, std::vector<int64_t> shape) {
    Tensor t = Tensor::zeros(DType::F32, std::move(shape));
    std::copy(v.begin(), v.end(), t.mutable_data_as<float>());
    return t;
  };
  switch (head_) {
    case EncoderHead::None:
      if (h_.pooler.W.ndim() > 0) {
        std::vector<float> pooled(B * H);
        dense(h_.pooler, first_rows().data(), B, pooled.data());
        activation("tanh", pooled.data(), B * H);
        out.pooler_output = to_tensor(pooled, {B, H});
      }
      break;
    case EncoderHead::MaskedLM: {
      std::vector<float> t(N * H), logits(N * config_.vocab_size);
      dense(h_.transform, hidden.data(), N, t.data());
      activation(h_.transform_act, t.data(), N * H);
      layer_norm(h_.transform_norm, t.data(), N);
      kernels::matmul(t.data(), N, H, h_.decoder, h_.decoder_bias.data(), logits.data());
      out.logits = to_tensor(logits, {B, S, config_.vocab_size});
      break;
    }
    case EncoderHead::SequenceClassification: {
      std::vector<float> pre(B * H), logits(B * h_.classifier.out());
      dense(h_.pre_classifier, first_rows().data(), B, pre.data());
      activation(h_.pre_act, pre.data(), B * H);
      dense(h_.classifier, pre.data(), B, logits.data());
      out.logits = to_tensor(logits, {B, h_.classifier.out()});
      break;
    }
    case EncoderHead::TokenClassification: {
      std::vector<float> logits(N * h_.classifier.out());
      dense(h_.classifier, hidden.data(), N, logits.data());
      out.logits = to_tensor(logits, {B, S, h_.classifier.out()});
      break;
    }
    case EncoderHead::QuestionAnswering: {
      std::vector<float> both(N * 2), start(N), end(N);
      dense(h_.classifier, hidden.data(), N, both.data());
      for (int64_t i = 0; i < N; ++i) {
        start[i] = both[2 * i];
        end[i] = both[2 * i + 1];
      }
      out.start_logits = to_tensor(start, {B, S});
      out.end_logits = to_tensor(end, {B, S});
      break;
    }
  }
}

}  // namespace hf
