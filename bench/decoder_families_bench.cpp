// bench_decoder_families DIR... [--tokens N] [--rounds R]: decode tokens/s of several model folders
// (e.g. random models of each family at one parameter count, made by bench/randfamily.py),
// measured in alternation: each round decodes N tokens on every model in turn, starting at the
// next model each round, so that load from other processes hits all alike. Prints each model's
// median over the rounds, its ratio to the first model's median, and the median of its
// per-round ratios (each taken within one round: the steadier figure on a shared machine).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "hf/causal_lm.h"

namespace {
double median(std::vector<double> t) {
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

// Tokens/s of `n` single-token decode steps after a 16-token prompt.
double decode_rate(const hf::CausalLM& m, int n) {
  auto cache = m.new_cache(1, 16 + n + 1);
  std::vector<int32_t> prompt(16);
  for (int i = 0; i < 16; ++i) prompt[i] = (i * 7919) % int32_t(m.config().vocab_size);
  hf::ForwardInput in;
  in.seq = 16;
  in.input_ids = prompt;
  m.forward(in, *cache);
  int32_t next = 1;
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    hf::ForwardInput one;
    one.seq = 1;
    one.input_ids = std::span<const int32_t>(&next, 1);
    hf::Tensor logits = m.forward(one, *cache);
    next = int32_t(std::max_element(logits.data_as<float>(), logits.data_as<float>() + logits.numel()) - logits.data_as<float>());
  }
  return n / std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

int main(int argc, char** argv) try {
  std::vector<std::string> dirs;
  int tokens = 16, rounds = 5;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--tokens") && i + 1 < argc) tokens = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--rounds") && i + 1 < argc) rounds = std::atoi(argv[++i]);
    else dirs.push_back(argv[i]);
  }
  if (dirs.empty()) {
    std::fprintf(stderr, "usage: bench_decoder_families DIR... [--tokens N] [--rounds R]\n");
    return 2;
  }
  std::vector<std::shared_ptr<const hf::CausalLM>> models;
  for (const auto& d : dirs) models.push_back(hf::load_causal_lm(d));
  for (const auto& m : models) decode_rate(*m, 2);  // page the weights in
  std::vector<std::vector<double>> rates(models.size());
  // Each round starts at another model, so that none is always measured first (or right after
  // the same neighbour).
  for (int r = 0; r < rounds; ++r) {
    for (size_t i = 0; i < models.size(); ++i) rates[i].push_back(0);
    for (size_t j = 0; j < models.size(); ++j) {
      const size_t i = (j + size_t(r)) % models.size();
      rates[i][r] = decode_rate(*models[i], tokens);
    }
  }
  const double base = median(rates[0]);
  std::printf("%-40s %12s %10s %10s %12s\n", "model", "params (M)", "decode t/s", "vs first", "round ratios");
  for (size_t i = 0; i < models.size(); ++i) {
    std::vector<double> ratios;
    for (int r = 0; r < rounds; ++r) ratios.push_back(rates[i][r] / rates[0][r]);
    std::printf("%-40s %12.1f %10.2f %10.3f %12.3f\n", dirs[i].c_str(), models[i]->num_parameters() / 1e6,
                median(rates[i]), median(rates[i]) / base, median(ratios));
  }
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "bench_decoder_families: error: %s\n", e.what());
  return 1;
}
