// bench_quant_accuracy MODEL [TOKENS] | MODEL --text FILE [CTX [CHUNKS]]: how closely --quantize
// int8 / int4 follow the model as stored, measured as llama.cpp's `llama-perplexity
// --kl-divergence` does: the mean KL divergence KL(P_stored || P_quantized) of the next-token
// distributions and the share of positions whose top-1 token agrees. Prints one line per mode.
// - TOKENS (default 512): one teacher-forced run of random ids below 32000 (seed 0), every position
//   but the last.
// - --text FILE: FILE tokenized by the model's tokenizer (no special tokens) and cut into CHUNKS
//   (default 8) windows of CTX (default 512) tokens, each run from an empty cache and scored on its
//   second half only (positions CTX/2 .. CTX-2, as llama-perplexity scores a chunk), so the figures
//   stand beside `llama-perplexity -c CTX --chunks CHUNKS --kl-divergence` on the same file.
#include <hf/causal_lm.h>
#include <hf/error.h>
#include <hf/hub.h>
#include <hf/tokenizer.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "models/quantization_error.h"

namespace {

// Logits [tokens, vocab] of one teacher-forced run from an empty cache, 256 positions per step.
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

// The windows to run and, per window, the first position scored.
struct Windows {
  std::vector<std::vector<int32_t>> ids;
  int64_t first = 0;
};

// Logits of every window, kept only from `first` on.
std::vector<float> run_all(const hf::CausalLM& m, const Windows& w) {
  const int64_t V = m.config().vocab_size;
  std::vector<float> out;
  for (const auto& ids : w.ids) {
    const std::vector<float> l = run(m, ids);
    const int64_t scored = int64_t(ids.size()) - 1 - w.first;  // the last position predicts nothing
    out.insert(out.end(), l.begin() + w.first * V, l.begin() + (w.first + scored) * V);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) try {
  const std::string name = argc > 1 ? argv[1] : HF_FIXTURES "/tiny-qwen2";
  const auto dir = hf::resolve_model(name);
  Windows windows;
  std::string what;
  if (argc > 3 && std::string(argv[2]) == "--text") {
    std::ifstream f(argv[3], std::ios::binary);
    if (!f) throw hf::Error(std::string("cannot read ") + argv[3]);
    std::stringstream ss;
    ss << f.rdbuf();
    const std::vector<int32_t> all = hf::AutoTokenizer::from_pretrained(dir.string()).encode(ss.str(), false);
    const int64_t ctx = argc > 4 ? std::atoi(argv[4]) : 512, chunks = argc > 5 ? std::atoi(argv[5]) : 8;
    for (int64_t c = 0; c < chunks && (c + 1) * ctx <= int64_t(all.size()); ++c)
      windows.ids.emplace_back(all.begin() + c * ctx, all.begin() + (c + 1) * ctx);
    if (windows.ids.empty()) throw hf::Error("the text has fewer tokens than one window");
    windows.first = ctx / 2;
    what = std::to_string(windows.ids.size()) + " windows of " + std::to_string(ctx) + " tokens of " + argv[3] +
           ", second halves scored";
  } else {
    const int tokens = argc > 2 ? std::atoi(argv[2]) : 512;
    std::vector<int32_t> ids(tokens);
    std::mt19937 rng(0);
    const int64_t V = hf::load_causal_lm(dir)->config().vocab_size;
    for (auto& id : ids) id = int32_t(rng() % std::min<int64_t>(V, 32000));
    windows.ids = {ids};
    what = std::to_string(tokens) + " random ids";
  }
  std::vector<float> ref;
  int64_t V = 0;
  {
    auto m = hf::load_causal_lm(dir);
    V = m->config().vocab_size;
    ref = run_all(*m, windows);
  }
  const int64_t positions = int64_t(ref.size()) / V;
  std::printf("model %s, %s: %lld positions\n", name.c_str(), what.c_str(), static_cast<long long>(positions));
  for (const char* q : {"int8", "int4"}) {
    hf::LoadOptions options;
    options.quantization = q;
    auto m = hf::load_causal_lm(dir, options);
    const std::vector<float> got = run_all(*m, windows);
    double kl = 0, kl_max = 0;
    int64_t agree = 0;
    for (int64_t p = 0; p < positions; ++p) {
      const float* r = ref.data() + p * V;
      const float* g = got.data() + p * V;
      const double k = hf::next_token_kl(r, g, V);
      kl += k;
      kl_max = std::max(kl_max, k);
      agree += std::max_element(r, r + V) - r == std::max_element(g, g + V) - g;
    }
    std::printf("%s: weights %.1f MiB, mean KL %.6f (max %.4f), top-1 agreement %.2f%%\n", q,
                m->weight_bytes() / 1048576.0, kl / positions, kl_max, 100.0 * agree / positions);
  }
} catch (const hf::Error& e) {
  std::fprintf(stderr, "error: %s\n", e.what());
  return 1;
}
