// Decode attention at depth, by KV cache dtype: one new query over L cached positions in every
// layer of the Qwen2.5-0.5B shape (24 layers, 14 query heads over 2 KV heads of 64), each layer's
// keys and values in their own buffers so that a token streams the whole cache from memory as
// decoding does (f32 at depth 4096: 96 MiB per token). The dtypes take turns within each round
// (the machine is shared: only figures taken together compare); medians.
//
//   bench_attention_depth [L=4096] [rounds=15]
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "core/thread_pool.h"
#include "hf/tensor.h"
#include "kernels/kernels.h"
#include "timing.h"

int main(int argc, char** argv) {
  using namespace hf;
  const int64_t L = argc > 1 ? std::atoll(argv[1]) : 4096;
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 15;
  const int layers = 24, heads = 14, kv_heads = 2, hd = 64;
  const DType types[] = {DType::F32, DType::F16, DType::BF16};
  const int64_t elems = int64_t(kv_heads) * L * hd;  // one layer's keys (or values)

  // Per dtype and layer: K and V filled with the same pseudo-random values, rounded as stored.
  std::vector<std::vector<std::vector<uint8_t>>> kv(3, std::vector<std::vector<uint8_t>>(2 * layers));
  for (int d = 0; d < 3; ++d)
    for (int b = 0; b < 2 * layers; ++b) {
      auto& buf = kv[d][b];
      buf.resize(elems * dtype_size(types[d]));
      uint32_t s = 12345 + b;
      for (int64_t i = 0; i < elems; ++i) {
        s = s * 1664525u + 1013904223u;
        const float x = float(int32_t(s >> 8) - (1 << 23)) / float(1 << 23);
        if (types[d] == DType::F32) reinterpret_cast<float*>(buf.data())[i] = x;
        else if (types[d] == DType::F16) reinterpret_cast<uint16_t*>(buf.data())[i] = f32_to_f16(x);
        else reinterpret_cast<uint16_t*>(buf.data())[i] = f32_to_bf16(x);
      }
    }
  std::vector<float> q(heads * hd, 0.1f), out(heads * hd);

  std::vector<std::vector<double>> ms(3);
  for (int r = 0; r < rounds; ++r)
    for (int d = 0; d < 3; ++d)
      ms[d].push_back(1e3 * bench::seconds([&] {
        for (int l = 0; l < layers; ++l) {
          kernels::AttentionArgs a;
          a.q = q.data(), a.q_stride = heads * hd, a.out = out.data(), a.out_stride = heads * hd;
          a.k = kv[d][2 * l].data(), a.v = kv[d][2 * l + 1].data(), a.kv_dtype = types[d];
          a.kv_head_stride = L * hd, a.kv_pos_stride = hd;
          a.T = 1, a.L = L, a.n_heads = heads, a.n_kv_heads = kv_heads, a.head_dim = hd, a.scale = 0.125f;
          kernels::attention(a);
        }
      }));
  std::printf("decode attention, 24 layers at depth %lld, %d threads, median of %d rounds:\n", (long long)L,
              ThreadPool::global().size(), rounds);
  for (int d = 0; d < 3; ++d) {
    const double m = bench::median(ms[d]), bytes = 2.0 * layers * elems * dtype_size(types[d]);
    std::printf("  %-4s %7.2f ms/token  %6.1f MiB read  %5.1f GB/s  (%.2fx f32's time)\n", dtype_name(types[d]), m,
                bytes / 1048576, bytes / m / 1e6, m / bench::median(ms[0]));
  }
}
