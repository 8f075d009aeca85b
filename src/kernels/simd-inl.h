// Per-target SIMD helpers shared by the Highway kernel files (matmul.cpp, vector_ops.cpp,
// attention.cpp). Included once per target by foreach_target.h, hence the toggle guard
// instead of #pragma once (Highway's -inl.h convention). Only src/kernels includes this.
#if defined(HF_KERNELS_SIMD_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef HF_KERNELS_SIMD_INL_H_
#undef HF_KERNELS_SIMD_INL_H_
#else
#define HF_KERNELS_SIMD_INL_H_
#endif

#include <bit>
#include <cstdint>

#include "hf/tensor.h"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace hf::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

using DF = hn::ScalableTag<float>;
using VF = hn::Vec<DF>;

// Weight element types as stored: float, bf16 and f16 are all widened to float32 lanes.
struct BF16 { uint16_t bits; };
struct F16 { uint16_t bits; };

HWY_INLINE VF LoadWidened(DF d, const float* p) { return hn::LoadU(d, p); }
// bf16 is the high half of a float32: widening is a shift of the bits.
HWY_INLINE VF LoadWidened(DF d, const BF16* p) {
  const hn::Rebind<uint16_t, DF> du16;
  const hn::Rebind<uint32_t, DF> du32;
  return hn::BitCast(d, hn::ShiftLeft<16>(hn::PromoteTo(du32, hn::LoadU(du16, reinterpret_cast<const uint16_t*>(p)))));
}
HWY_INLINE VF LoadWidened(DF d, const F16* p) {
  const hn::Rebind<hwy::float16_t, DF> dh;
  return hn::PromoteTo(d, hn::LoadU(dh, reinterpret_cast<const hwy::float16_t*>(p)));
}

HWY_INLINE float ScalarWidened(float v) { return v; }
// Inline (bf16_to_f32 is an exported call): the GEMM widens every weight this way when packing.
HWY_INLINE float ScalarWidened(BF16 v) { return std::bit_cast<float>(uint32_t{v.bits} << 16); }
HWY_INLINE float ScalarWidened(F16 v) { return f16_to_f32(v.bits); }

HWY_INLINE float ReduceSum(DF d, VF v) { return hn::GetLane(hn::SumOfLanes(d, v)); }

// Σ a[i] * b[i] over n, b widened from its stored type (float, BF16 or F16: attention reads a
// half-size KV cache through these).
template <class T>
HWY_INLINE float Dot(const float* a, const T* b, int64_t n) {
  const DF d;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  VF s0 = hn::Zero(d), s1 = hn::Zero(d);
  int64_t i = 0;
  for (; i + 2 * N <= n; i += 2 * N) {
    s0 = hn::MulAdd(hn::LoadU(d, a + i), LoadWidened(d, b + i), s0);
    s1 = hn::MulAdd(hn::LoadU(d, a + i + N), LoadWidened(d, b + i + N), s1);
  }
  for (; i + N <= n; i += N) s0 = hn::MulAdd(hn::LoadU(d, a + i), LoadWidened(d, b + i), s0);
  float s = ReduceSum(d, hn::Add(s0, s1));
  for (; i < n; ++i) s += a[i] * ScalarWidened(b[i]);
  return s;
}

// y[i] += a * x[i] over n, x widened from its stored type.
template <class T>
HWY_INLINE void Axpy(float a, const T* x, float* y, int64_t n) {
  const DF d;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  const VF va = hn::Set(d, a);
  int64_t i = 0;
  for (; i + N <= n; i += N) hn::StoreU(hn::MulAdd(va, LoadWidened(d, x + i), hn::LoadU(d, y + i)), d, y + i);
  for (; i < n; ++i) y[i] += a * ScalarWidened(x[i]);
}

}  // namespace hf::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // HF_KERNELS_SIMD_INL_H_
