#pragma once
// Encoder models (BERT, DistilBERT, RoBERTa, XLM-RoBERTa) and their task heads, as transformers'
// AutoModel* classes offer them:
//
//   auto model = hf::AutoModelForSequenceClassification::from_pretrained("distilbert/distilbert-base-uncased-finetuned-sst-2-english");
//   auto tok = hf::AutoTokenizer::from_pretrained(...);
//   hf::EncoderOutput out = model({.input_ids = tok.encode("I love this.")});
//   out.logits                                    // [1, num_labels], float32
//
// One encoder implementation serves every family: the differences (post-LN BERT blocks vs
// DistilBERT's names, RoBERTa's position offset, token types or not) are values of EncoderConfig
// read from config.json, and the head is chosen by the Auto class, as in transformers.
// Weights are used in their stored dtype (f32/f16/bf16) with float32 activations; stored tensors
// the head does not use (a pooler under a masked-LM head) are ignored; a missing one is an
// hf::ModelError naming it.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "hf/export.h"
#include "hf/hub.h"
#include "hf/tensor.h"

namespace hf {

// config.json of an encoder, with transformers' names and per-family defaults.
struct HF_API EncoderConfig {
  std::string model_type;                  // bert, distilbert, roberta, xlm-roberta, camembert
  std::vector<std::string> architectures;  // e.g. ["BertForMaskedLM"]
  int64_t vocab_size = 0, hidden_size = 0, num_hidden_layers = 0, num_attention_heads = 0;
  int64_t intermediate_size = 0, max_position_embeddings = 0;
  int64_t type_vocab_size = 0;             // 0 = no token type embeddings (DistilBERT)
  double layer_norm_eps = 1e-12;
  std::string hidden_act = "gelu";
  int64_t pad_token_id = 0;
  // RoBERTa / XLM-R: position ids count from padding_idx + 1 and skip padding; BERT: 0..T-1.
  bool positions_from_padding = false;
  std::vector<std::string> id2label;       // by id; "LABEL_i" where config.json has none
  std::string problem_type;                // "", "regression", "single_label_classification", "multi_label_classification"
  int64_t num_labels() const { return static_cast<int64_t>(id2label.size()); }
  int64_t label_id(const std::string& label) const;  // label2id; -1 when absent

  static const std::vector<std::string>& supported_model_types();
  // Reads `path` (a folder's config.json or the file itself); hf::ConfigError naming the file and
  // key for a missing or ill-typed value or an unsupported model_type.
  static EncoderConfig from_file(const std::filesystem::path& path);
};

enum class EncoderHead { None, MaskedLM, SequenceClassification, TokenClassification, QuestionAnswering };

// One batch of sequences of equal length `seq` (pad shorter ones and mask them).
struct EncoderInput {
  int batch = 1, seq = 0;                      // seq = 0: input_ids.size() / batch
  std::span<const int32_t> input_ids;          // batch*seq
  std::span<const int32_t> token_type_ids{};   // batch*seq; empty = all 0
  std::span<const uint8_t> attention_mask{};   // batch*seq, 1 = token; empty = all 1
};

// What the head computes, all float32 (empty tensors for what this head does not give).
struct EncoderOutput {
  Tensor last_hidden_state;  // [batch, seq, hidden]
  Tensor pooler_output;      // [batch, hidden]: BERT's tanh pooler (AutoModel, when stored)
  Tensor logits;             // MaskedLM [batch, seq, vocab]; SequenceClassification [batch, labels];
                             // TokenClassification [batch, seq, labels]
  Tensor start_logits, end_logits;  // QuestionAnswering [batch, seq]
};

class EncoderModelImpl;

// A cheap-to-copy handle over a loaded model; forward() is const and thread-safe.
class HF_API EncoderModel {
 public:
  EncoderModel() = default;
  // Loads config.json + weights from a local folder with the given head.
  static EncoderModel load(const std::filesystem::path& dir, EncoderHead head);
  EncoderOutput forward(const EncoderInput& input) const;
  // One sequence: ids (and token types, empty = 0) → batch of 1.
  EncoderOutput operator()(std::span<const int32_t> input_ids, std::span<const int32_t> token_type_ids = {}) const;
  const EncoderConfig& config() const;
  EncoderHead head() const;

 private:
  std::shared_ptr<const EncoderModelImpl> impl_;
};

// transformers' Auto classes: name_or_path is a local folder or a Hub id.
struct HF_API AutoModel {
  static EncoderModel from_pretrained(const std::string& name_or_path, const HubOptions& hub = {});
};
struct HF_API AutoModelForMaskedLM {
  static EncoderModel from_pretrained(const std::string& name_or_path, const HubOptions& hub = {});
};
struct HF_API AutoModelForSequenceClassification {
  static EncoderModel from_pretrained(const std::string& name_or_path, const HubOptions& hub = {});
};
struct HF_API AutoModelForTokenClassification {
  static EncoderModel from_pretrained(const std::string& name_or_path, const HubOptions& hub = {});
};
struct HF_API AutoModelForQuestionAnswering {
  static EncoderModel from_pretrained(const std::string& name_or_path, const HubOptions& hub = {});
};

}  // namespace hf
