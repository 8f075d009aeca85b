#include "models/encoder_decoder.h"

#include <cmath>

#include "hf/error.h"
#include "io/model_weights.h"
#include "kernels/kernels.h"
#include "models/encoder_decoder_state.h"

namespace hf {
namespace {

namespace fs = std::filesystem;
using Config = EncoderDecoderConfig;

// Where one layer keeps its tensors: BART's names (self_attn.q_proj ... fc1, fc2) or T5's
// (layer.0.SelfAttention.q ... layer.N.DenseReluDense.wi/wo).
struct LayerNames {
  std::string self, self_norm, cross, cross_norm, fc1, gate, fc2, final_norm;
  std::string q, k, v, o;
};

LayerNames layer_names(const Config& c, const std::string& stack, int64_t i, bool decoder) {
  LayerNames n;
  if (c.naming == Config::Naming::T5) {
    const std::string b = stack + "block." + std::to_string(i) + ".layer.";
    const std::string f = b + (decoder ? "2" : "1");
    n = {b + "0.SelfAttention", b + "0.layer_norm", b + "1.EncDecAttention", b + "1.layer_norm",
         f + (c.gated_ffn ? ".DenseReluDense.wi_0" : ".DenseReluDense.wi"), f + ".DenseReluDense.wi_1",
         f + ".DenseReluDense.wo", f + ".layer_norm", ".q", ".k", ".v", ".o"};
  } else {
    const std::string b = stack + "layers." + std::to_string(i) + ".";
    n = {b + "self_attn", b + "self_attn_layer_norm", b + "encoder_attn", b + "encoder_attn_layer_norm",
         b + "fc1", "", b + "fc2", b + "final_layer_norm", ".q_proj", ".k_proj", ".v_proj", ".out_proj"};
  }
  return n;
}

class WeightBinder {
 public:
  WeightBinder(const WeightSource& w, const Config& c, int64_t& bytes, int64_t& params)
      : w_(w), c_(c), bytes_(bytes), params_(params) {}

  Tensor matrix(const std::string& name, int64_t rows, int64_t cols) {
    return EncoderDecoder::bind_matrix(w_, c_.model_type, name, rows, cols, bytes_, params_);
  }
  std::vector<float> vector(const std::string& name, int64_t n) {
    return EncoderDecoder::bind_vector(w_, c_.model_type, name, n, bytes_, params_);
  }
  EncoderDecoder::Linear linear(const std::string& prefix, int64_t out, int64_t in) {
    return {matrix(prefix + ".weight", out, in), c_.attention_bias ? vector(prefix + ".bias", out) : std::vector<float>{}};
  }
  EncoderDecoder::Norm norm(const std::string& prefix, int64_t d) {
    return {vector(prefix + ".weight", d), c_.rms_norm ? std::vector<float>{} : vector(prefix + ".bias", d)};
  }
  EncoderDecoder::Attention attention(const std::string& p, const LayerNames& n, int64_t d, int64_t inner) {
    return {linear(p + n.q, inner, d), linear(p + n.k, inner, d), linear(p + n.v, inner, d), linear(p + n.o, d, inner)};
  }
  bool has(const std::string& name) const { return w_.has(name); }

 private:
  const WeightSource& w_;
  const Config& c_;
  int64_t& bytes_;
  int64_t& params_;
};

// Multi-head attention of T queries (heads side by side, `q_stride` floats between queries) over
// L keys/values `kv_stride` floats apart; the output is laid out like the queries. `mask` (L
// entries, 0 = padding) and `bias` ([heads][T][L]) may be null.
void attend(const float* q, int64_t q_stride, const float* k, const float* v, int64_t kv_stride, float* out, int64_t T,
            int64_t L, int heads, int64_t head_dim, bool scale, bool causal, const uint8_t* mask, const float* bias) {
  kernels::AttentionArgs a;
  a.q = q;
  a.k = k;
  a.v = v;
  a.out = out;
  a.q_stride = a.out_stride = q_stride;
  a.kv_pos_stride = kv_stride;
  a.kv_head_stride = head_dim;
  a.T = T;
  a.L = L;
  a.n_heads = a.n_kv_heads = heads;
  a.head_dim = static_cast<int>(head_dim);
  a.scale = scale ? 1.0f / std::sqrt(static_cast<float>(head_dim)) : 1.0f;
  a.causal = causal;
  a.key_mask = mask;
  a.bias = bias;
  a.bias_head_stride = T * L;
  a.bias_row_stride = L;
  kernels::attention(a);
}

void activate(const std::string& act, float* x, int64_t n) {
  if (act == "swish" || act == "silu") kernels::silu(x, n);
  else if (act == "gelu") kernels::gelu(x, n);
  else if (act == "relu") kernels::relu(x, n);
  else kernels::gelu_tanh(x, n);  // gelu_new, gelu_pytorch_tanh (the config checked the name)
}

void linear(const EncoderDecoder::Linear& l, const float* x, int64_t rows, float* y) {
  kernels::matmul(x, rows, l.weight.dim(1), l.weight, l.bias.empty() ? nullptr : l.bias.data(), y);
}

}  // namespace

std::vector<float> marian_sinusoidal_positions(int64_t n_positions, int64_t dim) {
  std::vector<float> table(n_positions * dim);
  const int64_t sentinel = (dim + 1) / 2;
  for (int64_t p = 0; p < n_positions; ++p)
    for (int64_t j = 0; j < dim; ++j) {
      const int64_t i = j < sentinel ? j : j - sentinel;
      const double angle = static_cast<double>(p) / std::pow(10000.0, 2.0 * static_cast<double>(i) / dim);
      table[p * dim + j] = static_cast<float>(j < sentinel ? std::sin(angle) : std::cos(angle));
    }
  return table;
}

int64_t t5_relative_position_bucket(int64_t relative_position, bool bidirectional, int64_t num_buckets,
                                    int64_t max_distance) {
  int64_t bucket = 0, n = num_buckets, rel = relative_position;
  if (bidirectional) {
    n /= 2;
    if (rel > 0) bucket += n;
    rel = std::abs(rel);
  } else {
    rel = -std::min<int64_t>(rel, 0);
  }
  const int64_t max_exact = n / 2;
  if (rel < max_exact) return bucket + rel;
  const float log_ratio = std::log(static_cast<float>(rel) / static_cast<float>(max_exact)) /
                          static_cast<float>(std::log(static_cast<double>(max_distance) / static_cast<double>(max_exact)));
  const int64_t large = max_exact + static_cast<int64_t>(log_ratio * static_cast<float>(n - max_exact));
  return bucket + std::min(large, n - 1);
}

Tensor EncoderDecoder::bind_matrix(const WeightSource& w, const std::string& family, const std::string& name,
                                   int64_t rows, int64_t cols, int64_t& bytes, int64_t& params) {
  if (!w.has(name))
    throw ModelError(w.describe() + ": tensor '" + name + "' is missing (not a " + family + " checkpoint?)");
  Tensor t = w.get(name);
  if (t.ndim() != 2 || t.dim(0) != rows || t.dim(1) != cols ||
      (t.dtype() != DType::F32 && t.dtype() != DType::F16 && t.dtype() != DType::BF16))
    throw ModelError(w.describe() + ": tensor '" + name + "' is " + t.shape_string() + " " + dtype_name(t.dtype()) +
                     ", expected [" + std::to_string(rows) + ", " + std::to_string(cols) + "] F32/F16/BF16");
  bytes += static_cast<int64_t>(t.nbytes());
  params += t.numel();
  return t;
}

std::vector<float> EncoderDecoder::bind_vector(const WeightSource& w, const std::string& family,
                                               const std::string& name, int64_t n, int64_t& bytes, int64_t& params) {
  if (!w.has(name))
    throw ModelError(w.describe() + ": tensor '" + name + "' is missing (not a " + family + " checkpoint?)");
  Tensor t = w.get(name);
  if (t.numel() != n)
    throw ModelError(w.describe() + ": tensor '" + name + "' is " + t.shape_string() + ", expected " +
                     std::to_string(n) + " values");
  bytes += static_cast<int64_t>(t.nbytes());
  params += t.numel();
  return t.to_f32();
}

std::string EncoderDecoder::base_prefix(const WeightSource& weights) {
  for (const std::string& name : weights.names())
    if (name.rfind("model.", 0) == 0) return "model.";
  return "";
}

EncoderDecoder::EncoderDecoder(EncoderDecoderConfig config, const WeightSource& weights, const std::string& prefix)
    : config_(std::move(config)) {
  const Config& c = config_;
  const int64_t d = c.d_model;
  WeightBinder w(weights, c, weight_bytes, num_parameters);
  // Embeddings: one shared matrix unless the config separates encoder and decoder vocabularies.
  // Stored encoder/decoder embed_tokens are tied copies of it, as transformers ties them.
  const std::string shared_name = w.has(prefix + "shared.weight") ? prefix + "shared.weight" : prefix + "encoder.embed_tokens.weight";
  encoder_.embed = decoder_.embed = w.matrix(shared_name, c.vocab_size, d);
  if (!c.share_encoder_decoder_embeddings) {
    if (w.has(prefix + "encoder.embed_tokens.weight"))
      encoder_.embed = w.matrix(prefix + "encoder.embed_tokens.weight", c.vocab_size, d);
    decoder_.embed = w.matrix(prefix + "decoder.embed_tokens.weight", c.decoder_vocab_size, d);
  } else if (c.decoder_vocab_size != c.vocab_size) {
    throw ModelError(weights.describe() + ": decoder_vocab_size differs from vocab_size but the embeddings are shared");
  }
  decoder_embed_ = decoder_.embed;

  auto stack = [&](Stack& s, const std::string& name, int64_t n_layers, int64_t heads, int64_t head_dim, int64_t ffn,
                   bool decoder) {
    const std::string p = prefix + name + ".";
    s.heads = static_cast<int>(heads);
    s.head_dim = head_dim;
    const int64_t inner = heads * head_dim;
    if (c.positions == Config::Positions::Learned) {
      s.positions = w.vector(p + "embed_positions.weight", (c.max_position_embeddings + c.position_offset) * d);
    } else if (c.positions == Config::Positions::Sinusoidal) {
      // Sinusoidal tables are not saved by save_pretrained; old conversions store them (identical).
      s.positions = w.has(p + "embed_positions.weight")
                        ? w.vector(p + "embed_positions.weight", c.max_position_embeddings * d)
                        : marian_sinusoidal_positions(c.max_position_embeddings, d);
    } else {  // the table lives in block 0 only; every layer of the stack reuses its bias
      s.relative_bias = w.vector(p + "block.0.layer.0.SelfAttention.relative_attention_bias.weight",
                                 c.relative_attention_num_buckets * heads);
    }
    if (c.layernorm_embedding) s.embedding_norm = w.norm(p + "layernorm_embedding", d);
    if (c.final_layer_norm) s.final_norm = w.norm(p + (c.naming == Config::Naming::T5 ? "final_layer_norm" : "layer_norm"), d);
    for (int64_t i = 0; i < n_layers; ++i) {
      const LayerNames n = layer_names(c, p, i, decoder);
      Layer l;
      l.self = w.attention(n.self, n, d, inner);
      l.self_norm = w.norm(n.self_norm, d);
      if (decoder) {
        l.cross = w.attention(n.cross, n, d, inner);
        l.cross_norm = w.norm(n.cross_norm, d);
      }
      l.fc1 = w.linear(n.fc1, ffn, d);
      if (c.gated_ffn) l.gate = w.linear(n.gate, ffn, d);
      l.fc2 = w.linear(n.fc2, d, ffn);
      l.final_norm = w.norm(n.final_norm, d);
      s.layers.push_back(std::move(l));
    }
  };
  stack(encoder_, "encoder", c.encoder_layers, c.encoder_attention_heads, c.encoder_head_dim, c.encoder_ffn_dim, false);
  stack(decoder_, "decoder", c.decoder_layers, c.decoder_attention_heads, c.decoder_head_dim, c.decoder_ffn_dim, true);
}

void EncoderDecoder::norm(const Norm& n, const float* x, int64_t rows, float* y) const {
  if (n.bias.empty()) kernels::rms_norm(x, n.weight.data(), static_cast<float>(config_.norm_eps), rows, config_.d_model, y);
  else kernels::layer_norm(x, n.weight.data(), n.bias.data(), static_cast<float>(config_.norm_eps), rows, config_.d_model, y);
}

// One residual block over `rows` rows of h: pre-norm h += f(norm(h)), post-norm h = norm(h + f(h)).
template <class F>
void EncoderDecoder::residual(float* h, int64_t rows, const Norm& n, F&& f) const {
  const int64_t size = rows * config_.d_model;
  std::vector<float> in, delta(size);
  if (config_.pre_norm) {
    in.resize(size);
    norm(n, h, rows, in.data());
    f(in.data(), delta.data());
    kernels::add(h, delta.data(), h, size);
  } else {
    f(h, delta.data());
    kernels::add(h, delta.data(), h, size);
    norm(n, h, rows, h);
  }
}

void EncoderDecoder::ffn(const Layer& layer, const float* x, int64_t rows, float* out) const {
  const int64_t n = rows * layer.fc1.weight.dim(0);
  std::vector<float> hidden(n);
  linear(layer.fc1, x, rows, hidden.data());
  activate(config_.activation_function, hidden.data(), n);
  if (config_.gated_ffn) {
    std::vector<float> gate(n);
    linear(layer.gate, x, rows, gate.data());
    kernels::mul(hidden.data(), gate.data(), hidden.data(), n);
  }
  linear(layer.fc2, hidden.data(), rows, out);
}

void EncoderDecoder::embed(const Stack& s, std::span<const int32_t> ids, std::span<const int64_t> pos, float* out) const {
  const int64_t d = config_.d_model, n = static_cast<int64_t>(ids.size());
  kernels::embedding(s.embed, ids.data(), n, out);
  if (config_.scale_embedding) kernels::scale(out, std::sqrt(static_cast<float>(d)), n * d);
  if (!s.positions.empty())
    for (int64_t i = 0; i < n; ++i)
      kernels::add(out + i * d, s.positions.data() + (pos[i] + config_.position_offset) * d, out + i * d, d);
  if (!s.embedding_norm.weight.empty()) norm(s.embedding_norm, out, n, out);
}

std::vector<float> EncoderDecoder::position_bias(const Stack& s, bool bidirectional, int64_t q0, int64_t T, int64_t L) const {
  if (s.relative_bias.empty()) return {};
  const int H = s.heads;
  std::vector<float> bias(static_cast<size_t>(H) * T * L);
  for (int64_t t = 0; t < T; ++t)
    for (int64_t j = 0; j < L; ++j) {
      const int64_t b = t5_relative_position_bucket(j - (q0 + t), bidirectional, config_.relative_attention_num_buckets,
                                                    config_.relative_attention_max_distance);
      for (int h = 0; h < H; ++h) bias[(h * T + t) * L + j] = s.relative_bias[b * H + h];
    }
  return bias;
}

std::unique_ptr<EncoderDecoderState> EncoderDecoder::encode(int batch, int seq, std::span<const int32_t> input_ids,
                                                            std::span<const uint8_t> attention_mask, int expand,
                                                            int64_t capacity) const {
  const Config& c = config_;
  const int64_t d = c.d_model, n = static_cast<int64_t>(batch) * seq;
  const std::string who = c.model_type + ".encode";
  if (batch <= 0 || seq <= 0 || expand <= 0 || capacity <= 0)
    throw InputError(who + ": batch, sequence length, expand and capacity must be positive");
  if (static_cast<int64_t>(input_ids.size()) != n || (!attention_mask.empty() && static_cast<int64_t>(attention_mask.size()) != n))
    throw InputError(who + ": input_ids / attention_mask sizes do not match batch × sequence length");
  if (c.max_position_embeddings > 0) {
    if (seq > c.max_position_embeddings)
      throw InputError(who + ": input of " + std::to_string(seq) + " tokens is longer than the model's " +
                       std::to_string(c.max_position_embeddings) + " positions (truncate the input)");
    capacity = std::min(capacity, c.max_position_embeddings);
  }

  auto state = std::make_unique<EncoderDecoderState>();
  state->batch = batch;
  state->seq = seq;
  state->inner = c.decoder_inner_dim();
  state->n_rows = batch * expand;
  state->capacity = capacity;
  state->mask.assign(attention_mask.begin(), attention_mask.end());
  if (state->mask.empty()) state->mask.assign(n, 1);

  std::vector<int64_t> pos(n);
  for (int64_t i = 0; i < n; ++i) pos[i] = i % seq;
  Tensor x_t = Tensor::zeros(DType::F32, {batch, seq, d});
  float* x = x_t.mutable_data_as<float>();
  embed(encoder_, input_ids, pos, x);

  const Stack& s = encoder_;
  const int64_t inner = s.heads * s.head_dim;
  const std::vector<float> bias = position_bias(s, true, 0, seq, seq);  // T5: bidirectional buckets
  std::vector<float> q(n * inner), k(n * inner), v(n * inner), ctx(n * inner);
  for (const Layer& layer : s.layers) {
    residual(x, n, layer.self_norm, [&](const float* h, float* out) {
      linear(layer.self.q, h, n, q.data());
      linear(layer.self.k, h, n, k.data());
      linear(layer.self.v, h, n, v.data());
      for (int b = 0; b < batch; ++b) {
        const int64_t off = static_cast<int64_t>(b) * seq * inner;
        attend(q.data() + off, inner, k.data() + off, v.data() + off, inner, ctx.data() + off, seq, seq, s.heads,
               s.head_dim, c.scale_attention, false, state->mask.data() + b * seq, bias.empty() ? nullptr : bias.data());
      }
      linear(layer.self.out, ctx.data(), n, out);
    });
    residual(x, n, layer.final_norm, [&](const float* h, float* out) { ffn(layer, h, n, out); });
  }
  if (!s.final_norm.weight.empty()) norm(s.final_norm, x, n, x);
  state->encoder_out = x_t;

  for (const Layer& layer : decoder_.layers) {  // cross-attention keys/values, once per input
    state->cross_k.emplace_back(n * state->inner);
    state->cross_v.emplace_back(n * state->inner);
    linear(layer.cross.k, x, n, state->cross_k.back().data());
    linear(layer.cross.v, x, n, state->cross_v.back().data());
    state->self_k.emplace_back();
    state->self_v.emplace_back();
  }
  state->row_input.resize(state->n_rows);
  for (int r = 0; r < state->n_rows; ++r) state->row_input[r] = r / expand;
  return state;
}

void EncoderDecoder::decode(std::span<const int32_t> tokens, int64_t T, EncoderDecoderState& state,
                            std::vector<float>& hidden) const {
  const Config& c = config_;
  const Stack& s = decoder_;
  const int64_t d = c.d_model, rows = state.n_rows, t0 = state.len, S = state.seq, inner = state.inner;
  const int64_t n = rows * T;
  const std::string who = c.model_type + ".decode";
  if (T <= 0 || static_cast<int64_t>(tokens.size()) != n)
    throw InputError(who + ": " + std::to_string(tokens.size()) + " tokens for " + std::to_string(rows) + " rows × " +
                     std::to_string(T) + " positions");
  if (t0 + T > state.capacity)
    throw InputError(who + ": the decoder reached its capacity of " + std::to_string(state.capacity) + " positions" +
                     (c.max_position_embeddings > 0 ? " (max_position_embeddings " + std::to_string(c.max_position_embeddings) + ")" : ""));

  // Position-major ([position][row]) so that the new cache entries of a layer are one block.
  std::vector<int32_t> ids(n);
  std::vector<int64_t> pos(n);
  for (int64_t p = 0; p < T; ++p)
    for (int64_t r = 0; r < rows; ++r) {
      ids[p * rows + r] = tokens[r * T + p];
      pos[p * rows + r] = t0 + p;
    }
  hidden.assign(n * d, 0.0f);
  float* x = hidden.data();
  embed(s, ids, pos, x);

  const std::vector<float> bias = position_bias(s, false, t0, T, t0 + T);  // T5: causal buckets
  std::vector<float> q(n * inner), k(n * inner), v(n * inner), ctx(n * inner);
  for (size_t li = 0; li < s.layers.size(); ++li) {
    const Layer& layer = s.layers[li];
    // Causal self-attention over the cache (the new positions included).
    residual(x, n, layer.self_norm, [&](const float* h, float* out) {
      linear(layer.self.q, h, n, q.data());
      linear(layer.self.k, h, n, k.data());
      linear(layer.self.v, h, n, v.data());
      std::vector<float>& ck = state.self_k[li];
      std::vector<float>& cv = state.self_v[li];
      ck.insert(ck.end(), k.begin(), k.end());
      cv.insert(cv.end(), v.begin(), v.end());
      for (int64_t r = 0; r < rows; ++r)
        attend(q.data() + r * inner, rows * inner, ck.data() + r * inner, cv.data() + r * inner, rows * inner,
               ctx.data() + r * inner, T, t0 + T, s.heads, s.head_dim, c.scale_attention, true, nullptr,
               bias.empty() ? nullptr : bias.data());
      linear(layer.self.out, ctx.data(), n, out);
    });
    // Cross-attention over the encoder output of the row's input (padding keys masked, no bias).
    residual(x, n, layer.cross_norm, [&](const float* h, float* out) {
      linear(layer.cross.q, h, n, q.data());
      for (int64_t r = 0; r < rows; ++r) {
        const int64_t in = state.row_input[r];
        attend(q.data() + r * inner, rows * inner, state.cross_k[li].data() + in * S * inner,
               state.cross_v[li].data() + in * S * inner, inner, ctx.data() + r * inner, T, S, s.heads, s.head_dim,
               c.scale_attention, false, state.mask.data() + in * S, nullptr);
      }
      linear(layer.cross.out, ctx.data(), n, out);
    });
    residual(x, n, layer.final_norm, [&](const float* h, float* out) { ffn(layer, h, n, out); });
  }
  if (!s.final_norm.weight.empty()) norm(s.final_norm, x, n, x);
  state.len = t0 + T;
}

std::shared_ptr<const EncoderDecoderLM> EncoderDecoderLM::load(const fs::path& dir) {
  EncoderDecoderConfig config = EncoderDecoderConfig::from_file(dir / "config.json");
  const std::unique_ptr<WeightSource> weights = open_model_weights(dir);
  return std::make_shared<EncoderDecoderLM>(std::move(config), *weights, dir);
}

EncoderDecoderLM::EncoderDecoderLM(EncoderDecoderConfig config, const WeightSource& weights, fs::path dir)
    : body_(std::move(config), weights, EncoderDecoder::base_prefix(weights)), dir_(std::move(dir)) {
  const Config& c = body_.config();
  weight_bytes_ = body_.weight_bytes;
  num_parameters_ = body_.num_parameters;
  // A stored lm_head.weight is a tied copy when tie_word_embeddings holds: transformers ignores it.
  if (c.tie_word_embeddings) {
    lm_head_ = body_.decoder_embeddings();
    if (c.scale_tied_head) head_scale_ = static_cast<float>(std::pow(static_cast<double>(c.d_model), -0.5));
  } else {
    lm_head_ = EncoderDecoder::bind_matrix(weights, c.model_type, "lm_head.weight", c.decoder_vocab_size, c.d_model,
                                           weight_bytes_, num_parameters_);
  }
  final_logits_bias_ = weights.has("final_logits_bias")
                           ? EncoderDecoder::bind_vector(weights, c.model_type, "final_logits_bias", c.decoder_vocab_size,
                                                         weight_bytes_, num_parameters_)
                           : std::vector<float>(c.decoder_vocab_size, 0.0f);
}

std::unique_ptr<Seq2SeqState> EncoderDecoderLM::encode(int batch, int seq, std::span<const int32_t> input_ids,
                                                       std::span<const uint8_t> attention_mask, int expand,
                                                       int64_t capacity) const {
  return body_.encode(batch, seq, input_ids, attention_mask, expand, capacity);
}

Tensor EncoderDecoderLM::decode(std::span<const int32_t> tokens, Seq2SeqState& base) const {
  auto* state = dynamic_cast<EncoderDecoderState*>(&base);
  if (!state) throw InputError(model_type() + ".decode: the state was not made by this model's encode()");
  std::vector<float> hidden;
  body_.decode(tokens, 1, *state, hidden);
  const int64_t rows = state->n_rows, d = body_.config().d_model;
  if (head_scale_ != 1.0f) kernels::scale(hidden.data(), head_scale_, rows * d);
  Tensor logits = state->logits(rows, vocab_size());
  kernels::matmul(hidden.data(), rows, d, lm_head_, final_logits_bias_.data(), logits.mutable_data_as<float>());
  return logits;
}

}  // namespace hf
