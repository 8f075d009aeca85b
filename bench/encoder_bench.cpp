// Sentences per second of the encoder on random models of all-MiniLM-L6-v2's shape (6 layers,
// hidden 384, 12 heads, intermediate 1536) and bert-base's (12 layers, 768, 12 heads, 3072), f32
// weights, 32-token sentences, batch 1 and 32; and the fraction of the arithmetic bound reached,
// the bound being the matmul kernel's own GFLOP/s on a large square product measured in the same
// run (prompt processing is compute-bound). Shared CPUs drift: compare figures taken together.
//
//   build/bench/bench_encoder [seconds per figure, default 3]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "kernels/kernels.h"
#include "memory_weights.h"
#include "models/encoder_model.h"

namespace {

using Clock = std::chrono::steady_clock;

using RandomWeights = hf::bench::MemoryWeights;

hf::EncoderConfig config(int64_t layers, int64_t H, int64_t heads, int64_t I) {
  hf::EncoderConfig c;
  c.model_type = "bert";
  c.vocab_size = 30522;
  c.hidden_size = H;
  c.num_hidden_layers = layers;
  c.num_attention_heads = heads;
  c.intermediate_size = I;
  c.max_position_embeddings = 512;
  c.type_vocab_size = 2;
  c.id2label = {"LABEL_0", "LABEL_1"};
  return c;
}

std::shared_ptr<RandomWeights> weights(const hf::EncoderConfig& c) {
  auto w = std::make_shared<RandomWeights>();
  const int64_t H = c.hidden_size, I = c.intermediate_size;
  w->random("embeddings.word_embeddings.weight", {c.vocab_size, H}, 0.5f);
  w->random("embeddings.position_embeddings.weight", {c.max_position_embeddings, H}, 0.3f);
  w->random("embeddings.token_type_embeddings.weight", {2, H}, 0.3f);
  auto norm = [&](const std::string& p) {
    w->random(p + ".weight", {H}, 1.0f);
    w->random(p + ".bias", {H}, 0.1f);
  };
  auto dense = [&](const std::string& p, int64_t out, int64_t in) {
    w->random(p + ".weight", {out, in}, 0.05f);
    w->random(p + ".bias", {out}, 0.1f);
  };
  norm("embeddings.LayerNorm");
  for (int64_t l = 0; l < c.num_hidden_layers; ++l) {
    const std::string p = "encoder.layer." + std::to_string(l) + ".";
    for (const char* n : {"attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"})
      dense(p + n, H, H);
    dense(p + "intermediate.dense", I, H);
    dense(p + "output.dense", H, I);
    norm(p + "attention.output.LayerNorm");
    norm(p + "output.LayerNorm");
  }
  return w;
}

// GFLOP/s of the f32 matmul kernel on a large product: the bound the encoder's layers run against.
double matmul_gflops(double seconds) {
  const int64_t M = 512, K = 768, N = 3072;
  hf::Tensor W = hf::Tensor::zeros(hf::DType::F32, {N, K});
  std::vector<float> x(M * K, 0.01f), y(M * N);
  int64_t runs = 0;
  const auto t0 = Clock::now();
  double elapsed = 0;
  while (elapsed < seconds) {
    hf::kernels::matmul(x.data(), M, K, W, nullptr, y.data());
    ++runs;
    elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
  }
  return 2.0 * M * K * N * runs / elapsed / 1e9;
}

void run(const char* name, const hf::EncoderConfig& c, double seconds, double bound_gflops) {
  hf::EncoderModelImpl model(c, weights(c), hf::EncoderHead::None);
  const int T = 32;
  for (int batch : {1, 32}) {
    std::vector<int32_t> ids(batch * T);
    for (size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<int32_t>(1000 + (i * 7919) % 20000);
    const hf::EncoderInput in{.batch = batch, .seq = T, .input_ids = ids};
    model.forward(in);  // warm-up
    int64_t sentences = 0;
    const auto t0 = Clock::now();
    double elapsed = 0;
    while (elapsed < seconds) {
      model.forward(in);
      sentences += batch;
      elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
    }
    const double H = c.hidden_size, I = c.intermediate_size;
    // Per token and layer: 4 H² (q, k, v, o) + 2 H I (MLP) multiply-adds, plus attention 2 T H.
    const double flops_per_sentence = 2.0 * T * c.num_hidden_layers * (4 * H * H + 2 * H * I + 2 * T * H);
    const double gflops = flops_per_sentence * sentences / elapsed / 1e9;
    std::printf("%-16s batch %2d  %8.1f sentences/s  %7.1f GFLOP/s  %5.1f%% of the matmul bound\n", name, batch,
                sentences / elapsed, gflops, 100.0 * gflops / bound_gflops);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 3.0;
  const double bound = matmul_gflops(seconds);
  std::printf("matmul kernel (512x768 · 768x3072, f32, %s): %.1f GFLOP/s\n", hf::kernels::simd_target(), bound);
  run("MiniLM-L6 shape", config(6, 384, 12, 1536), seconds, bound);
  run("bert-base shape", config(12, 768, 12, 3072), seconds, bound);
}
