// Kernels without a SIMD version dispatch to the scalar reference: embedding is a row copy per
// token and RoPE touches q/k once per layer, neither shows in a profile.
#include "kernels/kernels.h"

#include "kernels/reference.h"

namespace hf::kernels {

void embedding(const Tensor& table, const int32_t* ids, int64_t n, float* out) {
  reference::embedding(table, ids, n, out);
}
void rope(float* x, int64_t tokens, int64_t heads, int64_t head_dim, int64_t row_stride, const float* cos,
          const float* sin) {
  reference::rope(x, tokens, heads, head_dim, row_stride, cos, sin);
}

}  // namespace hf::kernels
