// DecoderLM's weights, bound by their Hugging Face names. Two naming schemes cover every family:
// Llama's (`model.layers.N.self_attn.q_proj`, also under a multimodal wrapper's
// `model.language_model.` / `language_model.model.`) with the fused variants (Phi-3's qkv_proj /
// gate_up_proj, split as row views) and the experts' names (Qwen-MoE, Mixtral), and GPT-2's
// (`h.N.attn.c_attn`, with or without `transformer.`), whose Conv1D weights are stored [in, out]
// and are transposed once here so that every matrix product reads [out, in].
#include <cmath>
#include <cstring>
#include <string>

#include "hf/error.h"
#include "kernels/kernels.h"
#include "models/decoder_lm.h"

namespace hf {

namespace {
std::string shape_str(const std::vector<int64_t>& s) { return Tensor(DType::F32, s, nullptr, nullptr).shape_string(); }

// A [rows, cols] matrix as a new owned [cols, rows] tensor of the same dtype.
Tensor transposed(const Tensor& w) {
  const int64_t rows = w.dim(0), cols = w.dim(1);
  const size_t es = dtype_size(w.dtype());
  Tensor t = Tensor::zeros(w.dtype(), {cols, rows});
  const auto* src = static_cast<const uint8_t*>(w.data());
  auto* dst = static_cast<uint8_t*>(t.mutable_data());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) std::memcpy(dst + (c * rows + r) * es, src + (r * cols + c) * es, es);
  return t;
}

// √hidden rounded to the checkpoint's dtype (torch_dtype), as transformers' Gemma rounds its
// normalizer / embed_scale to the dtype the model runs in (bf16 for a bf16 checkpoint loaded as
// stored): for hidden 2304 that is 48.0, for 3584 59.75 rather than 59.866.
float embed_scale_in(const std::string& torch_dtype, int64_t hidden) {
  const float s = std::sqrt(float(hidden));
  if (torch_dtype == "bfloat16") return bf16_to_f32(f32_to_bf16(s));
  if (torch_dtype == "float16") return f16_to_f32(f32_to_f16(s));
  return s;
}
}  // namespace

class DecoderWeights {
 public:
  DecoderWeights(DecoderLM& m) : m_(m), c_(m.config_), w_(*m.weights_) {}

  void bind_all() {
    if (c_.model_type == "gpt2") bind_gpt2();
    else bind_llama();
  }

 private:
  using Norm = DecoderLM::Norm;
  using Mlp = DecoderLM::Mlp;

  Tensor bind(const std::string& name, std::vector<int64_t> shape) {
    Tensor t = w_.get(name);
    if (t.shape() != shape)
      throw ModelError(w_.describe() + ": tensor '" + name + "' has shape " + t.shape_string() + ", config.json implies " +
                       shape_str(shape));
    // Q8_0 / Q4_0 come from load-time quantization (models/quantize.h) or from a GPTQ / AWQ
    // checkpoint's packed integers (models/prequantized_weights.h), never as such from a file.
    if (t.dtype() != DType::F32 && t.dtype() != DType::F16 && t.dtype() != DType::BF16 && t.dtype() != DType::Q8_0 &&
        t.dtype() != DType::Q4_0)
      throw ModelError(w_.describe() + ": tensor '" + name + "' has dtype " + dtype_name(t.dtype()) +
                       " (weights must be F32, F16 or BF16)");
    m_.weight_bytes_ += static_cast<int64_t>(t.nbytes());
    m_.num_parameters_ += t.numel();
    return t;
  }
  std::vector<float> vec(const std::string& name, int64_t size) { return bind(name, {size}).to_f32(); }
  // An RMSNorm weight (Gemma's stored as an offset from 1) or a LayerNorm weight + bias.
  Norm norm(const std::string& name, int64_t size) {
    Norm n;
    n.weight = vec(name + ".weight", size);
    for (float& x : n.weight) x += static_cast<float>(c_.norm_weight_offset);
    if (c_.norm_type == "layer_norm") n.bias = vec(name + ".bias", size);
    return n;
  }
  std::vector<float> split(const std::vector<float>& v, int64_t begin, int64_t end) {
    return std::vector<float>(v.begin() + begin, v.begin() + end);
  }

  // The first of `candidates` that the checkpoint holds.
  std::string first_present(std::initializer_list<const char*> candidates, const std::string& what) {
    std::string tried;
    for (const char* n : candidates) {
      if (w_.has(n)) return n;
      tried += (tried.empty() ? "" : ", ") + std::string(n);
    }
    throw ModelError(w_.describe() + ": no " + what + " tensor (looked for " + tried + ")");
  }

  void bind_head(const std::string& lm_head) {
    // A tied head is the embedding matrix itself (no copy); some tied checkpoints still ship an
    // lm_head.weight, which transformers ignores in favour of the embedding.
    if (c_.tie_word_embeddings) {
      m_.lm_head_ = m_.embed_tokens_;
    } else if (w_.has(lm_head)) {
      m_.lm_head_ = bind(lm_head, {c_.vocab_size, c_.hidden_size});
    } else {
      throw ModelError(w_.describe() + ": no tensor '" + lm_head + "' and tie_word_embeddings is false in config.json");
    }
  }

  Mlp mlp(const std::string& p, int64_t I, const char* gate, const char* up, const char* down, bool bias) {
    const int64_t H = c_.hidden_size;
    Mlp m;
    if (w_.has(p + "gate_up_proj.weight")) {  // Phi-3: gate rows first, then up
      Tensor gu = bind(p + "gate_up_proj.weight", {2 * I, H});
      m.gate = kernels::slice_rows(gu, 0, I);
      m.up = kernels::slice_rows(gu, I, 2 * I);
    } else {
      m.gate = bind(p + gate + ".weight", {I, H});
      m.up = bind(p + up + ".weight", {I, H});
    }
    m.down = bind(p + down + ".weight", {H, I});
    if (bias) {
      m.gate_bias = vec(p + gate + ".bias", I);
      m.up_bias = vec(p + up + ".bias", I);
      m.down_bias = vec(p + down + ".bias", H);
    }
    return m;
  }

  void bind_llama() {
    const int64_t H = c_.hidden_size, hd = c_.head_dim;
    const int64_t qdim = c_.num_attention_heads * hd, kvdim = c_.num_key_value_heads * hd;
    const std::string embed = first_present(
        {"model.embed_tokens.weight", "model.language_model.embed_tokens.weight", "language_model.model.embed_tokens.weight"},
        "token embedding");
    const std::string P = embed.substr(0, embed.size() - std::string("embed_tokens.weight").size());
    m_.embed_tokens_ = bind(embed, {c_.vocab_size, H});
    if (c_.scale_embeddings) m_.embed_scale_ = embed_scale_in(c_.torch_dtype, H);
    for (int64_t l = 0; l < c_.num_hidden_layers; ++l) {
      const std::string p = P + "layers." + std::to_string(l) + ".";
      DecoderLM::Layer L;
      L.attn_norm = norm(p + "input_layernorm", H);
      if (c_.sandwich_norms) {
        L.attn_out_norm = norm(p + "post_attention_layernorm", H);
        L.mlp_norm = norm(p + "pre_feedforward_layernorm", H);
        L.mlp_out_norm = norm(p + "post_feedforward_layernorm", H);
      } else {
        L.mlp_norm = norm(p + "post_attention_layernorm", H);
      }
      const std::string a = p + "self_attn.";
      if (w_.has(a + "qkv_proj.weight")) {  // Phi-3: q, k, v row blocks
        Tensor qkv = bind(a + "qkv_proj.weight", {qdim + 2 * kvdim, H});
        L.q = kernels::slice_rows(qkv, 0, qdim);
        L.k = kernels::slice_rows(qkv, qdim, qdim + kvdim);
        L.v = kernels::slice_rows(qkv, qdim + kvdim, qdim + 2 * kvdim);
      } else {
        L.q = bind(a + "q_proj.weight", {qdim, H});
        L.k = bind(a + "k_proj.weight", {kvdim, H});
        L.v = bind(a + "v_proj.weight", {kvdim, H});
      }
      L.o = bind(a + "o_proj.weight", {H, qdim});
      if (c_.attention_bias) {
        L.q_bias = vec(a + "q_proj.bias", qdim);
        L.k_bias = vec(a + "k_proj.bias", kvdim);
        L.v_bias = vec(a + "v_proj.bias", kvdim);
      }
      if (c_.o_proj_bias) L.o_bias = vec(a + "o_proj.bias", H);
      if (c_.qk_norm) {
        L.q_norm = norm(a + "q_norm", hd).weight;
        L.k_norm = norm(a + "k_norm", hd).weight;
      }
      if (!c_.moe_layers.empty() && c_.moe_layers[l]) bind_experts(L, p);
      else L.mlp = mlp(p + "mlp.", c_.intermediate_size, "gate_proj", "up_proj", "down_proj", c_.mlp_bias);
      m_.layers_.push_back(std::move(L));
    }
    m_.final_norm_ = norm(P + "norm", H);
    // The head sits beside the wrapped model: lm_head (ForCausalLM, newer multimodal layouts) or
    // language_model.lm_head (older multimodal layouts).
    bind_head(P == "language_model.model." ? "language_model.lm_head.weight" : "lm_head.weight");
  }

  // Mixtral: block_sparse_moe.{gate, experts.E.w1 (gate) / w3 (up) / w2 (down)}; Qwen-MoE:
  // mlp.{gate, experts.E.{gate,up,down}_proj, shared_expert.*, shared_expert_gate}.
  void bind_experts(DecoderLM::Layer& L, const std::string& p) {
    const bool mixtral = c_.model_type == "mixtral";
    const std::string moe = p + (mixtral ? "block_sparse_moe." : "mlp.");
    L.router = bind(moe + "gate.weight", {c_.num_experts, c_.hidden_size});
    for (int64_t e = 0; e < c_.num_experts; ++e) {
      const std::string x = moe + "experts." + std::to_string(e) + ".";
      L.experts.push_back(mixtral ? mlp(x, c_.moe_intermediate_size, "w1", "w3", "w2", false)
                                  : mlp(x, c_.moe_intermediate_size, "gate_proj", "up_proj", "down_proj", false));
    }
    if (c_.shared_expert_intermediate_size > 0) {
      L.shared_expert = mlp(moe + "shared_expert.", c_.shared_expert_intermediate_size, "gate_proj", "up_proj", "down_proj", false);
      L.shared_expert_gate = bind(moe + "shared_expert_gate.weight", {1, c_.hidden_size});
    }
  }

  // GPT-2: checkpoints may also carry h.N.attn.bias / masked_bias (causal-mask buffers): unused.
  void bind_gpt2() {
    const int64_t E = c_.hidden_size, I = c_.intermediate_size;
    const std::string wte = first_present({"transformer.wte.weight", "wte.weight"}, "token embedding (wte)");
    const std::string P = wte.substr(0, wte.size() - std::string("wte.weight").size());
    m_.embed_tokens_ = bind(wte, {c_.vocab_size, E});
    m_.embed_positions_ = bind(P + "wpe.weight", {c_.max_position_embeddings, E});
    auto conv1d = [&](const std::string& name, int64_t in, int64_t out) { return transposed(bind(name, {in, out})); };
    for (int64_t l = 0; l < c_.num_hidden_layers; ++l) {
      const std::string p = P + "h." + std::to_string(l) + ".";
      DecoderLM::Layer L;
      L.attn_norm = norm(p + "ln_1", E);
      L.mlp_norm = norm(p + "ln_2", E);
      const Tensor qkv = conv1d(p + "attn.c_attn.weight", E, 3 * E);
      L.q = kernels::slice_rows(qkv, 0, E);
      L.k = kernels::slice_rows(qkv, E, 2 * E);
      L.v = kernels::slice_rows(qkv, 2 * E, 3 * E);
      const std::vector<float> qkv_bias = vec(p + "attn.c_attn.bias", 3 * E);
      L.q_bias = split(qkv_bias, 0, E);
      L.k_bias = split(qkv_bias, E, 2 * E);
      L.v_bias = split(qkv_bias, 2 * E, 3 * E);
      L.o = conv1d(p + "attn.c_proj.weight", E, E);
      L.o_bias = vec(p + "attn.c_proj.bias", E);
      L.mlp.up = conv1d(p + "mlp.c_fc.weight", E, I);
      L.mlp.up_bias = vec(p + "mlp.c_fc.bias", I);
      L.mlp.down = conv1d(p + "mlp.c_proj.weight", I, E);
      L.mlp.down_bias = vec(p + "mlp.c_proj.bias", E);
      m_.layers_.push_back(std::move(L));
    }
    m_.final_norm_ = norm(P + "ln_f", E);
    bind_head("lm_head.weight");
  }

  DecoderLM& m_;
  const ModelConfig& c_;
  const WeightSource& w_;
};

DecoderLM::DecoderLM(ModelConfig config, std::shared_ptr<const WeightSource> weights, DType kv_cache_dtype,
                     kernels::MatmulPrecision matmul_precision)
    : config_(std::move(config)),
      weights_(std::move(weights)),
      kv_cache_dtype_(kv_cache_dtype),
      matmul_precision_(matmul_precision) {
  DecoderWeights(*this).bind_all();
}

}  // namespace hf
