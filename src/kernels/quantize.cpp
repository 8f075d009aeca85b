// Block quantization of weights (at load) and of activations (per quantized matmul call), and
// the way back. SIMD on every Highway target, bit-identical to the scalar twins in
// quant_reference.cpp: the block maxima are exact in any order, each block's scale is computed
// by the same scalar code (quant::block_scale), and the rounding is the same two float operations.
// Each 64-weight chunk is rounded in element order into a small buffer, then its 4-byte groups
// are copied to their interleaved positions (quant_format.h).
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/quantize.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "kernels/simd-inl.h"

#include <cstring>

#include "kernels/quant_format.h"
#include "kernels/weight_check.h"

#if HWY_ONCE
#include "core/thread_pool.h"
#include "hf/error.h"
#include "kernels/kernels.h"
#endif

HWY_BEFORE_NAMESPACE();
namespace hf::kernels::HWY_NAMESPACE {

using quant::kBlock;
using quant::kChunk;
using DI = hn::RebindToSigned<DF>;

HWY_INLINE float BlockAbsMax(DF d, const float* w) {
  VF m = hn::Zero(d);
  for (size_t i = 0; i < kBlock; i += hn::Lanes(d)) m = hn::Max(m, hn::Abs(hn::LoadU(d, w + i)));
  return hn::GetLane(hn::MaxOfLanes(d, m));
}

// The first element of the block whose magnitude is amax (> 0).
HWY_INLINE float FirstOfMagnitude(DF d, const float* w, float amax) {
  for (size_t i = 0; i < kBlock; i += hn::Lanes(d)) {
    const intptr_t j = hn::FindFirstTrue(d, hn::Eq(hn::Abs(hn::LoadU(d, w + i)), hn::Set(d, amax)));
    if (j >= 0) return w[i + j];
  }
  return 0;
}

// out[i] = clamp(round_to_int(w[i] * inverse), lo, hi) + offset for the 32 elements of a block,
// as T (uint8_t for weight quants, int8_t for activations).
template <class T>
HWY_INLINE void RoundBlock(DF d, const float* w, float inverse, int lo, int hi, int offset, T* out) {
  const DI di;
  const hn::Rebind<T, DI> dt;
  const VF id = hn::Set(d, inverse), half = hn::Set(d, 0.5f), neg_half = hn::Set(d, -0.5f);
  for (size_t i = 0; i < kBlock; i += hn::Lanes(d)) {
    // v has two uses (the compare and the add), so the compiler cannot fuse the multiply and the
    // add into one FMA, which would round differently from the scalar twin.
    const VF v = hn::Mul(hn::LoadU(d, w + i), id);
    const VF r = hn::Add(v, hn::IfThenElse(hn::Ge(v, hn::Zero(d)), half, neg_half));
    auto q = hn::Min(hn::Max(hn::ConvertTo(di, r), hn::Set(di, lo)), hn::Set(di, hi));
    hn::StoreU(hn::DemoteTo(dt, hn::Add(q, hn::Set(di, offset))), dt, out + i);
  }
}

// A chunk of 64 bytes in element order to its interleaved order: 4-byte group g comes from
// block g % 2, elements 4 * (g / 2) + 0..3.
HWY_INLINE void Interleave(const void* elements, void* out) {
  for (int g = 0; g < 16; ++g)
    std::memcpy(static_cast<uint8_t*>(out) + 4 * g, static_cast<const uint8_t*>(elements) + (g % 2) * 32 + 4 * (g / 2), 4);
}

void QuantizeRow(DType t, const float* w, int64_t K, uint8_t* q, uint16_t* scales) {
  const DF d;
  alignas(64) uint8_t elements[kChunk], interleaved[kChunk];
  for (int64_t c = 0; c < K / kChunk; ++c) {
    for (int h = 0; h < 2; ++h) {
      const int64_t b = 2 * c + h;
      const float* wb = w + b * kBlock;
      const float amax = BlockAbsMax(d, wb);
      const quant::BlockScale s = quant::block_scale(t, amax, t == DType::Q4_0 && amax > 0 ? FirstOfMagnitude(d, wb, amax) : 0);
      scales[b] = s.f16;
      RoundBlock(d, wb, s.inverse, quant::quant_min(t), quant::quant_max(t), quant::quant_offset(t), elements + h * kBlock);
    }
    if (t == DType::Q8_0) {
      Interleave(elements, q + c * kChunk);
    } else {  // interleaved positions 0..31 in the low nibbles, 32..63 in the high ones
      Interleave(elements, interleaved);
      for (int i = 0; i < 4; ++i) {
        uint64_t lo, hi;
        std::memcpy(&lo, interleaved + 8 * i, 8);
        std::memcpy(&hi, interleaved + 32 + 8 * i, 8);
        lo |= hi << 4;  // every byte is below 16: no carry into the next byte
        std::memcpy(q + c * 32 + 8 * i, &lo, 8);
      }
    }
  }
}

// Rows [n0, n1) of W quantized into the tensor at `out` (quant_format.h: in panels), through one
// row of floats and one row of quantized bytes.
template <class WT>
void QuantizeRowsOf(const WT* w, int64_t N, int64_t K, DType t, int64_t n0, int64_t n1, uint8_t* out) {
  const DF d;
  const size_t L = hn::Lanes(d);
  const int64_t rb = quant::row_bytes(t, K), P = quant::kPanelRows;
  std::vector<float> row(K);
  std::vector<uint8_t> q(P * rb);  // a panel's rows in the row layout, or one row
  auto quantize_row = [&](int64_t n, uint8_t* dst) {
    for (int64_t k = 0; k < K; k += L) hn::StoreU(LoadWidened(d, w + n * K + k), d, row.data() + k);
    QuantizeRow(t, row.data(), K, dst, reinterpret_cast<uint16_t*>(dst + quant::quant_bytes(t, K)));
  };
  for (int64_t n = n0; n < n1;) {
    if (n % P == 0 && n + P <= std::min(n1, quant::panel_rows(N))) {  // a whole panel
      for (int64_t j = 0; j < P; ++j) quantize_row(n + j, q.data() + j * rb);
      quant::store_panel(t, K, q.data(), out + n * rb);
      n += P;
    } else {
      quantize_row(n, q.data());
      quant::store_row(t, N, K, n, q.data(), out);
      ++n;
    }
  }
}

void QuantizeRows(const Tensor& W, DType t, int64_t n0, int64_t n1, uint8_t* out) {
  const int64_t N = W.dim(0), K = W.dim(1);
  switch (W.dtype()) {
    case DType::F32: return QuantizeRowsOf(W.data_as<float>(), N, K, t, n0, n1, out);
    case DType::BF16: return QuantizeRowsOf(reinterpret_cast<const BF16*>(W.data()), N, K, t, n0, n1, out);
    default: return QuantizeRowsOf(reinterpret_cast<const F16*>(W.data()), N, K, t, n0, n1, out);
  }
}

void QuantizeActivations(const float* x, int64_t M, int64_t K, int64_t ldx, quant::QuantizedActivations& out) {
  const DF d;
  const DI di;
  alignas(64) int8_t elements[kChunk];
  for (int64_t m = 0; m < M; ++m) {
    const float* xm = x + m * ldx;
    int8_t* q = out.q.data() + m * K;
    float* scale = out.scale.data() + m * K / kBlock;
    for (int64_t c = 0; c < K / kChunk; ++c) {
      for (int h = 0; h < 2; ++h) {
        const int64_t b = 2 * c + h;
        const float amax = BlockAbsMax(d, xm + b * kBlock);
        const float dx = amax / 127.0f;
        scale[b] = dx;
        RoundBlock(d, xm + b * kBlock, dx != 0 ? 1.0f / dx : 0.0f, -127, 127, 0, elements + h * kBlock);
      }
      Interleave(elements, q + c * kChunk);
    }
    // lane_sum: minus the sum of the 4 signed bytes of each int32 lane (sign-extended by shifts).
    int32_t* sums = out.lane_sum.data() + m * K / 4;
    for (int64_t i = 0; i < K / 4; i += hn::Lanes(di)) {
      const auto v = hn::LoadU(di, reinterpret_cast<const int32_t*>(q) + i);
      const auto s = hn::Add(hn::Add(hn::ShiftRight<24>(hn::ShiftLeft<24>(v)), hn::ShiftRight<24>(hn::ShiftLeft<16>(v))),
                             hn::Add(hn::ShiftRight<24>(hn::ShiftLeft<8>(v)), hn::ShiftRight<24>(v)));
      hn::StoreU(hn::Neg(s), di, sums + i);
    }
    // block_sum: block b's lanes are every other one of its chunk's 16 (quant_format.h).
    for (int64_t b = 0; b < K / kBlock; ++b) {
      int32_t s = 0;
      for (int g = 0; g < 8; ++g) s += sums[b / 2 * 16 + 2 * g + b % 2];
      out.block_sum[m * K / kBlock + b] = s;
    }
  }
}

}  // namespace hf::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace hf::kernels {

HWY_EXPORT(QuantizeRows);
HWY_EXPORT(QuantizeActivations);

bool can_quantize(const Tensor& W) {
  return W.ndim() == 2 && W.dim(1) % quant::kChunk == 0 &&
         (W.dtype() == DType::F32 || W.dtype() == DType::F16 || W.dtype() == DType::BF16);
}

namespace {

void check_quantize(const Tensor& W, DType type) {
  if (type != DType::Q8_0 && type != DType::Q4_0)
    throw Error(std::string("quantize: ") + dtype_name(type) + " is not a quantized dtype (Q8_0, Q4_0)");
  if (!can_quantize(W))
    throw Error("quantize: weight " + W.shape_string() + " " + dtype_name(W.dtype()) +
                " is not a 2-D F32/F16/BF16 matrix whose rows are a multiple of 64");
}

}  // namespace

void quantize_into(const Tensor& W, DType type, void* out) {
  check_quantize(W, type);
  uint8_t* base = static_cast<uint8_t*>(out);
  ThreadPool::global().parallel_for(W.dim(0), [&](int64_t n0, int64_t n1) {
    HWY_DYNAMIC_DISPATCH(QuantizeRows)(W, type, n0, n1, base);
  }, 16);
}

Tensor quantize(const Tensor& W, DType type) {
  check_quantize(W, type);
  Tensor out = Tensor::zeros(type, W.shape());
  quantize_into(W, type, out.mutable_data_as<uint8_t>());
  return out;
}

Tensor slice_rows(const Tensor& W, int64_t b, int64_t e) {
  const int64_t N = W.dim(0);
  if (!is_quantized(W.dtype()) || (b % quant::kPanelRows == 0 && (e % quant::kPanelRows == 0 || e == N)))
    return W.rows(b, e);
  if (b < 0 || e < b || e > N) return W.rows(b, e);  // Tensor::rows names the bad range
  const int64_t K = W.dim(1);
  Tensor out = Tensor::zeros(W.dtype(), {e - b, K});
  std::vector<uint8_t> row(quant::row_bytes(W.dtype(), K));
  for (int64_t n = b; n < e; ++n) {
    quant::load_row(W, n, row.data());
    quant::store_row(W.dtype(), e - b, K, n - b, row.data(), out.mutable_data_as<uint8_t>());
  }
  return out;
}

void dequantize_row(const Tensor& W, int64_t n, float* out) {
  const int64_t K = W.dim(1);
  switch (W.dtype()) {
    case DType::Q8_0: case DType::Q4_0:
      for (int64_t k = 0; k < K; ++k) out[k] = quant::dequantized_at(W, n, k);
      return;
    case DType::F32: std::memcpy(out, W.data_as<float>() + n * K, K * sizeof(float)); return;
    case DType::BF16: for (int64_t k = 0; k < K; ++k) out[k] = bf16_to_f32(W.data_as<uint16_t>()[n * K + k]); return;
    default: for (int64_t k = 0; k < K; ++k) out[k] = f16_to_f32(W.data_as<uint16_t>()[n * K + k]); return;
  }
}

namespace quant {

void quantize_activations(const float* x, int64_t M, int64_t K, int64_t ldx, QuantizedActivations& out) {
  out.M = M;
  out.K = K;
  out.q.resize(M * K);
  out.scale.resize(M * K / kBlock);
  out.lane_sum.resize(M * K / 4);
  out.block_sum.resize(M * K / kBlock);
  HWY_DYNAMIC_DISPATCH(QuantizeActivations)(x, M, K, ldx, out);
}

}  // namespace quant
}  // namespace hf::kernels
#endif
