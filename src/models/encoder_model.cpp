#include "models/encoder_model.h"

#include <algorithm>
#include <cmath>

#include "hf/error.h"
#include "kernels/kernels.h"

namespace hf {

EncoderNames EncoderNames::for_config(const EncoderConfig& c) {
  if (c.model_type == "distilbert")
    return {"transformer.layer.", "attention.q_lin", "attention.k_lin", "attention.v_lin", "attention.out_lin",
            "sa_layer_norm", "ffn.lin1", "ffn.lin2", "output_layer_norm"};
  return {"encoder.layer.",      "attention.self.query", "attention.self.key", "attention.self.value",
          "attention.output.dense", "attention.output.LayerNorm", "intermediate.dense", "output.dense",
          "output.LayerNorm"};
}

Tensor EncoderModelImpl::bind(const std::string& name, std::vector<int64_t> shape) const {
  Tensor t = weights_->get(name);  // hf::ModelError naming the file and tensor when missing
  if (t.shape() != shape)
    throw ModelError(weights_->describe() + ": tensor '" + name + "' has shape " + t.shape_string() +
                     ", config.json implies " + Tensor(DType::F32, shape, nullptr, nullptr).shape_string());
  if (t.dtype() != DType::F32 && t.dtype() != DType::F16 && t.dtype() != DType::BF16)
    throw ModelError(weights_->describe() + ": tensor '" + name + "' has dtype " + dtype_name(t.dtype()) +
                     " (weights must be F32, F16 or BF16)");
  return t;
}

Dense EncoderModelImpl::bind_dense(const std::string& name, int64_t out, int64_t in, bool bias) const {
  Dense d{bind(name + ".weight", {out, in}), {}};
  if (bias) d.b = bind(name + ".bias", {out}).to_f32();
  return d;
}

LayerNorm EncoderModelImpl::bind_norm(const std::string& name) const {
  const int64_t H = config_.hidden_size;
  return {bind(name + ".weight", {H}).to_f32(), bind(name + ".bias", {H}).to_f32()};
}

EncoderModelImpl::EncoderModelImpl(EncoderConfig config, std::shared_ptr<const WeightSource> weights, EncoderHead head)
    : config_(std::move(config)), weights_(std::move(weights)), head_(head) {
  const EncoderConfig& c = config_;
  const int64_t H = c.hidden_size, I = c.intermediate_size;
  // The base model's prefix is whatever precedes its word embeddings: "bert." under a head,
  // "" in a saved base model (sentence-transformers folders).
  const std::string suffix = "embeddings.word_embeddings.weight";
  bool found = false;
  for (const std::string& n : weights_->names())
    if (n.size() >= suffix.size() && n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0) {
      prefix_ = n.substr(0, n.size() - suffix.size());
      found = true;
      break;
    }
  if (!found) throw ModelError(weights_->describe() + ": no tensor '*" + suffix + "' (not a " + c.model_type + " checkpoint?)");
  const std::string e = prefix_ + "embeddings.";
  word_ = bind(e + "word_embeddings.weight", {c.vocab_size, H});
  position_ = bind(e + "position_embeddings.weight", {c.max_position_embeddings, H});
  if (c.type_vocab_size > 0) token_type_ = bind(e + "token_type_embeddings.weight", {c.type_vocab_size, H});
  embedding_norm_ = bind_norm(e + "LayerNorm");
  const EncoderNames names = EncoderNames::for_config(c);
  for (int64_t l = 0; l < c.num_hidden_layers; ++l) {
    const std::string p = prefix_ + names.layers + std::to_string(l) + ".";
    layers_.push_back(Layer{bind_dense(p + names.q, H, H), bind_dense(p + names.k, H, H), bind_dense(p + names.v, H, H),
                            bind_dense(p + names.o, H, H), bind_dense(p + names.up, I, H), bind_dense(p + names.down, H, I),
                            bind_norm(p + names.attention_norm), bind_norm(p + names.output_norm)});
  }
  bind_head();
}

void EncoderModelImpl::activation(const std::string& act, float* x, int64_t n) const {
  if (act == "gelu") kernels::gelu(x, n);
  else if (act == "relu") kernels::relu(x, n);
  else if (act == "silu" || act == "swish") kernels::silu(x, n);
  else if (act == "tanh") std::transform(x, x + n, x, [](float v) { return std::tanh(v); });
  else kernels::gelu_tanh(x, n);  // gelu_new, gelu_pytorch_tanh
}

void EncoderModelImpl::dense(const Dense& d, const float* x, int64_t rows, float* y) const {
  kernels::matmul(x, rows, d.W.dim(1), d.W, d.b.empty() ? nullptr : d.b.data(), y);
}

void EncoderModelImpl::layer_norm(const LayerNorm& n, float* x, int64_t rows) const {
  kernels::layer_norm(x, n.w.data(), n.b.data(), static_cast<float>(config_.layer_norm_eps), rows, config_.hidden_size, x);
}

std::vector<float> EncoderModelImpl::encode(const EncoderInput& in, int64_t S) const {
  const EncoderConfig& c = config_;
  const int64_t B = in.batch, N = B * S, H = c.hidden_size, I = c.intermediate_size;
  const int64_t nH = c.num_attention_heads, hd = H / nH;

  // Embeddings. RoBERTa's create_position_ids_from_input_ids: real tokens count from
  // padding_idx + 1, padding tokens sit at padding_idx.
  std::vector<int32_t> positions(N);
  for (int64_t b = 0; b < B; ++b) {
    int32_t seen = 0;
    for (int64_t s = 0; s < S; ++s) {
      const int64_t i = b * S + s;
      if (!c.positions_from_padding) positions[i] = static_cast<int32_t>(s);
      else if (in.input_ids[i] == c.pad_token_id) positions[i] = static_cast<int32_t>(c.pad_token_id);
      else positions[i] = static_cast<int32_t>(c.pad_token_id + ++seen);
    }
  }
  const int32_t max_pos = *std::max_element(positions.begin(), positions.end());
  if (max_pos >= c.max_position_embeddings)
    throw InputError("encoder: the input has " + std::to_string(S) + " tokens, more than the model's " +
                     std::to_string(c.max_position_embeddings - (c.positions_from_padding ? c.pad_token_id + 1 : 0)) +
                     " positions (max_position_embeddings); truncate it");
  std::vector<float> x(N * H), t(N * H);
  kernels::embedding(word_, in.input_ids.data(), N, x.data());
  kernels::embedding(position_, positions.data(), N, t.data());
  kernels::add(x.data(), t.data(), x.data(), N * H);
  if (config_.type_vocab_size > 0) {
    std::vector<int32_t> types(N, 0);
    if (!in.token_type_ids.empty()) types.assign(in.token_type_ids.begin(), in.token_type_ids.end());
    kernels::embedding(token_type_, types.data(), N, t.data());
    kernels::add(x.data(), t.data(), x.data(), N * H);
  }
  layer_norm(embedding_norm_, x.data(), N);

  std::vector<float> q(N * H), k(N * H), v(N * H), att(N * H), inter(N * I);
  for (const Layer& W : layers_) {
    const kernels::MatmulOutput qkv[] = {{&W.q.W, W.q.b.data(), q.data()}, {&W.k.W, W.k.b.data(), k.data()},
                                         {&W.v.W, W.v.b.data(), v.data()}};
    kernels::matmul_group(x.data(), N, H, qkv);
    for (int64_t b = 0; b < B; ++b) {
      kernels::AttentionArgs a;
      a.q = q.data() + b * S * H;
      a.q_stride = H;
      a.k = k.data() + b * S * H;
      a.v = v.data() + b * S * H;
      a.kv_head_stride = hd;
      a.kv_pos_stride = H;
      a.out = att.data() + b * S * H;
      a.out_stride = H;
      a.T = a.L = S;
      a.n_heads = a.n_kv_heads = static_cast<int>(nH);
      a.head_dim = static_cast<int>(hd);
      a.scale = static_cast<float>(1.0 / std::sqrt(double(hd)));
      a.causal = false;
      a.key_mask = in.attention_mask.empty() ? nullptr : in.attention_mask.data() + b * S;
      kernels::attention(a);
    }
    dense(W.o, att.data(), N, t.data());
    kernels::add(x.data(), t.data(), x.data(), N * H);
    layer_norm(W.attention_norm, x.data(), N);
    dense(W.up, x.data(), N, inter.data());
    activation(c.hidden_act, inter.data(), N * I);
    dense(W.down, inter.data(), N, t.data());
    kernels::add(x.data(), t.data(), x.data(), N * H);
    layer_norm(W.output_norm, x.data(), N);
  }
  return x;
}

EncoderOutput EncoderModelImpl::forward(const EncoderInput& in) const {
  if (in.batch < 1) throw InputError("encoder: batch must be at least 1");
  const int64_t S = in.seq > 0 ? in.seq : static_cast<int64_t>(in.input_ids.size()) / in.batch;
  const int64_t N = in.batch * S;
  if (S < 1) throw InputError("encoder: no tokens (an encoder needs at least one, e.g. [CLS])");
  if (static_cast<int64_t>(in.input_ids.size()) != N)
    throw InputError("encoder: input_ids has " + std::to_string(in.input_ids.size()) + " ids, batch × seq = " + std::to_string(N));
  if (!in.token_type_ids.empty() && static_cast<int64_t>(in.token_type_ids.size()) != N)
    throw InputError("encoder: token_type_ids has " + std::to_string(in.token_type_ids.size()) + " entries, batch × seq = " + std::to_string(N));
  if (!in.attention_mask.empty() && static_cast<int64_t>(in.attention_mask.size()) != N)
    throw InputError("encoder: attention_mask has " + std::to_string(in.attention_mask.size()) + " entries, batch × seq = " + std::to_string(N));
  // A model without token types (DistilBERT) ignores them, as its tokenizer never makes them.
  if (config_.type_vocab_size > 0)
    for (int32_t t : in.token_type_ids)
      if (t < 0 || t >= config_.type_vocab_size)
        throw InputError("encoder: token type id " + std::to_string(t) + " is outside [0, " +
                         std::to_string(config_.type_vocab_size) + ")");
  const std::vector<float> hidden = encode(in, S);
  EncoderOutput out;
  out.last_hidden_state = Tensor::zeros(DType::F32, {in.batch, S, config_.hidden_size});
  std::copy(hidden.begin(), hidden.end(), out.last_hidden_state.mutable_data_as<float>());
  apply_head(in, S, hidden, out);
  return out;
}

}  // namespace hf
