// Dispatch: for now every kernel is its scalar reference; SIMD versions replace them one by one.
#include "kernels/kernels.h"

#include "kernels/reference.h"

namespace hf::kernels {

void matmul(const float* x, int64_t M, int64_t K, const Tensor& W, const float* bias, float* y,
            int64_t ldx, int64_t ldy) {
  reference::matmul(x, M, K, W, bias, y, ldx, ldy);
}
void embedding(const Tensor& table, const int32_t* ids, int64_t n, float* out) {
  reference::embedding(table, ids, n, out);
}
void rms_norm(const float* x, const float* w, float eps, int64_t rows, int64_t dim, float* y) {
  reference::rms_norm(x, w, eps, rows, dim, y);
}
void layer_norm(const float* x, const float* w, const float* b, float eps, int64_t rows, int64_t dim, float* y) {
  reference::layer_norm(x, w, b, eps, rows, dim, y);
}
void softmax(float* x, int64_t n) { reference::softmax(x, n); }
void silu(float* x, int64_t n) { reference::silu(x, n); }
void gelu(float* x, int64_t n) { reference::gelu(x, n); }
void gelu_tanh(float* x, int64_t n) { reference::gelu_tanh(x, n); }
void relu(float* x, int64_t n) { reference::relu(x, n); }
void silu_mul(const float* g, const float* u, float* y, int64_t n) { reference::silu_mul(g, u, y, n); }
void add(const float* a, const float* b, float* y, int64_t n) { reference::add(a, b, y, n); }
void mul(const float* a, const float* b, float* y, int64_t n) { reference::mul(a, b, y, n); }
void scale(float* x, float s, int64_t n) { reference::scale(x, s, n); }
void rope(float* x, int64_t tokens, int64_t heads, int64_t head_dim, int64_t row_stride, const float* cos,
          const float* sin) {
  reference::rope(x, tokens, heads, head_dim, row_stride, cos, sin);
}
void attention(const AttentionArgs& args) { reference::attention(args); }
const char* simd_target() { return "scalar"; }

}  // namespace hf::kernels
