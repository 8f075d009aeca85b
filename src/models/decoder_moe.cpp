// The mixture-of-experts MLP of Mixtral and Qwen-MoE (transformers' MixtralSparseMoeBlock,
// Qwen3MoeSparseMoeBlock, Qwen2MoeSparseMoeBlock): a router scores every expert, softmax in
// float32, the top k experts of each token run and their outputs are summed with the router
// weights (renormalised to 1 when norm_topk_prob). Each expert runs once over the rows routed to
// it, so a decode step reads only the chosen experts' weights.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "kernels/kernels.h"
#include "models/decoder_lm.h"

namespace hf {

// One token (decode): every chosen expert reads the same x, so the gate and up products of all
// of them are ONE matmul_group, and their down products (each on its own activations) another —
// two parallel passes over the 3k small matrices instead of 3k, each of which costs a
// synchronisation of the threads that a small expert cannot amortise.
void DecoderLM::decode_experts(const Layer& L, const float* x, const std::vector<std::vector<std::pair<int64_t, float>>>& routed,
                               float* y) const {
  const int64_t H = config_.hidden_size, I = config_.moe_intermediate_size;
  std::vector<int64_t> chosen;
  for (int64_t e = 0; e < int64_t(routed.size()); ++e)
    if (!routed[e].empty()) chosen.push_back(e);
  const int64_t k = static_cast<int64_t>(chosen.size());
  std::vector<float> gate(k * I), up(k * I), out(k * H);
  std::vector<kernels::MatmulOutput> products;
  for (int64_t i = 0; i < k; ++i) {
    const Mlp& m = L.experts[chosen[i]];
    products.push_back({&m.gate, m.gate_bias.empty() ? nullptr : m.gate_bias.data(), gate.data() + i * I});
    products.push_back({&m.up, m.up_bias.empty() ? nullptr : m.up_bias.data(), up.data() + i * I});
  }
  kernels::matmul_group(x, 1, H, products);
  kernels::silu_mul(gate.data(), up.data(), gate.data(), k * I);
  products.clear();
  for (int64_t i = 0; i < k; ++i) {
    const Mlp& m = L.experts[chosen[i]];
    products.push_back({&m.down, m.down_bias.empty() ? nullptr : m.down_bias.data(), out.data() + i * H, gate.data() + i * I});
  }
  kernels::matmul_group(nullptr, 1, I, products);
  for (int64_t i = 0; i < k; ++i) {  // summed in expert order, as one expert at a time did
    const float w = routed[chosen[i]][0].second;
    for (int64_t d = 0; d < H; ++d) y[d] += w * out[i * H + d];
  }
}

void DecoderLM::moe_forward(const Layer& L, const float* x, int64_t rows, float* y, std::vector<float>& scratch) const {
  const int64_t H = config_.hidden_size, E = config_.num_experts, K = config_.num_experts_per_tok;
  std::vector<float> scores(rows * E);
  kernels::matmul(x, rows, H, L.router, nullptr, scores.data());

  // Routing: expert e gets the rows (and their weights) that chose it.
  std::vector<std::vector<std::pair<int64_t, float>>> routed(E);
  std::vector<int64_t> order(E);
  for (int64_t r = 0; r < rows; ++r) {
    float* p = scores.data() + r * E;
    kernels::softmax(p, E);
    std::iota(order.begin(), order.end(), 0);
    // torch.topk order: larger first; equal scores keep the lower index first.
    std::partial_sort(order.begin(), order.begin() + K, order.end(),
                      [&](int64_t a, int64_t b) { return p[a] > p[b] || (p[a] == p[b] && a < b); });
    float sum = 0;
    for (int64_t i = 0; i < K; ++i) sum += p[order[i]];
    for (int64_t i = 0; i < K; ++i) routed[order[i]].push_back({r, config_.norm_topk_prob ? p[order[i]] / sum : p[order[i]]});
  }

  std::fill(y, y + rows * H, 0.0f);
  std::vector<float> in, out;
  if (rows == 1 && config_.hidden_act == "silu") {
    decode_experts(L, x, routed, y);
  } else {
    for (int64_t e = 0; e < E; ++e) {
      const auto& chosen = routed[e];
      if (chosen.empty()) continue;
      const int64_t n = static_cast<int64_t>(chosen.size());
      in.resize(n * H);
      out.resize(n * H);
      for (int64_t i = 0; i < n; ++i) std::copy_n(x + chosen[i].first * H, H, in.data() + i * H);
      mlp_forward(L.experts[e], in.data(), n, out.data(), scratch);
      for (int64_t i = 0; i < n; ++i) {
        float* dst = y + chosen[i].first * H;
        const float w = chosen[i].second;
        for (int64_t d = 0; d < H; ++d) dst[d] += w * out[i * H + d];
      }
    }
  }

  // Qwen2-MoE's shared expert runs on every token, scaled by sigmoid(shared_expert_gate · x).
  if (!L.shared_expert_gate.empty()) {
    out.resize(rows * H);
    std::vector<float> gate(rows);
    mlp_forward(L.shared_expert, x, rows, out.data(), scratch);
    kernels::matmul(x, rows, H, L.shared_expert_gate, nullptr, gate.data());
    for (int64_t r = 0; r < rows; ++r) {
      const float g = 1.0f / (1.0f + std::exp(-gate[r]));
      for (int64_t d = 0; d < H; ++d) y[r * H + d] += g * out[r * H + d];
    }
  }
}

}  // namespace hf
