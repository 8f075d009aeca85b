#include "models/decoder_lm.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/thread_pool.h"
#include "hf/error.h"
#include "kernels/kernels.h"
#include "models/decoder_kv_cache.h"
#include "models/rope.h"

namespace hf {

namespace {
std::string shape_str(const std::vector<int64_t>& s) { return Tensor(DType::F32, s, nullptr, nullptr).shape_string(); }
}  // namespace

Tensor DecoderLM::bind(const std::string& name, std::vector<int64_t> shape) {
  Tensor t = weights_->get(name);
  if (t.shape() != shape)
    throw ModelError(weights_->describe() + ": tensor '" + name + "' has shape " + t.shape_string() + ", config.json implies " +
                     shape_str(shape));
  if (t.dtype() != DType::F32 && t.dtype() != DType::F16 && t.dtype() != DType::BF16)
    throw ModelError(weights_->describe() + ": tensor '" + name + "' has dtype " + dtype_name(t.dtype()) +
                     " (weights must be F32, F16 or BF16)");
  weight_bytes_ += static_cast<int64_t>(t.nbytes());
  num_parameters_ += t.numel();
  return t;
}

std::vector<float> DecoderLM::bind_vector(const std::string& name, int64_t size) { return bind(name, {size}).to_f32(); }

DecoderLM::DecoderLM(ModelConfig config, std::shared_ptr<const WeightSource> weights)
    : config_(std::move(config)), weights_(std::move(weights)) {
  const ModelConfig& c = config_;
  const int64_t H = c.hidden_size, I = c.intermediate_size, hd = c.head_dim;
  const int64_t qdim = c.num_attention_heads * hd, kvdim = c.num_key_value_heads * hd;
  embed_tokens_ = bind("model.embed_tokens.weight", {c.vocab_size, H});
  for (int64_t l = 0; l < c.num_hidden_layers; ++l) {
    const std::string p = "model.layers." + std::to_string(l) + ".";
    Layer L;
    L.input_norm = bind_vector(p + "input_layernorm.weight", H);
    L.post_attention_norm = bind_vector(p + "post_attention_layernorm.weight", H);
    L.q = bind(p + "self_attn.q_proj.weight", {qdim, H});
    L.k = bind(p + "self_attn.k_proj.weight", {kvdim, H});
    L.v = bind(p + "self_attn.v_proj.weight", {kvdim, H});
    L.o = bind(p + "self_attn.o_proj.weight", {H, qdim});
    if (c.attention_bias) {
      L.q_bias = bind_vector(p + "self_attn.q_proj.bias", qdim);
      L.k_bias = bind_vector(p + "self_attn.k_proj.bias", kvdim);
      L.v_bias = bind_vector(p + "self_attn.v_proj.bias", kvdim);
    }
    if (c.o_proj_bias) L.o_bias = bind_vector(p + "self_attn.o_proj.bias", H);
    if (c.qk_norm) {
      L.q_norm = bind_vector(p + "self_attn.q_norm.weight", hd);
      L.k_norm = bind_vector(p + "self_attn.k_norm.weight", hd);
    }
    L.gate = bind(p + "mlp.gate_proj.weight", {I, H});
    L.up = bind(p + "mlp.up_proj.weight", {I, H});
    L.down = bind(p + "mlp.down_proj.weight", {H, I});
    if (c.mlp_bias) {
      L.gate_bias = bind_vector(p + "mlp.gate_proj.bias", I);
      L.up_bias = bind_vector(p + "mlp.up_proj.bias", I);
      L.down_bias = bind_vector(p + "mlp.down_proj.bias", H);
    }
    layers_.push_back(std::move(L));
  }
  final_norm_ = bind_vector("model.norm.weight", H);
  // A tied head is the embedding matrix itself (no copy); some tied checkpoints still ship an
  // lm_head.weight, which transformers ignores in favour of the embedding.
  if (c.tie_word_embeddings) {
    lm_head_ = embed_tokens_;
  } else if (weights_->has("lm_head.weight")) {
    lm_head_ = bind("lm_head.weight", {c.vocab_size, H});
  } else {
    throw ModelError(weights_->describe() + ": no tensor 'lm_head.weight' and tie_word_embeddings is false in config.json");
  }
}

std::unique_ptr<KVCache> DecoderLM::new_cache(int batch, int64_t capacity) const {
  return std::make_unique<DecoderKVCache>(batch, capacity, config_.num_hidden_layers, config_.num_key_value_heads,
                                          config_.head_dim);
}

void DecoderLM::mlp_activation(float* gate, const float* up, int64_t n) const {
  const std::string& act = config_.hidden_act;
  if (act == "silu") {
    kernels::silu_mul(gate, up, gate, n);
    return;
  }
  if (act == "gelu") kernels::gelu(gate, n);
  else if (act == "relu") kernels::relu(gate, n);
  else kernels::gelu_tanh(gate, n);
  kernels::mul(gate, up, gate, n);
}

namespace {
DecoderKVCache* decoder_cache(KVCache* cache, const std::string& where) {
  auto* c = dynamic_cast<DecoderKVCache*>(cache);
  if (!c) throw InputError(where + ": the KV cache was not made by this model's new_cache()");
  return c;
}
}  // namespace

Tensor DecoderLM::forward(const ForwardInput& in, KVCache& cache_base) const {
  DecoderKVCache* cache = decoder_cache(&cache_base, "forward");
  const int64_t B = in.batch, S = in.seq, L = cache->length() + S;
  const int64_t N = B * S;  // token rows in this call
  if (B != cache->batch()) throw InputError("forward: batch " + std::to_string(B) + " but the cache holds " + std::to_string(cache->batch()) + " rows");
  if (S < 1) throw InputError("forward: no new tokens (seq = 0)");
  if (int64_t(in.input_ids.size()) != N)
    throw InputError("forward: input_ids has " + std::to_string(in.input_ids.size()) + " ids, batch × seq = " + std::to_string(N));
  if (!in.position_ids.empty() && int64_t(in.position_ids.size()) != N)
    throw InputError("forward: position_ids has " + std::to_string(in.position_ids.size()) + " entries, batch × seq = " + std::to_string(N));
  if (!in.attention_mask.empty() && int64_t(in.attention_mask.size()) != B * L)
    throw InputError("forward: attention_mask has " + std::to_string(in.attention_mask.size()) +
                     " entries, batch × (cache length + seq) = " + std::to_string(B * L));
  cache->reserve(L);
  if (S > kPrefillChunk) return forward_in_chunks(in, *cache);
  return forward_chunk(in, *cache);
}

// A long prompt runs as consecutive chunks through the cache: the activations (intermediate_size
// floats per token) then stay bounded however long the prompt is, and the results are the same.
Tensor DecoderLM::forward_in_chunks(const ForwardInput& in, DecoderKVCache& cache) const {
  const int64_t B = in.batch, S = in.seq, L0 = cache.length(), L = L0 + S, V = config_.vocab_size;
  Tensor all = in.all_positions ? Tensor::zeros(DType::F32, {B, S, V}) : Tensor();
  Tensor last;
  for (int64_t c0 = 0; c0 < S; c0 += kPrefillChunk) {
    const int64_t n = std::min(kPrefillChunk, S - c0);
    std::vector<int32_t> ids, pos;
    std::vector<uint8_t> mask;
    for (int64_t b = 0; b < B; ++b) {
      ids.insert(ids.end(), in.input_ids.begin() + b * S + c0, in.input_ids.begin() + b * S + c0 + n);
      for (int64_t s = c0; s < c0 + n; ++s) pos.push_back(in.position_ids.empty() ? int32_t(L0 + s) : in.position_ids[b * S + s]);
      if (!in.attention_mask.empty())
        mask.insert(mask.end(), in.attention_mask.begin() + b * L, in.attention_mask.begin() + b * L + L0 + c0 + n);
    }
    ForwardInput part{static_cast<int>(B), static_cast<int>(n), ids, pos, mask, in.all_positions};
    last = forward_chunk(part, cache);
    if (in.all_positions)
      for (int64_t b = 0; b < B; ++b)
        std::copy_n(last.data_as<float>() + b * n * V, n * V, all.mutable_data_as<float>() + (b * S + c0) * V);
  }
  return in.all_positions ? all : last;
}

// A batched forward is one segment per batch row, all at the same cache depth.
Tensor DecoderLM::forward_chunk(const ForwardInput& in, DecoderKVCache& cache) const {
  const int64_t B = in.batch, S = in.seq, L0 = cache.length(), L = L0 + S;
  std::vector<int32_t> positions(B * S);
  for (int64_t i = 0; i < B * S; ++i) positions[i] = in.position_ids.empty() ? int32_t(L0 + i % S) : in.position_ids[i];
  const int32_t max_pos = *std::max_element(positions.begin(), positions.end());
  std::vector<Segment> segments;
  for (int64_t b = 0; b < B; ++b)
    segments.push_back({&cache, b, S, positions.data() + b * S,
                        in.attention_mask.empty() ? nullptr : in.attention_mask.data() + b * L, max_pos});
  Tensor logits = forward_segments(in.input_ids.data(), segments, in.all_positions);
  return in.all_positions ? logits.reshaped({B, S, config_.vocab_size}) : logits;
}

Tensor DecoderLM::forward_sequences(std::span<const SequenceInput> sequences) const {
  const int64_t K = static_cast<int64_t>(sequences.size());
  if (K == 0) throw InputError("forward_sequences: no sequences");
  std::vector<DecoderKVCache*> caches(K);
  for (int64_t i = 0; i < K; ++i) {
    const std::string where = "forward_sequences: sequence " + std::to_string(i);
    const SequenceInput& s = sequences[i];
    if (s.cache == nullptr || s.cache->batch() != 1) throw InputError(where + " needs its own single-row cache");
    if (s.input_ids.empty()) throw InputError(where + " has no new tokens");
    caches[i] = decoder_cache(s.cache, where);
    for (int64_t j = 0; j < i; ++j)
      if (caches[j] == caches[i]) throw InputError(where + " shares its cache with sequence " + std::to_string(j));
    caches[i]->reserve(caches[i]->length() + int64_t(s.input_ids.size()));
  }
  // A long prefill first runs alone up to its last chunk, so that one pass never holds more than
  // a chunk of any sequence's tokens.
  std::vector<std::span<const int32_t>> tails(K);
  for (int64_t i = 0; i < K; ++i) {
    std::span<const int32_t> ids = sequences[i].input_ids;
    const int64_t head = (int64_t(ids.size()) - 1) / kPrefillChunk * kPrefillChunk;
    if (head > 0) {
      ForwardInput in;
      in.seq = static_cast<int>(head);
      in.input_ids = ids.first(head);
      forward_in_chunks(in, *caches[i]);
    }
    tails[i] = ids.subspan(head);
  }
  std::vector<int32_t> ids, positions;
  for (int64_t i = 0; i < K; ++i) {
    ids.insert(ids.end(), tails[i].begin(), tails[i].end());
    for (size_t t = 0; t < tails[i].size(); ++t) positions.push_back(int32_t(caches[i]->length() + t));
  }
  std::vector<Segment> segments;
  for (int64_t i = 0, row = 0; i < K; row += int64_t(tails[i].size()), ++i)
    segments.push_back({caches[i], 0, int64_t(tails[i].size()), positions.data() + row, nullptr, positions[row + tails[i].size() - 1]});
  return forward_segments(ids.data(), segments, false);
}

// The layers over the token rows of every segment at once: projections, MLP and head read each
// weight once for all rows (the hot loop of decoding many sequences); RoPE, the cache writes and
// attention work per segment.
Tensor DecoderLM::forward_segments(const int32_t* input_ids, std::span<const Segment> segments, bool all_positions) const {
  const ModelConfig& c = config_;
  const int64_t H = c.hidden_size, I = c.intermediate_size, hd = c.head_dim;
  const int64_t nH = c.num_attention_heads, nKV = c.num_key_value_heads, qdim = nH * hd, kvdim = nKV * hd;
  int64_t N = 0;  // token rows in this pass
  for (const Segment& s : segments) N += s.n;

  // RoPE angles per row; each segment scales (dynamic) by the largest position of its call.
  std::vector<float> cos(N * hd / 2), sin(N * hd / 2);
  for (int64_t r0 = 0; const Segment& s : segments) {
    rope_tables(rope_inv_freq(c, s.rope_max_position), s.positions, s.n, cos.data() + r0 * hd / 2, sin.data() + r0 * hd / 2);
    r0 += s.n;
  }

  std::vector<float> x(N * H), h(N * H), q(N * qdim), k(N * kvdim), v(N * kvdim), att(N * qdim);
  std::vector<float> gate(N * I), up(N * I);
  kernels::embedding(embed_tokens_, input_ids, N, x.data());
  const float eps = static_cast<float>(c.rms_norm_eps);
  auto bias = [](const std::vector<float>& b) { return b.empty() ? nullptr : b.data(); };

  for (int64_t l = 0; l < c.num_hidden_layers; ++l) {
    const Layer& W = layers_[l];
    // Attention block.
    kernels::rms_norm(x.data(), W.input_norm.data(), eps, N, H, h.data());
    const kernels::MatmulOutput qkv[] = {{&W.q, bias(W.q_bias), q.data()}, {&W.k, bias(W.k_bias), k.data()},
                                         {&W.v, bias(W.v_bias), v.data()}};
    kernels::matmul_group(h.data(), N, H, qkv);
    if (c.qk_norm) {
      kernels::rms_norm(q.data(), W.q_norm.data(), eps, N * nH, hd, q.data());
      kernels::rms_norm(k.data(), W.k_norm.data(), eps, N * nKV, hd, k.data());
    }
    kernels::rope(q.data(), N, nH, hd, qdim, cos.data(), sin.data());
    kernels::rope(k.data(), N, nKV, hd, kvdim, cos.data(), sin.data());
    const bool windowed = c.sliding_window > 0 && l >= c.max_window_layers;
    for (int64_t r0 = 0; const Segment& s : segments) {
      DecoderKVCache& cache = *s.cache;
      const int64_t L0 = cache.length(), L = L0 + s.n;
      for (int64_t g = 0; g < nKV; ++g) {
        float* kc = cache.keys(l, s.row, g) + L0 * hd;
        float* vc = cache.values(l, s.row, g) + L0 * hd;
        for (int64_t t = 0; t < s.n; ++t) {
          std::copy_n(k.data() + (r0 + t) * kvdim + g * hd, hd, kc + t * hd);
          std::copy_n(v.data() + (r0 + t) * kvdim + g * hd, hd, vc + t * hd);
        }
      }
      kernels::AttentionArgs a;
      a.q = q.data() + r0 * qdim;
      a.q_stride = qdim;
      a.k = cache.keys(l, s.row, 0);
      a.v = cache.values(l, s.row, 0);
      a.kv_head_stride = cache.allocated() * hd;
      a.kv_pos_stride = hd;
      a.out = att.data() + r0 * qdim;
      a.out_stride = qdim;
      a.T = s.n;
      a.L = L;
      a.n_heads = static_cast<int>(nH);
      a.n_kv_heads = static_cast<int>(nKV);
      a.head_dim = static_cast<int>(hd);
      a.scale = static_cast<float>(1.0 / std::sqrt(double(hd)));
      a.causal = true;
      a.window = windowed ? c.sliding_window : 0;
      a.key_mask = s.key_mask;
      kernels::attention(a);
      r0 += s.n;
    }
    kernels::matmul(att.data(), N, qdim, W.o, bias(W.o_bias), h.data());
    kernels::add(x.data(), h.data(), x.data(), N * H);
    // MLP block.
    kernels::rms_norm(x.data(), W.post_attention_norm.data(), eps, N, H, h.data());
    const kernels::MatmulOutput gate_up[] = {{&W.gate, bias(W.gate_bias), gate.data()}, {&W.up, bias(W.up_bias), up.data()}};
    kernels::matmul_group(h.data(), N, H, gate_up);
    mlp_activation(gate.data(), up.data(), N * I);
    kernels::matmul(gate.data(), N, I, W.down, bias(W.down_bias), h.data());
    kernels::add(x.data(), h.data(), x.data(), N * H);
  }
  std::vector<int64_t> ends;  // a batched forward's segments share one cache: read every end first
  for (const Segment& s : segments) ends.push_back(s.cache->length() + s.n);
  for (size_t i = 0; i < segments.size(); ++i) segments[i].cache->set_length(ends[i]);

  // Final norm and head, on every row or only each segment's last.
  const int64_t rows = all_positions ? N : int64_t(segments.size());
  if (!all_positions)
    for (int64_t i = 0, r0 = 0; const Segment& s : segments) {
      std::copy_n(x.data() + (r0 + s.n - 1) * H, H, x.data() + i * H);
      r0 += s.n;
      ++i;
    }
  kernels::rms_norm(x.data(), final_norm_.data(), eps, rows, H, h.data());
  Tensor logits = Tensor::zeros(DType::F32, {rows, c.vocab_size});
  kernels::matmul(h.data(), rows, H, lm_head_, nullptr, logits.mutable_data_as<float>());
  return logits;
}

}  // namespace hf
