#include "models/marian.h"

#include <cmath>
#include <cstring>

#include "hf/error.h"
#include "io/model_weights.h"
#include "kernels/kernels.h"

namespace hf {
namespace {

namespace fs = std::filesystem;
constexpr float kLayerNormEps = 1e-5f;

// Encoder output, cross-attention keys/values of every decoder layer (once per input, shared by
// that input's beams) and the decoder self-attention cache of every row.
class MarianState : public Seq2SeqState {
 public:
  int batch = 0, seq = 0, n_rows = 0;
  int64_t capacity = 0, len = 0, d = 0;
  Tensor encoder_out;                              // [batch, seq, d]
  std::vector<uint8_t> mask;                       // [batch, seq]
  std::vector<std::vector<float>> cross_k, cross_v;  // per decoder layer [batch, seq, d]
  // Per decoder layer, laid out [position][row][d]: a step appends one block (no capacity is
  // reserved up front: max_length is often 512 while translations stop after a few dozen tokens).
  std::vector<std::vector<float>> self_k, self_v;
  std::vector<int32_t> row_input;                  // input row of each decoder row

  int rows() const override { return n_rows; }
  int64_t length() const override { return len; }
  const Tensor& encoder_last_hidden_state() const override { return encoder_out; }

  void reorder(std::span<const int32_t> rows) override {
    bool identity = static_cast<int>(rows.size()) == n_rows;
    for (size_t i = 0; i < rows.size(); ++i) {
      if (rows[i] < 0 || rows[i] >= n_rows)
        throw InputError("Seq2SeqState.reorder: row " + std::to_string(rows[i]) + " out of range");
      identity = identity && rows[i] == static_cast<int32_t>(i);
    }
    if (identity) return;
    // In place, one position at a time through a block-sized buffer: the cache is the largest
    // allocation of beam search, and a second copy of it would double the peak memory. Blocks
    // move towards the front (or stay) when rows do not grow, so a block is read before anything
    // overwrites it; a growing row count takes a fresh buffer.
    const size_t new_rows = rows.size(), block = new_rows * d;
    block_buffer.resize(block);
    auto gather = [&](std::vector<float>& cache) {
      if (new_rows > static_cast<size_t>(n_rows)) {
        std::vector<float> out(static_cast<size_t>(len) * block);
        for (int64_t p = 0; p < len; ++p)
          for (size_t i = 0; i < new_rows; ++i)
            std::memcpy(out.data() + p * block + i * d, cache.data() + (p * n_rows + rows[i]) * d, d * sizeof(float));
        cache = std::move(out);
        return;
      }
      for (int64_t p = 0; p < len; ++p) {
        for (size_t i = 0; i < new_rows; ++i)
          std::memcpy(block_buffer.data() + i * d, cache.data() + (p * n_rows + rows[i]) * d, d * sizeof(float));
        std::memcpy(cache.data() + p * block, block_buffer.data(), block * sizeof(float));
      }
      cache.resize(static_cast<size_t>(len) * block);
    };
    for (size_t l = 0; l < self_k.size(); ++l) {
      gather(self_k[l]);
      gather(self_v[l]);
    }
    std::vector<int32_t> inputs(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) inputs[i] = row_input[rows[i]];
    row_input = std::move(inputs);
    n_rows = static_cast<int>(rows.size());
  }

  // The logits buffer of decode(), allocated once for the largest row count.
  Tensor logits(int64_t rows, int64_t vocab) {
    if (logits_buffer.empty() || logits_buffer.dim(0) < rows) logits_buffer = Tensor::zeros(DType::F32, {rows, vocab});
    return logits_buffer.rows(0, rows);
  }

 private:
  std::vector<float> block_buffer;
  Tensor logits_buffer;
};

class WeightBinder {
 public:
  WeightBinder(const WeightSource& w, int64_t& bytes, int64_t& params) : w_(w), bytes_(bytes), params_(params) {}

  Tensor matrix(const std::string& name, int64_t rows, int64_t cols) {
    Tensor t = get(name);
    if (t.ndim() != 2 || t.dim(0) != rows || t.dim(1) != cols ||
        (t.dtype() != DType::F32 && t.dtype() != DType::F16 && t.dtype() != DType::BF16))
      throw ModelError(w_.describe() + ": tensor '" + name + "' is " + t.shape_string() + " " + dtype_name(t.dtype()) +
                       ", expected [" + std::to_string(rows) + ", " + std::to_string(cols) + "] F32/F16/BF16");
    return t;
  }
  std::vector<float> vector(const std::string& name, int64_t n) {
    Tensor t = get(name);
    if (t.numel() != n)
      throw ModelError(w_.describe() + ": tensor '" + name + "' is " + t.shape_string() + ", expected " +
                       std::to_string(n) + " values");
    return t.to_f32();
  }
  MarianMTModel::Linear linear(const std::string& prefix, int64_t out, int64_t in) {
    return {matrix(prefix + ".weight", out, in), vector(prefix + ".bias", out)};
  }
  MarianMTModel::Norm norm(const std::string& prefix, int64_t d) {
    return {vector(prefix + ".weight", d), vector(prefix + ".bias", d)};
  }
  MarianMTModel::Attention attention(const std::string& prefix, int64_t d) {
    return {linear(prefix + ".q_proj", d, d), linear(prefix + ".k_proj", d, d), linear(prefix + ".v_proj", d, d),
            linear(prefix + ".out_proj", d, d)};
  }
  bool has(const std::string& name) const { return w_.has(name); }

 private:
  Tensor get(const std::string& name) {
    if (!w_.has(name))
      throw ModelError(w_.describe() + ": tensor '" + name + "' is missing (not a MarianMTModel checkpoint?)");
    Tensor t = w_.get(name);
    bytes_ += static_cast<int64_t>(t.nbytes());
    params_ += t.numel();
    return t;
  }
  const WeightSource& w_;
  int64_t& bytes_;
  int64_t& params_;
};

// Multi-head attention of T queries (rows of d, heads side by side) over L keys/values whose
// positions lie `kv_stride` floats apart; output laid out like the queries. `mask` (L entries,
// 0 = padding) may be null.
void attend(const float* q, const float* k, const float* v, float* out, int64_t T, int64_t L, int64_t d, int heads,
            bool causal, const uint8_t* mask, int64_t kv_stride) {
  kernels::AttentionArgs a;
  a.q = q;
  a.k = k;
  a.v = v;
  a.out = out;
  a.q_stride = a.out_stride = d;
  a.kv_pos_stride = kv_stride;
  a.kv_head_stride = d / heads;
  a.T = T;
  a.L = L;
  a.n_heads = a.n_kv_heads = heads;
  a.head_dim = static_cast<int>(d / heads);
  a.scale = 1.0f / std::sqrt(static_cast<float>(a.head_dim));
  a.causal = causal;
  a.key_mask = mask;
  kernels::attention(a);
}

void activate(const std::string& act, float* x, int64_t n) {
  if (act == "swish" || act == "silu") kernels::silu(x, n);
  else if (act == "gelu") kernels::gelu(x, n);
  else if (act == "relu") kernels::relu(x, n);
  else kernels::gelu_tanh(x, n);  // gelu_new, gelu_pytorch_tanh (the config checked the name)
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

std::shared_ptr<const MarianMTModel> MarianMTModel::load(const fs::path& dir) {
  MarianConfig config = MarianConfig::from_file(dir / "config.json");
  const std::unique_ptr<WeightSource> weights = open_model_weights(dir);
  return std::make_shared<MarianMTModel>(std::move(config), *weights, dir);
}

MarianMTModel::MarianMTModel(MarianConfig config, const WeightSource& weights, fs::path dir)
    : config_(std::move(config)), dir_(std::move(dir)) {
  const MarianConfig& c = config_;
  const int64_t d = c.d_model;
  WeightBinder w(weights, weight_bytes_, num_parameters_);
  // Embeddings: one shared matrix unless the config separates encoder and decoder vocabularies.
  Tensor shared = w.has("model.shared.weight") ? w.matrix("model.shared.weight", c.vocab_size, d)
                                               : w.matrix("model.encoder.embed_tokens.weight", c.vocab_size, d);
  encoder_embed_ = shared;
  decoder_embed_ = shared;
  if (!c.share_encoder_decoder_embeddings) {
    if (w.has("model.encoder.embed_tokens.weight"))
      encoder_embed_ = w.matrix("model.encoder.embed_tokens.weight", c.vocab_size, d);
    decoder_embed_ = w.matrix("model.decoder.embed_tokens.weight", c.decoder_vocab_size, d);
  } else if (c.decoder_vocab_size != c.vocab_size) {
    throw ModelError(weights.describe() + ": decoder_vocab_size differs from vocab_size but the embeddings are shared");
  }
  // A stored lm_head.weight is a tied copy when tie_word_embeddings holds: transformers ignores it.
  lm_head_ = c.tie_word_embeddings ? decoder_embed_ : w.matrix("lm_head.weight", c.decoder_vocab_size, d);
  final_logits_bias_ = w.has("final_logits_bias") ? w.vector("final_logits_bias", c.decoder_vocab_size)
                                                  : std::vector<float>(c.decoder_vocab_size, 0.0f);
  // Sinusoidal tables are not saved by save_pretrained; old conversions store them (identical).
  auto positions = [&](const std::string& name) {
    if (w.has(name)) return w.vector(name, c.max_position_embeddings * d);
    return marian_sinusoidal_positions(c.max_position_embeddings, d);
  };
  encoder_positions_ = positions("model.encoder.embed_positions.weight");
  decoder_positions_ = positions("model.decoder.embed_positions.weight");
  embed_scale_ = c.scale_embedding ? std::sqrt(static_cast<float>(d)) : 1.0f;

  // One encoder or decoder layer; decoder layers add cross-attention (encoder_attn).
  auto layer = [&](const std::string& p, int64_t ffn, bool cross) {
    Layer l;
    l.self = w.attention(p + ".self_attn", d);
    l.self_norm = w.norm(p + ".self_attn_layer_norm", d);
    if (cross) {
      l.cross = w.attention(p + ".encoder_attn", d);
      l.cross_norm = w.norm(p + ".encoder_attn_layer_norm", d);
    }
    l.fc1 = w.linear(p + ".fc1", ffn, d);
    l.fc2 = w.linear(p + ".fc2", d, ffn);
    l.final_norm = w.norm(p + ".final_layer_norm", d);
    return l;
  };
  for (int64_t i = 0; i < c.encoder_layers; ++i)
    encoder_.push_back(layer("model.encoder.layers." + std::to_string(i), c.encoder_ffn_dim, false));
  for (int64_t i = 0; i < c.decoder_layers; ++i)
    decoder_.push_back(layer("model.decoder.layers." + std::to_string(i), c.decoder_ffn_dim, true));
}

void MarianMTModel::run_linear(const Linear& l, const float* x, int64_t rows, float* y) const {
  kernels::matmul(x, rows, l.weight.dim(1), l.weight, l.bias.data(), y);
}

void MarianMTModel::residual_norm(float* x, const float* delta, const Norm& norm, int64_t rows) const {
  const int64_t d = config_.d_model;
  kernels::add(x, delta, x, rows * d);
  kernels::layer_norm(x, norm.weight.data(), norm.bias.data(), kLayerNormEps, rows, d, x);
}

void MarianMTModel::run_ffn(const Layer& layer, float* x, int64_t rows, std::vector<float>& hidden,
                           std::vector<float>& out) const {
  const int64_t ffn = layer.fc1.weight.dim(0), d = config_.d_model;
  hidden.resize(rows * ffn);
  out.resize(rows * d);
  run_linear(layer.fc1, x, rows, hidden.data());
  activate(config_.activation_function, hidden.data(), rows * ffn);
  run_linear(layer.fc2, hidden.data(), rows, out.data());
  residual_norm(x, out.data(), layer.final_norm, rows);
}

void MarianMTModel::embed(const Tensor& table, std::span<const int32_t> ids, const std::vector<float>& positions,
                          std::span<const int64_t> pos, float* out) const {
  const int64_t d = config_.d_model;
  kernels::embedding(table, ids.data(), static_cast<int64_t>(ids.size()), out);
  for (size_t i = 0; i < ids.size(); ++i) {
    float* row = out + i * d;
    const float* p = positions.data() + pos[i] * d;
    for (int64_t j = 0; j < d; ++j) row[j] = row[j] * embed_scale_ + p[j];
  }
}

std::unique_ptr<Seq2SeqState> MarianMTModel::encode(int batch, int seq, std::span<const int32_t> input_ids,
                                                    std::span<const uint8_t> attention_mask, int expand,
                                                    int64_t capacity) const {
  const MarianConfig& c = config_;
  const int64_t d = c.d_model, n = static_cast<int64_t>(batch) * seq;
  if (batch <= 0 || seq <= 0 || expand <= 0 || capacity <= 0)
    throw InputError("MarianMTModel.encode: batch, sequence length, expand and capacity must be positive");
  if (static_cast<int64_t>(input_ids.size()) != n || (!attention_mask.empty() && static_cast<int64_t>(attention_mask.size()) != n))
    throw InputError("MarianMTModel.encode: input_ids / attention_mask sizes do not match batch × sequence length");
  if (seq > c.max_position_embeddings)
    throw InputError("MarianMTModel.encode: input of " + std::to_string(seq) + " tokens is longer than the model's " +
                     std::to_string(c.max_position_embeddings) + " positions (truncate the input)");
  if (capacity > c.max_position_embeddings) capacity = c.max_position_embeddings;

  auto state = std::make_unique<MarianState>();
  state->batch = batch;
  state->seq = seq;
  state->d = d;
  state->n_rows = batch * expand;
  state->capacity = capacity;
  state->mask.assign(attention_mask.begin(), attention_mask.end());
  if (state->mask.empty()) state->mask.assign(n, 1);

  std::vector<int64_t> pos(n);
  for (int64_t i = 0; i < n; ++i) pos[i] = i % seq;
  Tensor x_t = Tensor::zeros(DType::F32, {batch, seq, d});
  float* x = x_t.mutable_data_as<float>();
  embed(encoder_embed_, input_ids, encoder_positions_, pos, x);

  const int heads = static_cast<int>(c.encoder_attention_heads);
  std::vector<float> q(n * d), k(n * d), v(n * d), ctx(n * d), o(n * d), hidden, out;
  for (const Layer& layer : encoder_) {
    run_linear(layer.self.q, x, n, q.data());
    run_linear(layer.self.k, x, n, k.data());
    run_linear(layer.self.v, x, n, v.data());
    for (int b = 0; b < batch; ++b) {
      const int64_t off = static_cast<int64_t>(b) * seq * d;
      attend(q.data() + off, k.data() + off, v.data() + off, ctx.data() + off, seq, seq, d, heads, false,
             state->mask.data() + b * seq, d);
    }
    run_linear(layer.self.out, ctx.data(), n, o.data());
    residual_norm(x, o.data(), layer.self_norm, n);
    run_ffn(layer, x, n, hidden, out);
  }
  state->encoder_out = x_t;

  for (const Layer& layer : decoder_) {  // cross-attention keys/values, once per input
    state->cross_k.emplace_back(n * d);
    state->cross_v.emplace_back(n * d);
    run_linear(layer.cross.k, x, n, state->cross_k.back().data());
    run_linear(layer.cross.v, x, n, state->cross_v.back().data());
    state->self_k.emplace_back();
    state->self_v.emplace_back();
  }
  state->row_input.resize(state->n_rows);
  for (int r = 0; r < state->n_rows; ++r) state->row_input[r] = r / expand;
  return state;
}

Tensor MarianMTModel::decode(std::span<const int32_t> tokens, Seq2SeqState& base) const {
  auto* state = dynamic_cast<MarianState*>(&base);
  if (!state) throw InputError("MarianMTModel.decode: the state was not made by this model's encode()");
  const MarianConfig& c = config_;
  const int64_t d = c.d_model, rows = state->n_rows, t = state->len, S = state->seq;
  if (static_cast<int64_t>(tokens.size()) != rows)
    throw InputError("MarianMTModel.decode: " + std::to_string(tokens.size()) + " tokens for " +
                     std::to_string(rows) + " rows");
  if (t >= state->capacity)
    throw InputError("MarianMTModel.decode: the decoder reached its capacity of " + std::to_string(state->capacity) +
                     " positions (max_position_embeddings " + std::to_string(c.max_position_embeddings) + ")");

  std::vector<float> x(rows * d), q(rows * d), k(rows * d), v(rows * d), ctx(rows * d), o(rows * d), hidden, out;
  std::vector<int64_t> pos(rows, t);
  embed(decoder_embed_, tokens, decoder_positions_, pos, x.data());

  const int heads = static_cast<int>(c.decoder_attention_heads);
  for (size_t li = 0; li < decoder_.size(); ++li) {
    const Layer& layer = decoder_[li];
    // Causal self-attention over the cache (the new position included).
    run_linear(layer.self.q, x.data(), rows, q.data());
    run_linear(layer.self.k, x.data(), rows, k.data());
    run_linear(layer.self.v, x.data(), rows, v.data());
    std::vector<float>& ck = state->self_k[li];
    std::vector<float>& cv = state->self_v[li];
    ck.insert(ck.end(), k.begin(), k.end());  // position t of every row
    cv.insert(cv.end(), v.begin(), v.end());
    for (int64_t r = 0; r < rows; ++r)
      attend(q.data() + r * d, ck.data() + r * d, cv.data() + r * d, ctx.data() + r * d, 1, t + 1, d, heads, true,
             nullptr, rows * d);
    run_linear(layer.self.out, ctx.data(), rows, o.data());
    residual_norm(x.data(), o.data(), layer.self_norm, rows);

    // Cross-attention over the encoder output of the row's input (padding keys masked).
    run_linear(layer.cross.q, x.data(), rows, q.data());
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t in = state->row_input[r];
      attend(q.data() + r * d, state->cross_k[li].data() + in * S * d, state->cross_v[li].data() + in * S * d,
             ctx.data() + r * d, 1, S, d, heads, false, state->mask.data() + in * S, d);
    }
    run_linear(layer.cross.out, ctx.data(), rows, o.data());
    residual_norm(x.data(), o.data(), layer.cross_norm, rows);
    run_ffn(layer, x.data(), rows, hidden, out);
  }
  state->len = t + 1;

  Tensor logits = state->logits(rows, c.decoder_vocab_size);
  kernels::matmul(x.data(), rows, d, lm_head_, final_logits_bias_.data(), logits.mutable_data_as<float>());
  return logits;
}

}  // namespace hf
