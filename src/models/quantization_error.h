#pragma once
// How far a quantized model's next-token distributions are from the model as stored, measured as
// llama.cpp's `llama-perplexity --kl-divergence` does: KL(P_stored || P_quantized) per position
// and whether the top-1 tokens agree. Shared by the quantization tests and bench_quant_accuracy.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace hf {

// log softmax(x) in double (the KL of two close distributions is a small difference of large terms).
inline std::vector<double> log_softmax(const float* x, int64_t n) {
  const double mx = *std::max_element(x, x + n);
  double s = 0;
  for (int64_t i = 0; i < n; ++i) s += std::exp(x[i] - mx);
  const double log_s = std::log(s);
  std::vector<double> out(n);
  for (int64_t i = 0; i < n; ++i) out[i] = x[i] - mx - log_s;
  return out;
}

// KL(softmax(reference) || softmax(quantized)) over one row of `n` logits.
inline double next_token_kl(const float* reference, const float* quantized, int64_t n) {
  const std::vector<double> lr = log_softmax(reference, n), lq = log_softmax(quantized, n);
  double kl = 0;
  for (int64_t i = 0; i < n; ++i) kl += std::exp(lr[i]) * (lr[i] - lq[i]);
  return kl;
}

}  // namespace hf
