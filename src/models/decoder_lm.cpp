#include "models/decoder_lm.h"

#include <algorithm>
#include <string>

#include "core/thread_pool.h"
#include "hf/error.h"
#include "kernels/kernels.h"
#include "models/decoder_kv_cache.h"
#include "models/rope.h"

namespace hf {

std::unique_ptr<KVCache> DecoderLM::new_cache(int batch, int64_t capacity) const {
  return std::make_unique<DecoderKVCache>(batch, capacity, config_.num_hidden_layers, config_.num_key_value_heads,
                                          config_.head_dim, kv_cache_dtype_);
}

void DecoderLM::norm(const Norm& n, const float* x, int64_t rows, float* y) const {
  const float eps = static_cast<float>(config_.rms_norm_eps);
  if (config_.norm_type == "layer_norm") kernels::layer_norm(x, n.weight.data(), n.bias.data(), eps, rows, config_.hidden_size, y);
  else kernels::rms_norm(x, n.weight.data(), eps, rows, config_.hidden_size, y);
}

namespace {
const float* bias(const std::vector<float>& b) { return b.empty() ? nullptr : b.data(); }

void activation(const std::string& act, float* x, int64_t n) {
  if (act == "silu") kernels::silu(x, n);
  else if (act == "gelu") kernels::gelu(x, n);
  else if (act == "relu") kernels::relu(x, n);
  else kernels::gelu_tanh(x, n);  // gelu_new, gelu_pytorch_tanh
}
}  // namespace

// The largest power of two of rows whose buffers (bytes_per_row each) fit the activation budget,
// within [floor, kMaxRows].
int64_t DecoderLM::rows_within_budget(int64_t bytes_per_row, int64_t floor) const {
  const int64_t budget = weight_bytes_ / kActivationShare;
  int64_t rows = kMaxRows;
  while (rows > floor && rows * bytes_per_row > budget) rows /= 2;
  return rows;
}

// x, h and the normed rows; q and the attention output; k and v (forward_segments).
int64_t DecoderLM::prefill_chunk() const {
  const int64_t H = config_.hidden_size, qdim = config_.num_attention_heads * config_.head_dim,
                kvdim = config_.num_key_value_heads * config_.head_dim;
  return rows_within_budget((3 * H + 2 * qdim + 2 * kvdim) * int64_t(sizeof(float)), kMinPrefillChunk);
}

// y = down(act(gate(x)) * up(x)), or down(act(up(x))) without a gate (GPT-2), over blocks of
// rows: gate and up are the widest activations of a pass (2 × intermediate_size floats a row
// against hidden_size for the others), so a block of them, not the whole chunk, is what it holds.
void DecoderLM::mlp_forward(const Mlp& m, const float* x, int64_t rows, float* y, std::vector<float>& scratch) const {
  const int64_t H = config_.hidden_size, I = m.up.dim(0);
  const int64_t block = std::min(rows, rows_within_budget(2 * I * int64_t(sizeof(float)), kMinMlpBlock));
  if (scratch.size() < size_t(2 * block * I)) scratch.resize(2 * block * I);
  float* gate = scratch.data();
  float* up = gate + block * I;
  for (int64_t r0 = 0; r0 < rows; r0 += block) {
    const int64_t n = std::min(block, rows - r0);
    const float* xb = x + r0 * H;
    float* yb = y + r0 * H;
    if (m.gate.empty()) {
      kernels::matmul(xb, n, H, m.up, bias(m.up_bias), up);
      activation(config_.hidden_act, up, n * I);
      kernels::matmul(up, n, I, m.down, bias(m.down_bias), yb);
      continue;
    }
    const kernels::MatmulOutput gate_up[] = {{&m.gate, bias(m.gate_bias), gate}, {&m.up, bias(m.up_bias), up}};
    kernels::matmul_group(xb, n, H, gate_up);
    if (config_.hidden_act == "silu") {
      kernels::silu_mul(gate, up, gate, n * I);
    } else {
      activation(config_.hidden_act, gate, n * I);
      kernels::mul(gate, up, gate, n * I);
    }
    kernels::matmul(gate, n, I, m.down, bias(m.down_bias), yb);
  }
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
  int32_t max_pos = int32_t(L - 1);
  if (!in.position_ids.empty()) max_pos = *std::max_element(in.position_ids.begin(), in.position_ids.end());
  if (rope_outgrows_cache(*cache, max_pos)) return reencode(in, *cache);
  if (S > prefill_chunk()) return forward_in_chunks(in, *cache, max_pos);
  return forward_chunk(in, *cache, max_pos);
}

// longrope (Phi-3) switches every frequency to its long factors once a forward call reaches past
// the original context; transformers' Phi3ForCausalLM.prepare_inputs_for_generation then drops
// the cache and re-encodes the whole sequence, so that every key uses the long factors. The
// result is what one forward over the whole sequence gives, which is the rule kept here.
bool DecoderLM::rope_outgrows_cache(const DecoderKVCache& cache, int32_t max_position) const {
  const RopeScaling& rs = config_.rope_scaling;
  if (rs.rope_type != "longrope" || cache.length() == 0) return false;
  const int64_t original = rs.original_max_position_embeddings;
  return max_position + 1 > original && cache.rope_max_position() + 1 <= original;
}

// The cached tokens and the new ones as one forward from an empty cache; returns the new tokens' logits.
Tensor DecoderLM::reencode(const ForwardInput& in, DecoderKVCache& cache) const {
  const int64_t B = in.batch, S = in.seq, L0 = cache.length(), L = L0 + S, V = config_.vocab_size;
  std::vector<int32_t> ids, pos;
  for (int64_t b = 0; b < B; ++b) {
    const auto old_ids = cache.tokens(b), old_pos = cache.positions(b);
    ids.insert(ids.end(), old_ids.begin(), old_ids.end());
    ids.insert(ids.end(), in.input_ids.begin() + b * S, in.input_ids.begin() + (b + 1) * S);
    pos.insert(pos.end(), old_pos.begin(), old_pos.end());
    for (int64_t s = 0; s < S; ++s) pos.push_back(in.position_ids.empty() ? int32_t(L0 + s) : in.position_ids[b * S + s]);
  }
  cache.truncate(0);
  ForwardInput whole{static_cast<int>(B), static_cast<int>(L), ids, pos, in.attention_mask, in.all_positions};
  Tensor all = forward(whole, cache);
  if (!in.all_positions) return all;
  Tensor out = Tensor::zeros(DType::F32, {B, S, V});
  for (int64_t b = 0; b < B; ++b)
    std::copy_n(all.data_as<float>() + (b * L + L0) * V, S * V, out.mutable_data_as<float>() + b * S * V);
  return out;
}

// A long prompt runs as consecutive chunks through the cache: the activations (intermediate_size
// floats per token) then stay bounded however long the prompt is, and the results are the same.
Tensor DecoderLM::forward_in_chunks(const ForwardInput& in, DecoderKVCache& cache, int32_t rope_max_position) const {
  const int64_t B = in.batch, S = in.seq, L0 = cache.length(), L = L0 + S, V = config_.vocab_size;
  Tensor all = in.all_positions ? Tensor::zeros(DType::F32, {B, S, V}) : Tensor();
  Tensor last;
  const int64_t chunk = prefill_chunk();
  for (int64_t c0 = 0; c0 < S; c0 += chunk) {
    const int64_t n = std::min(chunk, S - c0);
    std::vector<int32_t> ids, pos;
    std::vector<uint8_t> mask;
    for (int64_t b = 0; b < B; ++b) {
      ids.insert(ids.end(), in.input_ids.begin() + b * S + c0, in.input_ids.begin() + b * S + c0 + n);
      for (int64_t s = c0; s < c0 + n; ++s) pos.push_back(in.position_ids.empty() ? int32_t(L0 + s) : in.position_ids[b * S + s]);
      if (!in.attention_mask.empty())
        mask.insert(mask.end(), in.attention_mask.begin() + b * L, in.attention_mask.begin() + b * L + L0 + c0 + n);
    }
    ForwardInput part{static_cast<int>(B), static_cast<int>(n), ids, pos, mask, in.all_positions};
    last = forward_chunk(part, cache, rope_max_position);
    if (in.all_positions)
      for (int64_t b = 0; b < B; ++b)
        std::copy_n(last.data_as<float>() + b * n * V, n * V, all.mutable_data_as<float>() + (b * S + c0) * V);
  }
  return in.all_positions ? all : last;
}

// A batched forward is one segment per batch row, all at the same cache depth; RoPE scales by
// the largest position of the whole call (transformers' dynamic / longrope update).
Tensor DecoderLM::forward_chunk(const ForwardInput& in, DecoderKVCache& cache, int32_t rope_max_position) const {
  const int64_t B = in.batch, S = in.seq, L0 = cache.length(), L = L0 + S;
  std::vector<int32_t> positions(B * S);
  for (int64_t i = 0; i < B * S; ++i) positions[i] = in.position_ids.empty() ? int32_t(L0 + i % S) : in.position_ids[i];
  std::vector<Segment> segments;
  for (int64_t b = 0; b < B; ++b)
    segments.push_back({&cache, b, S, positions.data() + b * S,
                        in.attention_mask.empty() ? nullptr : in.attention_mask.data() + b * L, rope_max_position});
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
  // A sequence whose RoPE outgrows its cache re-encodes alone (longrope; once per sequence).
  std::vector<Tensor> alone(K);
  for (int64_t i = 0; i < K; ++i) {
    const int64_t n = int64_t(sequences[i].input_ids.size());
    if (!rope_outgrows_cache(*caches[i], int32_t(caches[i]->length() + n - 1))) continue;
    ForwardInput in;
    in.seq = static_cast<int>(n);
    in.input_ids = sequences[i].input_ids;
    alone[i] = reencode(in, *caches[i]);
  }
  // A long prefill first runs alone up to its last chunk, so that one pass never holds more than
  // a chunk of any sequence's tokens.
  const int64_t chunk = prefill_chunk();
  std::vector<std::span<const int32_t>> tails(K);
  for (int64_t i = 0; i < K; ++i) {
    if (!alone[i].empty()) continue;
    std::span<const int32_t> ids = sequences[i].input_ids;
    const int64_t head = (int64_t(ids.size()) - 1) / chunk * chunk;
    if (head > 0) {
      ForwardInput in;
      in.seq = static_cast<int>(head);
      in.input_ids = ids.first(head);
      forward_in_chunks(in, *caches[i], int32_t(caches[i]->length() + ids.size() - 1));
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
    if (!tails[i].empty())
      segments.push_back({caches[i], 0, int64_t(tails[i].size()), positions.data() + row, nullptr, positions[row + tails[i].size() - 1]});
  const int64_t V = config_.vocab_size;
  Tensor together = segments.empty() ? Tensor() : forward_segments(ids.data(), segments, false);
  Tensor logits = Tensor::zeros(DType::F32, {K, V});
  for (int64_t i = 0, j = 0; i < K; ++i) {
    const float* row = alone[i].empty() ? together.data_as<float>() + (j++) * V : alone[i].data_as<float>();
    std::copy_n(row, V, logits.mutable_data_as<float>() + i * V);
  }
  return logits;
}

// The layers over the token rows of every segment at once: projections, MLP and head read each
// weight once for all rows (the hot loop of decoding many sequences); RoPE, the cache writes and
// attention work per segment.
Tensor DecoderLM::forward_segments(const int32_t* input_ids, std::span<const Segment> segments, bool all_positions) const {
  const kernels::ScopedMatmulPrecision precision(matmul_precision_);  // this model's, on this thread
  const ModelConfig& c = config_;
  const int64_t H = c.hidden_size, hd = c.head_dim, rd = c.rotary_dim();
  const int64_t nH = c.num_attention_heads, nKV = c.num_key_value_heads, qdim = nH * hd, kvdim = nKV * hd;
  int64_t N = 0;  // token rows in this pass
  for (const Segment& s : segments) N += s.n;

  std::vector<float> x(N * H), h(N * H), normed(N * H), q(N * qdim), k(N * kvdim), v(N * kvdim), att(N * qdim);
  std::vector<float> mlp_scratch;  // sized by the first MLP, then reused by every layer
  kernels::embedding(embed_tokens_, input_ids, N, x.data());
  if (embed_scale_ != 1.0f) kernels::scale(x.data(), embed_scale_, N * H);
  if (!embed_positions_.empty()) {  // learned absolute positions, bounded by the table
    std::vector<int32_t> pos;
    for (const Segment& s : segments) pos.insert(pos.end(), s.positions, s.positions + s.n);
    for (int32_t p : pos)
      if (p < 0 || p >= embed_positions_.dim(0))
        throw InputError("forward: position " + std::to_string(p) + " is beyond the model's " +
                         std::to_string(embed_positions_.dim(0)) + " learned positions (n_positions)");
    kernels::embedding(embed_positions_, pos.data(), N, h.data());
    kernels::add(x.data(), h.data(), x.data(), N * H);
  }

  // RoPE angles per row, for global layers and (Gemma 3) local ones; each segment scales
  // (dynamic, longrope) by the largest position of its call.
  std::vector<float> cos[2], sin[2];
  const int kinds = c.learned_positions ? 0 : c.rope_local_base_freq > 0 ? 2 : 1;
  for (int local = 0; local < kinds; ++local) {
    cos[local].resize(N * rd / 2);
    sin[local].resize(N * rd / 2);
    for (int64_t r0 = 0; const Segment& s : segments) {
      rope_tables(rope_inv_freq(c, s.rope_max_position, local), s.positions, s.n, cos[local].data() + r0 * rd / 2,
                  sin[local].data() + r0 * rd / 2, rope_attention_factor(c, local));
      r0 += s.n;
    }
  }
  // Rotates the first rotary_dim dims of every head (all of them unless partial rotary).
  auto rotate = [&](float* t, int64_t heads, int64_t stride, int local) {
    if (rd == hd) {
      kernels::rope(t, N, heads, hd, stride, cos[local].data(), sin[local].data());
      return;
    }
    for (int64_t g = 0; g < heads; ++g) kernels::rope(t + g * hd, N, 1, rd, stride, cos[local].data(), sin[local].data());
  };
  const float eps = static_cast<float>(c.rms_norm_eps);

  for (int64_t l = 0; l < c.num_hidden_layers; ++l) {
    const Layer& W = layers_[l];
    const bool sliding = c.sliding_window > 0 && c.is_sliding_layer(l);
    // Attention block.
    norm(W.attn_norm, x.data(), N, h.data());
    const kernels::MatmulOutput qkv[] = {{&W.q, bias(W.q_bias), q.data()}, {&W.k, bias(W.k_bias), k.data()},
                                         {&W.v, bias(W.v_bias), v.data()}};
    kernels::matmul_group(h.data(), N, H, qkv);
    if (c.qk_norm) {
      kernels::rms_norm(q.data(), W.q_norm.data(), eps, N * nH, hd, q.data());
      kernels::rms_norm(k.data(), W.k_norm.data(), eps, N * nKV, hd, k.data());
    }
    if (kinds > 0) {
      const int local = kinds == 2 && sliding ? 1 : 0;
      rotate(q.data(), nH, qdim, local);
      rotate(k.data(), nKV, kvdim, local);
    }
    for (int64_t r0 = 0; const Segment& s : segments) {
      DecoderKVCache& cache = *s.cache;
      const int64_t L0 = cache.length(), L = L0 + s.n;
      cache.write(l, s.row, L0, k.data() + r0 * kvdim, v.data() + r0 * kvdim, s.n, kvdim);
      kernels::AttentionArgs a;
      a.q = q.data() + r0 * qdim;
      a.q_stride = qdim;
      a.k = cache.keys(l, s.row, 0);
      a.v = cache.values(l, s.row, 0);
      a.kv_dtype = cache.dtype();
      a.kv_head_stride = cache.allocated() * hd;
      a.kv_pos_stride = hd;
      a.out = att.data() + r0 * qdim;
      a.out_stride = qdim;
      a.T = s.n;
      a.L = L;
      a.n_heads = static_cast<int>(nH);
      a.n_kv_heads = static_cast<int>(nKV);
      a.head_dim = static_cast<int>(hd);
      a.scale = static_cast<float>(c.attention_scale / (c.scale_attn_by_inverse_layer_idx ? double(l + 1) : 1.0));
      a.causal = true;
      a.window = sliding ? c.sliding_window : 0;
      a.key_mask = s.key_mask;
      a.softcap = static_cast<float>(c.attn_logit_softcapping);
      kernels::attention(a);
      r0 += s.n;
    }
    kernels::matmul(att.data(), N, qdim, W.o, bias(W.o_bias), h.data());
    if (!W.attn_out_norm.weight.empty()) norm(W.attn_out_norm, h.data(), N, h.data());
    kernels::add(x.data(), h.data(), x.data(), N * H);
    // MLP block.
    norm(W.mlp_norm, x.data(), N, normed.data());
    if (W.router.empty()) mlp_forward(W.mlp, normed.data(), N, h.data(), mlp_scratch);
    else moe_forward(W, normed.data(), N, h.data(), mlp_scratch);
    if (!W.mlp_out_norm.weight.empty()) norm(W.mlp_out_norm, h.data(), N, h.data());
    kernels::add(x.data(), h.data(), x.data(), N * H);
  }
  std::vector<int64_t> ends;  // a batched forward's segments share one cache: read every end first
  for (int64_t r0 = 0; const Segment& s : segments) {
    ends.push_back(s.cache->length() + s.n);
    s.cache->record(s.row, s.cache->length(), input_ids + r0, s.positions, s.n);
    r0 += s.n;
  }
  for (size_t i = 0; i < segments.size(); ++i) {
    segments[i].cache->set_length(ends[i]);
    segments[i].cache->set_rope_max_position(std::max(segments[i].cache->rope_max_position(), segments[i].rope_max_position));
  }

  // Final norm and head, on every row or only each segment's last.
  const int64_t rows = all_positions ? N : int64_t(segments.size());
  if (!all_positions)
    for (int64_t i = 0, r0 = 0; const Segment& s : segments) {
      std::copy_n(x.data() + (r0 + s.n - 1) * H, H, x.data() + i * H);
      r0 += s.n;
      ++i;
    }
  norm(final_norm_, x.data(), rows, h.data());
  Tensor logits = Tensor::zeros(DType::F32, {rows, c.vocab_size});
  float* out = logits.mutable_data_as<float>();
  kernels::matmul(h.data(), rows, H, lm_head_, nullptr, out);
  if (c.final_logit_softcapping > 0) kernels::softcap(out, static_cast<float>(c.final_logit_softcapping), rows * c.vocab_size);
  return logits;
}

}  // namespace hf
