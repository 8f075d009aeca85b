// Row and element-wise kernels: RMSNorm, LayerNorm, softmax, activations, add/mul/scale.
// Each is memory-bound and short; SIMD keeps them out of the decode profile.
#include "kernels/kernels.h"

// AVX3_DL (VNNI) is compiled here too so that for_each_simd_target() visits it: the quantized
// matmul (qmatmul.cpp) has a path for it. Files without it fall back to their AVX3 code.
#define HWY_WANT_AVX3_DL
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/vector_ops.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "hwy/contrib/math/math-inl.h"
#include "kernels/simd-inl.h"

#if HWY_ONCE
#include <cmath>

#include "hwy/targets.h"
#include "kernels/kernels.h"
#include "kernels/reference.h"
#endif

HWY_BEFORE_NAMESPACE();
namespace hf::kernels::HWY_NAMESPACE {

// Applies f(vector) to blocks of lanes and g(scalar) to the tail; out may alias in.
template <class FV, class FS>
HWY_INLINE void Map(const float* in, float* out, int64_t n, FV fv, FS fs) {
  const DF d;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  int64_t i = 0;
  for (; i + L <= n; i += L) hn::StoreU(fv(d, hn::LoadU(d, in + i)), d, out + i);
  for (; i < n; ++i) out[i] = fs(in[i]);
}
template <class FV, class FS>
HWY_INLINE void Map2(const float* a, const float* b, float* out, int64_t n, FV fv, FS fs) {
  const DF d;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  int64_t i = 0;
  for (; i + L <= n; i += L) hn::StoreU(fv(d, hn::LoadU(d, a + i), hn::LoadU(d, b + i)), d, out + i);
  for (; i < n; ++i) out[i] = fs(a[i], b[i]);
}

// sigmoid(x) = 1 / (1 + exp(-x)); -x is clamped where exp would overflow (the result is 0 there).
HWY_INLINE VF Sigmoid(DF d, VF x) {
  const VF e = hn::Exp(d, hn::Min(hn::Neg(x), hn::Set(d, 88.0f)));
  return hn::Div(hn::Set(d, 1.0f), hn::Add(hn::Set(d, 1.0f), e));
}
HWY_INLINE float SigmoidScalar(float x) { return 1.0f / (1.0f + std::exp(std::min(-x, 88.0f))); }

void RmsNorm(const float* x, const float* weight, float eps, int64_t rows, int64_t dim, float* y) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * dim;
    float* yr = y + r * dim;
    const float inv = 1.0f / std::sqrt(Dot(xr, xr, dim) / static_cast<float>(dim) + eps);
    if (weight) {
      Map2(xr, weight, yr, dim, [inv](DF d, VF a, VF w) { return hn::Mul(hn::Mul(a, hn::Set(d, inv)), w); },
           [inv](float a, float w) { return a * inv * w; });
    } else {
      Map(xr, yr, dim, [inv](DF d, VF a) { return hn::Mul(a, hn::Set(d, inv)); }, [inv](float a) { return a * inv; });
    }
  }
}

void Softmax(float* x, int64_t n) {
  const DF d;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  float mx = -INFINITY;
  for (int64_t i = 0; i < n; ++i) mx = std::max(mx, x[i]);
  if (mx == -INFINITY) {
    for (int64_t i = 0; i < n; ++i) x[i] = 0.0f;
    return;
  }
  const VF vmx = hn::Set(d, mx);
  VF vsum = hn::Zero(d);
  int64_t i = 0;
  for (; i + L <= n; i += L) {
    const VF v = hn::LoadU(d, x + i);
    // exp(-inf) must be exactly 0 (masked entries); Highway's Exp is not defined there.
    const VF e = hn::IfThenZeroElse(hn::Eq(v, hn::Set(d, -INFINITY)), hn::Exp(d, hn::Max(hn::Sub(v, vmx), hn::Set(d, -100.0f))));
    hn::StoreU(e, d, x + i);
    vsum = hn::Add(vsum, e);
  }
  float sum = ReduceSum(d, vsum);
  for (; i < n; ++i) sum += (x[i] = std::exp(x[i] - mx));
  const float inv = 1.0f / sum;
  Map(x, x, n, [inv](DF dd, VF v) { return hn::Mul(v, hn::Set(dd, inv)); }, [inv](float v) { return v * inv; });
}

void Silu(float* x, int64_t n) {
  Map(x, x, n, [](DF d, VF v) { return hn::Mul(v, Sigmoid(d, v)); }, [](float v) { return v * SigmoidScalar(v); });
}
void SiluMul(const float* gate, const float* up, float* y, int64_t n) {
  Map2(gate, up, y, n, [](DF d, VF g, VF u) { return hn::Mul(hn::Mul(g, Sigmoid(d, g)), u); },
       [](float g, float u) { return g * SigmoidScalar(g) * u; });
}
void GeluTanh(float* x, int64_t n) {
  Map(x, x, n,
      [](DF d, VF v) {
        const VF inner = hn::Mul(hn::Set(d, 0.7978845608028654f), hn::MulAdd(hn::Mul(hn::Set(d, 0.044715f), hn::Mul(v, v)), v, v));
        return hn::Mul(hn::Mul(hn::Set(d, 0.5f), v), hn::Add(hn::Set(d, 1.0f), hn::Tanh(d, inner)));
      },
      [](float v) { return 0.5f * v * (1.0f + std::tanh(0.7978845608028654f * (v + 0.044715f * v * v * v))); });
}
void Relu(float* x, int64_t n) {
  Map(x, x, n, [](DF d, VF v) { return hn::Max(v, hn::Zero(d)); }, [](float v) { return std::max(v, 0.0f); });
}
void Add(const float* a, const float* b, float* y, int64_t n) {
  Map2(a, b, y, n, [](DF, VF u, VF v) { return hn::Add(u, v); }, [](float u, float v) { return u + v; });
}
void Mul(const float* a, const float* b, float* y, int64_t n) {
  Map2(a, b, y, n, [](DF, VF u, VF v) { return hn::Mul(u, v); }, [](float u, float v) { return u * v; });
}
void Scale(float* x, float s, int64_t n) {
  Map(x, x, n, [s](DF d, VF v) { return hn::Mul(v, hn::Set(d, s)); }, [s](float v) { return v * s; });
}
// Gemma 2's final logits run through it: a whole vocabulary per token, where std::tanh costs 1%
// of a decode step.
void Softcap(float* x, float cap, int64_t n) {
  Map(x, x, n, [cap](DF d, VF v) { return hn::Mul(hn::Set(d, cap), hn::Tanh(d, hn::Div(v, hn::Set(d, cap)))); },
      [cap](float v) { return cap * std::tanh(v / cap); });
}
// Greedy decoding's choice over a whole vocabulary per token. The plain loop compares x[i] with
// x[best] and moves `best`: a load and a conditional move in one dependency chain, ~6 cycles an
// element, 0.2 ms a token at 151,936 words (2% of an int4 decode step). Here two passes without
// that chain: the maximum (and whether any NaN), then the first lane equal to it.
int64_t Argmax(const float* x, int64_t n) {
  const DF d;
  const int64_t L = static_cast<int64_t>(hn::Lanes(d));
  VF vmax = hn::Set(d, -INFINITY);
  auto nan = hn::Lt(hn::Zero(d), hn::Zero(d));  // no lane
  int64_t i = 0;
  for (; i + L <= n; i += L) {
    const VF v = hn::LoadU(d, x + i);
    nan = hn::Or(nan, hn::IsNaN(v));
    vmax = hn::Max(vmax, v);
  }
  float mx = hn::GetLane(hn::MaxOfLanes(d, vmax));
  bool any_nan = !hn::AllFalse(d, nan);
  for (int64_t j = i; j < n; ++j) any_nan |= std::isnan(x[j]), mx = std::max(mx, x[j]);
  if (any_nan) {  // torch.argmax: a NaN is the maximum, the first one wins
    for (int64_t j = 0; j < n; ++j)
      if (std::isnan(x[j])) return j;
  }
  const VF vm = hn::Set(d, mx);
  for (i = 0; i + L <= n; i += L) {
    const intptr_t lane = hn::FindFirstTrue(d, hn::Eq(hn::LoadU(d, x + i), vm));
    if (lane >= 0) return i + lane;
  }
  for (; i < n; ++i)
    if (x[i] == mx) return i;
  return 0;  // n == 0, or only -inf: the first
}
const char* TargetName() { return hwy::TargetName(HWY_TARGET); }

}  // namespace hf::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace hf::kernels {

HWY_EXPORT(RmsNorm);
HWY_EXPORT(Softmax);
HWY_EXPORT(Silu);
HWY_EXPORT(SiluMul);
HWY_EXPORT(GeluTanh);
HWY_EXPORT(Relu);
HWY_EXPORT(Add);
HWY_EXPORT(Mul);
HWY_EXPORT(Scale);
HWY_EXPORT(Softcap);
HWY_EXPORT(Argmax);
HWY_EXPORT(TargetName);

void rms_norm(const float* x, const float* w, float eps, int64_t rows, int64_t dim, float* y) {
  HWY_DYNAMIC_DISPATCH(RmsNorm)(x, w, eps, rows, dim, y);
}
void softmax(float* x, int64_t n) { HWY_DYNAMIC_DISPATCH(Softmax)(x, n); }
void silu(float* x, int64_t n) { HWY_DYNAMIC_DISPATCH(Silu)(x, n); }
void silu_mul(const float* g, const float* u, float* y, int64_t n) { HWY_DYNAMIC_DISPATCH(SiluMul)(g, u, y, n); }
void gelu_tanh(float* x, int64_t n) { HWY_DYNAMIC_DISPATCH(GeluTanh)(x, n); }
void relu(float* x, int64_t n) { HWY_DYNAMIC_DISPATCH(Relu)(x, n); }
void add(const float* a, const float* b, float* y, int64_t n) { HWY_DYNAMIC_DISPATCH(Add)(a, b, y, n); }
void mul(const float* a, const float* b, float* y, int64_t n) { HWY_DYNAMIC_DISPATCH(Mul)(a, b, y, n); }
void scale(float* x, float s, int64_t n) { HWY_DYNAMIC_DISPATCH(Scale)(x, s, n); }
void softcap(float* x, float cap, int64_t n) { HWY_DYNAMIC_DISPATCH(Softcap)(x, cap, n); }
int64_t argmax(const float* x, int64_t n) { return HWY_DYNAMIC_DISPATCH(Argmax)(x, n); }
const char* simd_target() { return HWY_DYNAMIC_DISPATCH(TargetName)(); }

void for_each_simd_target(const std::function<void(const char*)>& fn) {
  for (int64_t target : hwy::SupportedAndGeneratedTargets()) {
    hwy::SetSupportedTargetsForTest(target);
    hwy::GetChosenTarget().Update(hwy::SupportedTargets());
    fn(hwy::TargetName(target));
  }
  hwy::SetSupportedTargetsForTest(0);
  hwy::GetChosenTarget().Update(hwy::SupportedTargets());
}

// Exact GELU needs erf, which Highway 1.0.3 lacks; LayerNorm runs once per layer row. Both stay
// scalar (they are the reference) until a profile says otherwise.
void gelu(float* x, int64_t n) { reference::gelu(x, n); }
void layer_norm(const float* x, const float* w, const float* b, float eps, int64_t rows, int64_t dim, float* y) {
  reference::layer_norm(x, w, b, eps, rows, dim, y);
}

}  // namespace hf::kernels
#endif
