// The scalar twin of the quantized matmul (qmatmul.cpp): same int8 activations, same integer
// block sums, double accumulation of the scaled sums.
#include "kernels/quant_format.h"
#include "kernels/reference.h"
#include "kernels/weight_check.h"

namespace hf::kernels::reference {

void quantized_matmul(const float* x, int64_t M, int64_t K, const Tensor& W, const float* bias, float* y,
                      int64_t ldx, int64_t ldy) {
  check_matmul_weight(W, K);
  const int64_t N = W.dim(0);
  if (ldx == 0) ldx = K;
  if (ldy == 0) ldy = N;
  quant::QuantizedActivations a;
  quant::quantize_activations(x, M, K, ldx, a);
  const int off = quant::quant_offset(W.dtype());
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n) {
      const uint8_t* wq = quant::row_quants(W, n);
      const uint16_t* ws = quant::row_scales(W, n);
      double acc = bias ? bias[n] : 0.0;
      for (int64_t b = 0; b < K / quant::kBlock; ++b) {
        // Block b is every other 4-byte group of its chunk (quant_format.h).
        const int64_t c = b / 2, h = b % 2;
        int64_t s = 0;
        for (int64_t g = h; g < 16; g += 2)
          for (int64_t i = 0; i < 4; ++i) {
            const int64_t p = c * quant::kChunk + 4 * g + i;
            s += int64_t(quant::quant_at(W.dtype(), wq, p) - off) * a.q[m * K + p];
          }
        acc += double(s) * f16_to_f32(ws[b]) * a.scale[m * K / quant::kBlock + b];
      }
      y[m * ldy + n] = static_cast<float>(acc);
    }
}

}  // namespace hf::kernels::reference
