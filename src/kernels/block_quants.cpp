#include "kernels/block_quants.h"

#include <atomic>
#include <string>
#include <vector>

#include "core/thread_pool.h"
#include "hf/error.h"
#include "kernels/quant_format.h"

namespace hf::kernels {

using namespace quant;

Tensor pack_block_quants(DType type, int64_t N, int64_t K, const int8_t* values, const uint16_t* scales) {
  if (type != DType::Q8_0 && type != DType::Q4_0)
    throw Error(std::string("pack_block_quants: ") + dtype_name(type) + " is not Q8_0 or Q4_0");
  if (N < 0 || K <= 0 || K % kChunk != 0)
    throw Error("pack_block_quants: rows of " + std::to_string(K) + " weights are not a positive multiple of 64");
  // Q8_0 stops at -127 as kernels::quantize does: the AVX2 / AVX-512 kernels without VNNI negate
  // quants, and -128 has no int8 negation.
  const int lo = type == DType::Q8_0 ? -127 : -8, hi = type == DType::Q8_0 ? 127 : 7;
  Tensor out = Tensor::zeros(type, {N, K});
  uint8_t* base = out.mutable_data_as<uint8_t>();
  std::atomic<bool> in_range = true;
  ThreadPool::global().parallel_for(N, [&](int64_t n0, int64_t n1) {
    std::vector<uint8_t> row(row_bytes(type, K));
    for (int64_t n = n0; n < n1; ++n) {
      std::fill(row.begin(), row.end(), 0);
      uint8_t* q = row.data();
      auto* row_scales = reinterpret_cast<uint16_t*>(q + quant_bytes(type, K));
      for (int64_t b = 0; b < K / kBlock; ++b) row_scales[b] = scales[n * (K / kBlock) + b];
      for (int64_t k = 0; k < K; ++k) {
        const int v = values[n * K + k];
        if (v < lo || v > hi) in_range.store(false, std::memory_order_relaxed);
        const int u = (v + quant_offset(type)) & 0xFF;  // stored unsigned (quant_format.h)
        const int64_t p = k / kChunk * kChunk + position(k % kChunk);
        if (type == DType::Q8_0) q[p] = static_cast<uint8_t>(u);
        else q[p / kChunk * 32 + p % 32] |= static_cast<uint8_t>(p % kChunk < 32 ? (u & 15) : (u & 15) << 4);
      }
      store_row(type, N, K, n, q, base);
    }
  }, 16);
  if (!in_range)
    throw Error(std::string("pack_block_quants: a value does not fit ") + dtype_name(type) + " (" +
                std::to_string(lo) + ".." + std::to_string(hi) + ")");
  return out;
}

}  // namespace hf::kernels
