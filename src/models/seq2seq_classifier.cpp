// BartForSequenceClassification (modeling_bart.py): the encoder–decoder body run once over the
// input, the decoder fed the input shifted right, and the classification head on the decoder
// state at the last eos token of each row.
#include <cmath>

#include "core/json.h"
#include "hf/error.h"
#include "hf/seq2seq_classification.h"
#include "io/model_weights.h"
#include "kernels/kernels.h"
#include "models/encoder_decoder.h"
#include "models/encoder_decoder_state.h"

namespace hf {

class Seq2SeqClassifierImpl {
 public:
  Seq2SeqClassifierImpl(EncoderDecoderConfig config, const WeightSource& w)
      : body_(std::move(config), w, EncoderDecoder::base_prefix(w)) {
    const EncoderDecoderConfig& c = body_.config();
    const int64_t d = c.d_model, labels = static_cast<int64_t>(c.id2label.size());
    int64_t bytes = 0, params = 0;
    auto bind = [&](const std::string& name, int64_t out, int64_t in) {
      return EncoderDecoder::Linear{EncoderDecoder::bind_matrix(w, c.model_type, name + ".weight", out, in, bytes, params),
                                    EncoderDecoder::bind_vector(w, c.model_type, name + ".bias", out, bytes, params)};
    };
    dense_ = bind("classification_head.dense", d, d);  // BartClassificationHead: inner_dim = d_model
    out_proj_ = bind("classification_head.out_proj", labels, d);
    // What the encoder models report, so that a pipeline reads labels the same way for both.
    encoder_config_.model_type = c.model_type;
    encoder_config_.architectures = c.architectures;
    encoder_config_.vocab_size = c.vocab_size;
    encoder_config_.hidden_size = d;
    encoder_config_.num_hidden_layers = c.encoder_layers;
    encoder_config_.num_attention_heads = c.encoder_attention_heads;
    encoder_config_.intermediate_size = c.encoder_ffn_dim;
    encoder_config_.max_position_embeddings = c.max_position_embeddings;
    encoder_config_.hidden_act = c.activation_function;
    encoder_config_.pad_token_id = c.pad_token_id;
    encoder_config_.id2label = c.id2label;
  }

  const EncoderConfig& config() const { return encoder_config_; }

  EncoderOutput forward(const EncoderInput& in) const {
    const EncoderDecoderConfig& c = body_.config();
    const int batch = in.batch;
    const int seq = in.seq > 0 ? in.seq : (batch > 0 ? static_cast<int>(in.input_ids.size() / batch) : 0);
    if (batch <= 0 || seq <= 0 || static_cast<int64_t>(in.input_ids.size()) != static_cast<int64_t>(batch) * seq)
      throw InputError(c.model_type + " sequence classification: input_ids must hold batch × sequence length ids");
    // eos_mask = input_ids == eos_token_id; every row must have as many eos tokens (padding is
    // never eos), and the representation is the decoder state at the row's last one.
    std::vector<int64_t> last_eos(batch, -1);
    int64_t eos_count = -1;
    for (int b = 0; b < batch; ++b) {
      int64_t count = 0;
      for (int t = 0; t < seq; ++t)
        if (in.input_ids[b * seq + t] == c.eos_token_id) ++count, last_eos[b] = t;
      if (eos_count >= 0 && count != eos_count)
        throw InputError("All examples must have the same number of <eos> tokens.");
      eos_count = count;
    }
    if (eos_count == 0)
      throw InputError(c.model_type + " sequence classification: the input has no <eos> token (id " +
                       std::to_string(c.eos_token_id) + ") to classify from");

    // shift_tokens_right: decoder_start_token_id, then input_ids[:-1] (pads included); the decoder
    // gets no padding mask, only the causal one.
    std::vector<int32_t> decoder_ids(static_cast<size_t>(batch) * seq);
    for (int b = 0; b < batch; ++b) {
      decoder_ids[b * seq] = c.decoder_start_token_id;
      for (int t = 1; t < seq; ++t) decoder_ids[b * seq + t] = in.input_ids[b * seq + t - 1];
    }
    auto state = body_.encode(batch, seq, in.input_ids, in.attention_mask, 1, seq);
    std::vector<float> hidden;  // [seq][batch][d]
    body_.decode(decoder_ids, seq, *state, hidden);

    const int64_t d = c.d_model, labels = out_proj_.weight.dim(0);
    std::vector<float> rep(batch * d), h(batch * d);
    for (int b = 0; b < batch; ++b)
      std::copy_n(hidden.data() + (last_eos[b] * batch + b) * d, d, rep.data() + b * d);
    kernels::matmul(rep.data(), batch, d, dense_.weight, dense_.bias.data(), h.data());
    for (float& x : h) x = std::tanh(x);
    EncoderOutput out;
    out.logits = Tensor::zeros(DType::F32, {batch, labels});
    kernels::matmul(h.data(), batch, d, out_proj_.weight, out_proj_.bias.data(), out.logits.mutable_data_as<float>());
    return out;
  }

 private:
  EncoderDecoder body_;
  EncoderDecoder::Linear dense_, out_proj_;
  EncoderConfig encoder_config_;
};

Seq2SeqForSequenceClassification Seq2SeqForSequenceClassification::load(const std::filesystem::path& dir) {
  if (!std::filesystem::is_directory(dir)) throw FileError(dir.string() + ": not a model folder");
  EncoderDecoderConfig config = EncoderDecoderConfig::from_file(dir / "config.json");
  if (config.naming != EncoderDecoderConfig::Naming::Bart)
    throw ConfigError((dir / "config.json").string() + ": model_type '" + config.model_type +
                      "' has no sequence-classification head in hfcpp (supported: bart, mbart)");
  const std::unique_ptr<WeightSource> weights = open_model_weights(dir);
  Seq2SeqForSequenceClassification m;
  m.impl_ = std::make_shared<const Seq2SeqClassifierImpl>(std::move(config), *weights);
  return m;
}

Seq2SeqForSequenceClassification Seq2SeqForSequenceClassification::from_pretrained(const std::string& name,
                                                                                   const HubOptions& hub) {
  return load(resolve_model(name, hub));
}

bool Seq2SeqForSequenceClassification::handles(const std::filesystem::path& dir) {
  try {
    const json j = read_json_file(dir / "config.json");
    if (!j.is_object() || !j.contains("model_type") || !j["model_type"].is_string()) return false;
    const std::string type = j["model_type"].get<std::string>();
    return type == "bart" || type == "mbart";
  } catch (const Error&) {
    return false;
  }
}

EncoderOutput Seq2SeqForSequenceClassification::forward(const EncoderInput& input) const {
  if (!impl_) throw InputError("Seq2SeqForSequenceClassification: empty model (load it first)");
  return impl_->forward(input);
}

EncoderOutput Seq2SeqForSequenceClassification::operator()(std::span<const int32_t> input_ids) const {
  return forward({.batch = 1, .seq = static_cast<int>(input_ids.size()), .input_ids = input_ids});
}

const EncoderConfig& Seq2SeqForSequenceClassification::config() const {
  if (!impl_) throw InputError("Seq2SeqForSequenceClassification: empty model (load it first)");
  return impl_->config();
}

}  // namespace hf
