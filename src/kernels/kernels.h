#pragma once
// CPU compute kernels. They know tensors and numbers, never models: a model is a sequence of
// calls to these functions. Activations are float32; weights stay in their stored dtype (F32, F16,
// BF16) and are widened on the fly inside the kernels.
//
// Every function here dispatches at run time to the best SIMD target (Highway) and, where the work
// is large enough, splits it over hf::ThreadPool::global(). Each has a scalar twin with the same
// signature in "kernels/reference.h" (namespace hf::kernels::reference) that tests compare against.
#include <cstdint>
#include <functional>
#include <span>

#include "hf/tensor.h"

namespace hf::kernels {

// ---- Linear algebra ---------------------------------------------------------------------------

// y[M,N] = x[M,K] · W[N,K]ᵀ (+ bias[N]). W is a 2-D tensor [N, K] in F32, F16 or BF16 (row-major,
// as nn.Linear stores it) or Q8_0 / Q4_0 (from quantize(); x is then quantized to int8 per block
// of 32 for the product, as llama.cpp does); x and y are float32 row-major with row strides ldx, ldy (elements;
// 0 = K resp. N). bias may be null. y must not alias x. With M > 1 the product is blocked so that
// each weight row is read once per block of rows (prompt processing is compute-bound).
// Throws hf::Error when W is not 2-D with K columns or has another dtype.
void matmul(const float* x, int64_t M, int64_t K, const Tensor& W, const float* bias, float* y,
            int64_t ldx = 0, int64_t ldy = 0);

// Several products of the same x: y_i = x · W_iᵀ (+ bias_i), each W_i [N_i, K] with its own output
// (row stride N_i). One parallel pass over ΣN_i rows instead of one per product: in decode each
// pass costs a synchronisation of the threads, which is not free next to a small product.
// An output may bring its own input x_i (same M, K and ldx), e.g. the down projections of several
// MoE experts, each fed its own activations: they still run in the one pass.
struct MatmulOutput {
  const Tensor* W = nullptr;
  const float* bias = nullptr;  // may be null
  float* y = nullptr;
  const float* x = nullptr;  // this output's own input rows; null = the group's shared x
};
// ldx / ldy: row strides of x (and of every x_i) and of every y (0 = K, resp. each output's N_i).
// x may be null when every output has its own.
void matmul_group(const float* x, int64_t M, int64_t K, std::span<const MatmulOutput> outputs, int64_t ldx = 0,
                  int64_t ldy = 0);

// Rows `ids` of a 2-D table [V, D] (F32/F16/BF16/Q8_0/Q4_0), widened to float32: out[i, :] = table[ids[i], :].
// Throws hf::InputError when an id is outside [0, V).
void embedding(const Tensor& table, const int32_t* ids, int64_t n, float* out);

// ---- Quantization -----------------------------------------------------------------------------

// Whether W can be quantized: a 2-D F32/F16/BF16 matrix whose rows are a multiple of 64.
bool can_quantize(const Tensor& W);
// W [N, K] quantized to `type` (Q8_0 or Q4_0): blocks of 32 weights with one f16 scale each,
// symmetric, every weight within half a step of its block's scale (Q4_0: a step on the side
// opposite the block's largest magnitude, which maps to -8). A new owned tensor; hf::Error when
// !can_quantize(W) or `type` is not a quantized dtype. SIMD over the threads, the same bytes as
// reference::quantize; an infinite or NaN weight gives unspecified quants in its block.
Tensor quantize(const Tensor& W, DType type);
// The same into `out`, which holds W.dim(0) quantized rows (Tensor::zeros(type, W.shape()).nbytes()):
// a caller assembling a large matrix from row blocks writes each block in place (blocks that start
// at multiples of 16 rows: quantized rows are stored in panels of 16, kernels/quant_format.h).
// The rows [b, e) of a quantized (or any) matrix, shared when the panels allow it (b a multiple of
// 16, e one or the end), else copied into panels of their own.
Tensor slice_rows(const Tensor& W, int64_t b, int64_t e);
void quantize_into(const Tensor& W, DType type, void* out);
// Row n of a 2-D weight in any weight dtype, as K floats (the dequantized values for Q8_0/Q4_0).
void dequantize_row(const Tensor& W, int64_t n, float* out);

// Precision of prefill products (M >= 16 rows) with BF16 weights. Float32 (the default): x stays
// float32, as the scalar reference and transformers in float32. BF16Activations (opt-in,
// LoadOptions::matmul_precision = "bf16"): x is rounded to bfloat16 and multiplied with AVX-512
// BF16 dot products (vdpbf16ps), twice the products per instruction, as llama.cpp's bf16 matmul
// and a torch bfloat16 model compute; logits then move by the rounding of x (more than the
// fixtures' tolerance). CPUs without AVX-512 BF16 keep float32. The setting belongs to the
// calling thread (its products, whichever threads run them): a model sets its own for the
// duration of a forward pass with ScopedMatmulPrecision, so two models may differ.
enum class MatmulPrecision { Float32, BF16Activations };
void set_matmul_precision(MatmulPrecision p);
MatmulPrecision matmul_precision();
class ScopedMatmulPrecision {  // sets this thread's precision, restores the previous one
 public:
  explicit ScopedMatmulPrecision(MatmulPrecision p) : saved_(matmul_precision()) { set_matmul_precision(p); }
  ~ScopedMatmulPrecision() { set_matmul_precision(saved_); }
  ScopedMatmulPrecision(const ScopedMatmulPrecision&) = delete;
  ScopedMatmulPrecision& operator=(const ScopedMatmulPrecision&) = delete;

 private:
  MatmulPrecision saved_;
};
bool has_bf16_dot_products();  // this CPU runs vdpbf16ps
// The BF16Activations product when it applies (that precision, BF16 W, a CPU with vdpbf16ps):
// computes y and returns true; false (nothing written) otherwise. matmul() calls it.
bool matmul_bf16_activations(const float* x, int64_t M, int64_t K, const Tensor& W, const float* bias, float* y,
                             int64_t ldx, int64_t ldy);

// ---- Normalisation ----------------------------------------------------------------------------

// RMSNorm over the last dimension: y = weight * x / sqrt(mean(x²) + eps), `rows` rows of `dim`.
// weight may be null (no scale). y may alias x.
void rms_norm(const float* x, const float* weight, float eps, int64_t rows, int64_t dim, float* y);

// LayerNorm over the last dimension: y = (x - mean) / sqrt(var + eps) * weight + bias (biased
// variance, as torch). weight / bias may be null. y may alias x.
void layer_norm(const float* x, const float* weight, const float* bias, float eps, int64_t rows,
                int64_t dim, float* y);

// ---- Element-wise (in place unless an output is given; outputs may alias inputs) ---------------

void softmax(float* x, int64_t n);                   // numerically stable; -inf entries get 0
// Index of the largest of x[0, n), the first on ties; a NaN counts as the largest (torch.argmax).
int64_t argmax(const float* x, int64_t n);
void silu(float* x, int64_t n);                      // x * sigmoid(x)
void gelu(float* x, int64_t n);                      // exact: 0.5 x (1 + erf(x / √2))
void gelu_tanh(float* x, int64_t n);                 // tanh approximation ("gelu_new", "gelu_pytorch_tanh")
void relu(float* x, int64_t n);
void silu_mul(const float* gate, const float* up, float* y, int64_t n);  // y = silu(gate) * up
void add(const float* a, const float* b, float* y, int64_t n);           // y = a + b
void mul(const float* a, const float* b, float* y, int64_t n);           // y = a * b
void scale(float* x, float s, int64_t n);                                // x *= s
void softcap(float* x, float cap, int64_t n);  // x = cap · tanh(x / cap) (Gemma 2's logit soft-capping)

// ---- Position encoding ------------------------------------------------------------------------

// Rotary embedding, "rotate half" convention (transformers' apply_rotary_pos_emb): for each of
// `tokens` rows (row stride `row_stride` floats) and each of `heads` heads of `head_dim`, with
// h = head_dim / 2 and c = cos[t, i], s = sin[t, i] for i < h:
//   x'[i]     = x[i] * c - x[i + h] * s
//   x'[i + h] = x[i + h] * c + x[i] * s
// cos and sin are [tokens, head_dim / 2] (the caller computes the angles: scaling is a model
// concern).
void rope(float* x, int64_t tokens, int64_t heads, int64_t head_dim, int64_t row_stride,
          const float* cos, const float* sin);

// ---- Attention --------------------------------------------------------------------------------

// Scaled dot-product attention of one sequence (one batch row) and one layer, all heads.
// Query t (0 ≤ t < T) sits at key index L - T + t. Keys and values are addressed by strides, so
// the same kernel reads a KV cache laid out [kv_head][position][dim] or fresh projections laid
// out [position][kv_head * dim]. Query head h reads KV head h / (n_heads / n_kv_heads) (GQA).
struct AttentionArgs {
  const float* q = nullptr;       // [T, n_heads * head_dim], row stride q_stride
  int64_t q_stride = 0;
  const void* k = nullptr;        // key j of KV head g at k + g * kv_head_stride + j * kv_pos_stride
  const void* v = nullptr;        // same layout as k
  int64_t kv_head_stride = 0, kv_pos_stride = 0;  // in elements of kv_dtype
  // F32, or F16 / BF16 for a half-size KV cache (widened to float32 in registers as they are read).
  DType kv_dtype = DType::F32;
  float* out = nullptr;           // [T, n_heads * head_dim], row stride out_stride
  int64_t out_stride = 0;
  int64_t T = 0, L = 0;           // new queries; keys (L ≥ T when causal)
  int n_heads = 0, n_kv_heads = 0, head_dim = 0;
  float scale = 0;                // usually 1 / sqrt(head_dim)
  bool causal = true;             // query t sees keys j ≤ L - T + t
  int64_t window = 0;             // > 0: query t also sees only keys j > (L - T + t) - window
  const uint8_t* key_mask = nullptr;  // [L], 0 = never attend (padding); null = all keys
  float softcap = 0;              // > 0: each score s becomes softcap · tanh(s / softcap) (Gemma 2)
  // Added to each scaled score of query t, head h, key j: bias[h * bias_head_stride + t *
  // bias_row_stride + j] (T5's relative position bias, shared by all layers); null = none.
  const float* bias = nullptr;
  int64_t bias_head_stride = 0, bias_row_stride = 0;
};
// A query row that may attend no key at all (all masked) gets zeros, as a fully padded row must
// not produce NaNs that later leak into other rows.
void attention(const AttentionArgs& args);

// ---- Introspection ----------------------------------------------------------------------------

// The SIMD target chosen at run time ("AVX3", "AVX2", "SSE4", "EMU128", ...), for `hfcpp info`.
const char* simd_target();
// Testing aid: runs fn once for every SIMD target compiled in and supported by this CPU, with
// dispatch forced to that target, then restores the normal choice.
void for_each_simd_target(const std::function<void(const char* target)>& fn);

}  // namespace hf::kernels
