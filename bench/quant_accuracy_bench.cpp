// bench_quant_accuracy [MODEL] [TOKENS]: how closely --quantize int8 / int4 follow the model as
// stored, measured as llama.cpp's `llama-perplexity --kl-divergence` does: over every position of
// one run of TOKENS ids (random ids below 32000, seed 0; teacher-forced, all positions' logits),
// the mean KL divergence KL(P_stored || P_quantized) of the next-token distributions and the share
// of positions whose top-1 token agrees. Prints one line per mode.
#include <hf/causal_lm.h>
#include <hf/error.h>
#include <hf/hub.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "models/quantization_error.h"

namespace {

// Logits [tokens, vocab] of one teacher-forced run, in chunks of 256 positions through the cache.
std::vector<float> run(const hf::CausalLM& m, const std::vector<int32_t>& ids) {
  const int64_t V = m.config().vocab_size;
  auto cache = m.new_cache(1, int64_t(ids.size()));
  std::vector<float> out;
  out.reserve(ids.size() * V);
  for (size_t b = 0; b < ids.size(); b += 256) {
    const size_t n = std::min<size_t>(256, ids.size() - b);
    hf::ForwardInput in;
    in.seq = static_cast<int>(n);
    in.input_ids = std::span<const int32_t>(ids.data() + b, n);
    in.all_positions = true;
    hf::Tensor t = m.forward(in, *cache);
    out.insert(out.end(), t.data_as<float>(), t.data_as<float>() + t.numel());
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) try {
  const std::string name = argc > 1 ? argv[1] : HF_FIXTURES "/tiny-qwen2";
  const int tokens = argc > 2 ? std::atoi(argv[2]) : 512;
  const auto dir = hf::resolve_model(name);
  std::vector<int32_t> ids(tokens);
  std::mt19937 rng(0);
  std::vector<float> ref;
  int64_t V = 0;
  {
    auto m = hf::load_causal_lm(dir);
    V = m->config().vocab_size;
    for (auto& id : ids) id = int32_t(rng() % std::min<int64_t>(V, 32000));
    ref = run(*m, ids);
  }
  std::printf("model %s, %d positions\n", name.c_str(), tokens);
  for (const char* q : {"int8", "int4"}) {
    auto m = hf::load_causal_lm(dir, {.quantization = q});
    const std::vector<float> got = run(*m, ids);
    double kl = 0, kl_max = 0;
    int agree = 0;
    for (int p = 0; p < tokens; ++p) {
      const float* r = ref.data() + int64_t(p) * V;
      const float* g = got.data() + int64_t(p) * V;
      const double k = hf::next_token_kl(r, g, V);
      kl += k;
      kl_max = std::max(kl_max, k);
      agree += std::max_element(r, r + V) == r + (std::max_element(g, g + V) - g);
    }
    std::printf("%s: weights %.1f MiB, mean KL %.5f (max %.4f), top-1 agreement %.2f%%\n", q,
                m->weight_bytes() / 1048576.0, kl / tokens, kl_max, 100.0 * agree / tokens);
  }
} catch (const hf::Error& e) {
  std::fprintf(stderr, "error: %s\n", e.what());
  return 1;
}
