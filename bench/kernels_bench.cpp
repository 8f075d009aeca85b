// Kernel micro-benchmarks on Qwen2.5-0.5B shapes: decode matrix-vector products (bandwidth-bound,
// reported in GB/s of weights), prefill matrix products (compute-bound, reported in GFLOP/s), and
// decode attention over a cache. Run: build/bench/bench_kernels [THREADS [decode|stream|prefill|attention]]
// (Plain timing: the bench target links no benchmark library.)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>
#include <string>
#include <vector>

#include "core/thread_pool.h"
#include "kernels/kernels.h"

namespace {

hf::Tensor bf16_weight(int64_t N, int64_t K) {
  hf::Tensor t = hf::Tensor::zeros(hf::DType::BF16, {N, K});
  std::mt19937 rng(1);
  std::normal_distribution<float> d(0, 0.05f);
  for (int64_t i = 0; i < N * K; ++i) t.mutable_data_as<uint16_t>()[i] = hf::f32_to_bf16(d(rng));
  return t;
}

double cpu_seconds() {  // of the whole process, all threads
  timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

// Best wall seconds per call over `reps` calls after one warm-up, and the least CPU seconds (all
// threads) of a call: on a machine shared with other work the wall time measures the load, while
// work per CPU second still measures the kernel (with 1 thread, exactly; with more, idle workers
// spinning between calls count too).
struct Timing {
  double wall = 1e30, cpu = 1e30;
};
template <class F>
Timing best_time(int reps, F&& f) {
  f();
  Timing best;
  for (int i = 0; i < reps; ++i) {
    const double c0 = cpu_seconds();
    auto t0 = std::chrono::steady_clock::now();
    f();
    best.wall = std::min(best.wall, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    best.cpu = std::min(best.cpu, cpu_seconds() - c0);
  }
  return best;
}

// Each shape in bf16, then quantized to Q8_0 and Q4_0 (--quantize int8 / int4), in turn.
void bench_matmul(int64_t M, int64_t N, int64_t K) {
  const hf::Tensor bf16 = bf16_weight(N, K);
  std::vector<float> x(M * K, 0.01f), y(M * N);
  for (const hf::Tensor& W : {bf16, hf::kernels::quantize(bf16, hf::DType::Q8_0), hf::kernels::quantize(bf16, hf::DType::Q4_0)}) {
    const Timing t = best_time(M == 1 ? 50 : 5, [&] { hf::kernels::matmul(x.data(), M, K, W, nullptr, y.data()); });
    std::printf("matmul %-4s M=%-4lld N=%-6lld K=%-5lld %9.3f ms  %7.1f GFLOP/s (%6.1f per CPU-s)  %6.2f GB/s of weights\n",
                hf::dtype_name(W.dtype()), (long long)M, (long long)N, (long long)K, t.wall * 1e3,
                2.0 * M * N * K / t.wall / 1e9, 2.0 * M * N * K / t.cpu / 1e9, double(W.nbytes()) / t.wall / 1e9);
  }
  if (M > 1 && hf::kernels::has_bf16_dot_products()) {  // the bf16-activation GEMM (vdpbf16ps)
    hf::kernels::set_matmul_precision(hf::kernels::MatmulPrecision::BF16Activations);
    const Timing t = best_time(5, [&] { hf::kernels::matmul(x.data(), M, K, bf16, nullptr, y.data()); });
    hf::kernels::set_matmul_precision(hf::kernels::MatmulPrecision::Float32);
    std::printf("matmul BF16 M=%-4lld N=%-6lld K=%-5lld %9.3f ms  %7.1f GFLOP/s (%6.1f per CPU-s)  (x rounded to bf16, vdpbf16ps)\n",
                (long long)M, (long long)N, (long long)K, t.wall * 1e3, 2.0 * M * N * K / t.wall / 1e9,
                2.0 * M * N * K / t.cpu / 1e9);
  }
}

// Decode's weight stream without the model around it: one matrix-vector product per matrix of the
// 24 layers of Qwen2.5-0.5B (q, k, v, o, gate, up, down; 358 M weights, far beyond the caches),
// in the order decode reads them, in bf16, Q8_0 and Q4_0. Against the whole model's decode
// (`hfcpp bench`) it separates the kernels' GB/s on small matrices from what the layers add
// (serial work between products, attention, thread hand-offs).
void bench_layer_stream() {
  const int64_t H = 896, I = 4864, KV = 128;
  const std::vector<std::pair<int64_t, int64_t>> shapes = {{H, H}, {KV, H}, {KV, H}, {H, H}, {I, H}, {I, H}, {H, I}};
  std::vector<hf::Tensor> bf16;
  uint32_t state = 1;
  for (int layer = 0; layer < 24; ++layer)
    for (const auto& [N, K] : shapes) {
      hf::Tensor t = hf::Tensor::zeros(hf::DType::BF16, {N, K});
      uint16_t* v = t.mutable_data_as<uint16_t>();
      for (int64_t i = 0; i < N * K; ++i) {  // xorshift: random bits fast enough for 358 M weights
        state ^= state << 13, state ^= state >> 17, state ^= state << 5;
        v[i] = hf::f32_to_bf16(float(int32_t(state >> 8) - (1 << 23)) * 0x1p-23f * 0.05f);
      }
      bf16.push_back(std::move(t));
    }
  std::vector<float> x(I, 0.01f), y(I);
  for (const hf::DType type : {hf::DType::BF16, hf::DType::Q8_0, hf::DType::Q4_0}) {
    std::vector<hf::Tensor> weights;
    int64_t bytes = 0;
    for (const hf::Tensor& t : bf16) {
      weights.push_back(type == hf::DType::BF16 ? t : hf::kernels::quantize(t, type));
      bytes += weights.back().nbytes();
    }
    const Timing t = best_time(5, [&] {
      for (const hf::Tensor& W : weights) hf::kernels::matmul(x.data(), 1, W.dim(1), W, nullptr, y.data());
    });
    std::printf("layer stream %-4s %zu products, %6.1f MB: %7.3f ms a pass, %6.2f GB/s of weights\n",
                hf::dtype_name(type), weights.size(), bytes / 1e6, t.wall * 1e3, bytes / t.wall / 1e9);
  }
}

// T queries (1: a decode step; T = L: a prompt's causal self-attention) over L positions, one
// layer of Qwen2.5-0.5B: 14 query heads over 2 KV heads of 64.
void bench_attention(int64_t T, int64_t L) {
  const int heads = 14, kv = 2, hd = 64;
  std::vector<float> q(T * heads * hd, 0.1f), k(kv * L * hd, 0.01f), v(kv * L * hd, 0.02f), out(T * heads * hd);
  hf::kernels::AttentionArgs a;
  a.q = q.data(), a.q_stride = heads * hd, a.k = k.data(), a.v = v.data();
  a.kv_head_stride = L * hd, a.kv_pos_stride = hd, a.out = out.data(), a.out_stride = heads * hd;
  a.T = T, a.L = L, a.n_heads = heads, a.n_kv_heads = kv, a.head_dim = hd, a.scale = 0.125f;
  const Timing t = best_time(T == 1 ? 50 : 10, [&] { hf::kernels::attention(a); });
  std::printf("attention %-7s T=%-5lld L=%-6lld 14 heads / 2 KV, head_dim 64: %8.1f us (%8.1f CPU-us)\n",
              T == 1 ? "decode" : "prefill", (long long)T, (long long)L, t.wall * 1e6, t.cpu * 1e6);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1) hf::ThreadPool::set_default_threads(std::atoi(argv[1]));
  const std::string only = argc > 2 ? argv[2] : "";  // decode, stream, prefill or attention: that group alone
  auto wanted = [&](const char* group) { return only.empty() || only == group; };
  std::printf("SIMD target %s, %d threads\n", hf::kernels::simd_target(), hf::ThreadPool::global().size());
  if (wanted("decode")) {
    bench_matmul(1, 4864, 896);    // gate/up projection
    bench_matmul(1, 896, 4864);    // down projection
    bench_matmul(1, 151936, 896);  // tied lm_head
  }
  if (wanted("stream")) bench_layer_stream();
  if (wanted("prefill")) {
    bench_matmul(512, 4864, 896);  // pp512: gate/up projection
    bench_matmul(512, 896, 4864);  // pp512: down projection
  }
  if (wanted("attention")) {
    bench_attention(1, 512);
    bench_attention(1, 4096);
    bench_attention(512, 512);    // a 512-token prompt, one layer
    bench_attention(2048, 2048);
  }
  return 0;
}
