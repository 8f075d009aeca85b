// y = x · Wᵀ for Q8_0 / Q4_0 weights: int8 activations (quantized per block of 32, as llama.cpp
// does for its q8_0 / q4_0 dot products) times unsigned weight quants, summed in int32 per
// block, then scaled by the two block scales into float accumulators (layout: quant_format.h).
//
// Highway 1.0.3 has no u8×i8 dot product, so the x86 targets use intrinsics inside their
// dispatched namespace: AVX3_DL `vpdpbusd` (VNNI, 64 products per instruction), AVX3 and AVX2
// `vpmaddubsw` + `vpmaddwd`. Other targets run a plain loop. The hot loop is Tile: MR activation
// rows × NR weight rows, each chunk of weights unpacked once for MR rows.
#define HWY_WANT_AVX3_DL  // compile Highway's AVX3_DL (Ice Lake and later: VNNI) target here
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/qmatmul.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "kernels/quant_format.h"

#if HWY_TARGET == HWY_AVX3_DL || HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX2
#include <immintrin.h>
#endif

HWY_BEFORE_NAMESPACE();
#if HWY_TARGET == HWY_AVX3_DL
// Highway 1.0.3's AVX3_DL target string names "avxvnni" but not "avx512vnni" (its runtime check
// does require AVX512-VNNI), so the 512-bit vpdpbusd needs it enabled here.
#pragma GCC push_options
#pragma GCC target("avx512vnni")
#endif
namespace hf::kernels::HWY_NAMESPACE {

using quant::kBlock;
using quant::kChunk;
using quant::QuantizedActivations;

template <class T>
HWY_INLINE T LoadAs(const void* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

#if HWY_TARGET == HWY_AVX3_DL || HWY_TARGET == HWY_AVX3
// One 512-bit register covers a whole chunk (64 quants, 16 int32 lanes).
struct Vec512 {
  using I = __m512i;
  using F = __m512;
  static constexpr int kParts = 1;
  template <DType T>
  static I Weights(const uint8_t* q, int64_t c, int) {
    if constexpr (T == DType::Q8_0) {
      return _mm512_loadu_si512(q + c * 64);
    } else {  // low nibbles → lower 256 bits, high nibbles → upper 256 bits
      const I b = _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(q + c * 32)));
      return _mm512_and_si512(_mm512_srlv_epi64(b, _mm512_set_epi64(4, 4, 4, 4, 0, 0, 0, 0)), _mm512_set1_epi8(0x0F));
    }
  }
  static I Activations(const int8_t* x, int64_t c, int) { return _mm512_loadu_si512(x + c * 64); }
  static I LaneSums(const int32_t* s, int64_t c, int) { return _mm512_loadu_si512(s + c * 16); }
  static F WeightScales(const uint16_t* s) { return _mm512_cvtph_ps(_mm256_set1_epi32(LoadAs<int32_t>(s))); }
  static F ActivationScales(const float* s) { return _mm512_castpd_ps(_mm512_set1_pd(LoadAs<double>(s))); }
#if HWY_TARGET == HWY_AVX3_DL
  // VNNI named explicitly: GCC's attribute string for Highway's AVX3_DL target includes it (this
  // inlines as before), clang's does not and refused to compile the intrinsic inside Dot.
  __attribute__((target("avx512f,avx512bw,avx512vnni"))) static I DotVnni(I acc, I w, I x) {
    return _mm512_dpbusd_epi32(acc, w, x);
  }
#endif
  // Σ over each 4-byte lane of (unsigned quant × activation), minus offset × Σ activations.
  template <DType T>
  static I Dot(I lane_sums, I w, I x) {
    constexpr int shift = T == DType::Q8_0 ? 7 : 3;  // the quant offset, 128 or 8
#if HWY_TARGET == HWY_AVX3_DL
    return DotVnni(_mm512_slli_epi32(lane_sums, shift), w, x);
#else
    if constexpr (T == DType::Q8_0) {  // u8 up to 255 would saturate vpmaddubsw: use signed quants
      const I ws = _mm512_xor_si512(w, _mm512_set1_epi8(char(0x80)));
      const I wsx = _mm512_mask_sub_epi8(ws, _mm512_movepi8_mask(x), _mm512_setzero_si512(), ws);
      return _mm512_madd_epi16(_mm512_maddubs_epi16(_mm512_abs_epi8(x), wsx), _mm512_set1_epi16(1));
    } else {
      return _mm512_add_epi32(_mm512_slli_epi32(lane_sums, shift),
                              _mm512_madd_epi16(_mm512_maddubs_epi16(w, x), _mm512_set1_epi16(1)));
    }
#endif
  }
  // Panels (PanelTile): one 512-bit line is the 16 rows of a panel.
  static I SetInt(int32_t v) { return _mm512_set1_epi32(v); }
  static F SetFloat(float v) { return _mm512_set1_ps(v); }
  static I Broadcast4(const int8_t* x) { return _mm512_set1_epi32(LoadAs<int32_t>(x)); }
  // The lines of groups g and g + 4 of block h of a panel chunk, as unsigned bytes.
  template <DType T>
  static void PanelWeights(const uint8_t* chunk, int h, int g, int, I& lo, I& hi) {
    if constexpr (T == DType::Q8_0) {
      lo = _mm512_loadu_si512(chunk + (h * 8 + g) * 64);
      hi = _mm512_loadu_si512(chunk + (h * 8 + g + 4) * 64);
    } else {
      const I v = _mm512_loadu_si512(chunk + (h * 4 + g) * 64), low4 = _mm512_set1_epi8(0x0F);
      lo = _mm512_and_si512(v, low4);
      hi = _mm512_and_si512(_mm512_srli_epi16(v, 4), low4);
    }
  }
  // s + the 4-product sums of each lane (Q8_0 without VNNI: with signed quants, see Dot).
  template <DType T>
  static I DotPanel(I s, I w, I x) {
#if HWY_TARGET == HWY_AVX3_DL
    return DotVnni(s, w, x);
#else
    if constexpr (T == DType::Q8_0) {
      const I ws = _mm512_xor_si512(w, _mm512_set1_epi8(char(0x80)));
      const I wsx = _mm512_mask_sub_epi8(ws, _mm512_movepi8_mask(x), _mm512_setzero_si512(), ws);
      return _mm512_add_epi32(s, _mm512_madd_epi16(_mm512_maddubs_epi16(_mm512_abs_epi8(x), wsx), _mm512_set1_epi16(1)));
    } else {
      return _mm512_add_epi32(s, _mm512_madd_epi16(_mm512_maddubs_epi16(w, x), _mm512_set1_epi16(1)));
    }
#endif
  }
  static F PanelScales(const uint8_t* s, int) {
    return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(s)));
  }
  static void Store(F v, float* out) { _mm512_store_ps(out, v); }
  static F Zero() { return _mm512_setzero_ps(); }
  static F MulAddScaled(I s, F scale, F acc) { return _mm512_fmadd_ps(_mm512_cvtepi32_ps(s), scale, acc); }
  static F Mul(F a, F b) { return _mm512_mul_ps(a, b); }
  static float Sum(F v) { return _mm512_reduce_add_ps(v); }
};
using Vec = Vec512;
#elif HWY_TARGET == HWY_AVX2
// Two 256-bit halves per chunk (quant positions 0..31 and 32..63).
struct Vec256 {
  using I = __m256i;
  using F = __m256;
  static constexpr int kParts = 2;
  template <DType T>
  static I Weights(const uint8_t* q, int64_t c, int part) {
    if constexpr (T == DType::Q8_0) {
      return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q + c * 64 + part * 32));
    } else {
      const I b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q + c * 32));
      return _mm256_and_si256(part ? _mm256_srli_epi16(b, 4) : b, _mm256_set1_epi8(0x0F));
    }
  }
  static I Activations(const int8_t* x, int64_t c, int part) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + c * 64 + part * 32));
  }
  static I LaneSums(const int32_t* s, int64_t c, int part) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + c * 16 + part * 8));
  }
  static F WeightScales(const uint16_t* s) { return _mm256_cvtph_ps(_mm_set1_epi32(LoadAs<int32_t>(s))); }
  static F ActivationScales(const float* s) { return _mm256_castpd_ps(_mm256_set1_pd(LoadAs<double>(s))); }
  template <DType T>
  static I Dot(I lane_sums, I w, I x) {
    if constexpr (T == DType::Q8_0) {  // signed quants (see Vec512)
      const I ws = _mm256_xor_si256(w, _mm256_set1_epi8(char(0x80)));
      return _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_sign_epi8(x, x), _mm256_sign_epi8(ws, x)),
                               _mm256_set1_epi16(1));
    } else {
      return _mm256_add_epi32(_mm256_slli_epi32(lane_sums, 3),
                              _mm256_madd_epi16(_mm256_maddubs_epi16(w, x), _mm256_set1_epi16(1)));
    }
  }
  // Panels (PanelTile): the 16 rows of a line are two halves of 8, `part` 0 and 1.
  static I SetInt(int32_t v) { return _mm256_set1_epi32(v); }
  static F SetFloat(float v) { return _mm256_set1_ps(v); }
  static I Broadcast4(const int8_t* x) { return _mm256_set1_epi32(LoadAs<int32_t>(x)); }
  template <DType T>
  static void PanelWeights(const uint8_t* chunk, int h, int g, int part, I& lo, I& hi) {
    if constexpr (T == DType::Q8_0) {
      lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(chunk + (h * 8 + g) * 64 + part * 32));
      hi = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(chunk + (h * 8 + g + 4) * 64 + part * 32));
    } else {
      const I v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(chunk + (h * 4 + g) * 64 + part * 32));
      const I low4 = _mm256_set1_epi8(0x0F);
      lo = _mm256_and_si256(v, low4);
      hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), low4);
    }
  }
  template <DType T>
  static I DotPanel(I s, I w, I x) {
    if constexpr (T == DType::Q8_0) {  // signed quants (see Dot)
      const I ws = _mm256_xor_si256(w, _mm256_set1_epi8(char(0x80)));
      return _mm256_add_epi32(s, _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_sign_epi8(x, x), _mm256_sign_epi8(ws, x)),
                                                   _mm256_set1_epi16(1)));
    } else {
      return _mm256_add_epi32(s, _mm256_madd_epi16(_mm256_maddubs_epi16(w, x), _mm256_set1_epi16(1)));
    }
  }
  static F PanelScales(const uint8_t* s, int part) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s + part * 16)));
  }
  static void Store(F v, float* out) { _mm256_store_ps(out, v); }
  static F Zero() { return _mm256_setzero_ps(); }
  static F MulAddScaled(I s, F scale, F acc) { return _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), scale, acc); }
  static F Mul(F a, F b) { return _mm256_mul_ps(a, b); }
  static float Sum(F v) {
    const __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    const __m128 t = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(t, _mm_movehdup_ps(t)));
  }
};
using Vec = Vec256;
#endif

#if HWY_TARGET == HWY_AVX3_DL || HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX2
// y[m + i, n + j] for i < MR, j < NR.
template <DType T, int MR, int NR>
HWY_INLINE void Tile(const QuantizedActivations& a, int64_t m, const Tensor& W, int64_t n, const float* bias, float* y,
                     int64_t ldy) {
  const int64_t K = a.K;
  const uint8_t* wq[NR];
  const uint16_t* ws[NR];
  for (int j = 0; j < NR; ++j) {
    wq[j] = quant::row_quants(W, n + j);
    ws[j] = quant::row_scales(W, n + j);
  }
  // Fully unrolled (GCC does not unroll at -O2 by itself) so that the accumulators stay in registers.
  typename Vec::F acc[MR][NR];
#pragma GCC unroll 4
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
    for (int j = 0; j < NR; ++j) acc[i][j] = Vec::Zero();
  for (int64_t c = 0; c < K / kChunk; ++c) {
    typename Vec::F wscale[NR];
#pragma GCC unroll 4
    for (int j = 0; j < NR; ++j) wscale[j] = Vec::WeightScales(ws[j] + 2 * c);
#pragma GCC unroll 2
    for (int part = 0; part < Vec::kParts; ++part) {
      typename Vec::I w[NR];
#pragma GCC unroll 4
      for (int j = 0; j < NR; ++j) w[j] = Vec::template Weights<T>(wq[j], c, part);
#pragma GCC unroll 4
      for (int i = 0; i < MR; ++i) {
        const typename Vec::I x = Vec::Activations(a.q.data() + (m + i) * K, c, part);
        const typename Vec::I sums = Vec::LaneSums(a.lane_sum.data() + (m + i) * K / 4, c, part);
        const typename Vec::F xscale = Vec::ActivationScales(a.scale.data() + (m + i) * K / kBlock + 2 * c);
#pragma GCC unroll 4
        for (int j = 0; j < NR; ++j)
          acc[i][j] = Vec::MulAddScaled(Vec::template Dot<T>(sums, w[j], x), Vec::Mul(wscale[j], xscale), acc[i][j]);
      }
    }
  }
  for (int i = 0; i < MR; ++i)
    for (int j = 0; j < NR; ++j) y[(m + i) * ldy + n + j] = Vec::Sum(acc[i][j]) + (bias ? bias[n + j] : 0.0f);
}

#if HWY_TARGET == HWY_AVX2
constexpr int kMR = 1;  // 16 registers: 4 accumulators, 4 weight vectors, activations, scales
constexpr int kPanelMR = 2;  // rows of x per panel tile: 2 × 2 halves × (int + float accumulator)
#else
constexpr int kMR = 4;  // 32 registers: 16 accumulators and the rest
constexpr int kPanelMR = 8;  // 8 int + 8 float accumulators
#endif

// Panels (quant_format.h): the int32 lanes of a line are 16 weight rows (two 256-bit halves of 8
// with AVX2), and 4 bytes of x broadcast meet them all. Per block: the integer sums start from
// offset × Σx (block_sum; zero for Q8_0 without VNNI, whose quants are made signed), take 8 groups
// of 4 products, then acc += float(sum) × (16 weight scales × x's scale) — one float update per
// block for 16 rows.
template <DType T>
HWY_INLINE typename Vec::I PanelStart(int32_t block_sum) {
  constexpr int shift = T == DType::Q8_0 ? 7 : 3;  // × the quant offset, 128 or 8
#if HWY_TARGET != HWY_AVX3_DL
  if constexpr (T == DType::Q8_0) return Vec::SetInt(0);
#endif
  return Vec::SetInt(block_sum * (1 << shift));
}

// y[m + i, n + j] for i < MR and j0 <= j < j1 from panel `w` (rows n .. n + 15).
template <DType T, int MR>
HWY_INLINE void PanelTile(const QuantizedActivations& a, int64_t m, const uint8_t* w, const float* bias, float* y,
                          int64_t ldy, int64_t j0, int64_t j1) {
  constexpr int P = Vec::kParts;
  const int64_t K = a.K, nb = K / kBlock;
  const int64_t chunk_bytes = quant::panel_chunk_bytes(T), scales_at = quant::kPanelRows * quant::quant_bytes(T, kChunk);
  typename Vec::F acc[MR][P];
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 2
    for (int p = 0; p < P; ++p) acc[i][p] = Vec::Zero();
  for (int64_t b = 0; b < nb; ++b) {
    const uint8_t* chunk = w + b / 2 * chunk_bytes;
    const int h = static_cast<int>(b % 2);
    typename Vec::I s[MR][P];
#pragma GCC unroll 8
    for (int i = 0; i < MR; ++i)
#pragma GCC unroll 2
      for (int p = 0; p < P; ++p) s[i][p] = PanelStart<T>(a.block_sum[(m + i) * nb + b]);
    const int8_t* x = a.q.data() + m * K + b / 2 * kChunk + 4 * h;  // group g at + 8g (quant_format.h)
#pragma GCC unroll 4
    for (int g = 0; g < 4; ++g) {  // groups g and g + 4 of the block
#pragma GCC unroll 2
      for (int p = 0; p < P; ++p) {
        typename Vec::I lo, hi;
        Vec::template PanelWeights<T>(chunk, h, g, p, lo, hi);
#pragma GCC unroll 8
        for (int i = 0; i < MR; ++i) {
          s[i][p] = Vec::template DotPanel<T>(s[i][p], lo, Vec::Broadcast4(x + i * K + 8 * g));
          s[i][p] = Vec::template DotPanel<T>(s[i][p], hi, Vec::Broadcast4(x + i * K + 8 * (g + 4)));
        }
      }
    }
#pragma GCC unroll 2
    for (int p = 0; p < P; ++p) {
      const typename Vec::F dw = Vec::PanelScales(chunk + scales_at + h * 32, p);
#pragma GCC unroll 8
      for (int i = 0; i < MR; ++i)
        acc[i][p] = Vec::MulAddScaled(s[i][p], Vec::Mul(dw, Vec::SetFloat(a.scale[(m + i) * nb + b])), acc[i][p]);
    }
  }
  alignas(64) float out[quant::kPanelRows];
  for (int i = 0; i < MR; ++i) {
#pragma GCC unroll 2
    for (int p = 0; p < P; ++p) Vec::Store(acc[i][p], out + p * (quant::kPanelRows / P));
    for (int64_t j = j0; j < j1; ++j) y[(m + i) * ldy + j] = out[j] + (bias ? bias[j] : 0.0f);
  }
}

template <DType T>
void Rows(const QuantizedActivations& a, const Tensor& W, const float* bias, float* y, int64_t ldy, int64_t n0,
          int64_t n1) {
  // Rows in panels: each panel once for all rows of x (it stays in L1/L2 while x streams past;
  // decode reads the panels one after the other, one sequential stream per thread). Reading 4
  // panels side by side instead (4 streams a thread, membw's best pattern for plain reads on two
  // threads) made int4 decode slower, 0.86x over 10 alternations (2 streams: 0.94x over 8).
  const int64_t panel_end = std::min(n1, quant::panel_rows(W.dim(0)));
  for (int64_t n = n0; n < panel_end;) {
    const int64_t p = n / quant::kPanelRows, first = p * quant::kPanelRows;
    const int64_t j0 = n - first, j1 = std::min(quant::kPanelRows, panel_end - first);
    const uint8_t* w = quant::panel(W, p);
    const float* b = bias ? bias + first : nullptr;
    float* yp = y + first;
    int64_t m = 0;
    for (; m + kPanelMR <= a.M; m += kPanelMR) PanelTile<T, kPanelMR>(a, m, w, b, yp, ldy, j0, j1);
    if constexpr (kPanelMR > 4)
      for (; m + 4 <= a.M; m += 4) PanelTile<T, 4>(a, m, w, b, yp, ldy, j0, j1);
    for (; m < a.M; ++m) PanelTile<T, 1>(a, m, w, b, yp, ldy, j0, j1);
    n = first + j1;
  }
  // The rows after the last panel, in the row layout.
  for (int64_t n = std::max(n0, panel_end); n < n1; ++n) {
    int64_t m = 0;
    for (; m + kMR <= a.M; m += kMR) Tile<T, kMR, 1>(a, m, W, n, bias, y, ldy);
    for (; m < a.M; ++m) Tile<T, 1, 1>(a, m, W, n, bias, y, ldy);
  }
}
#else
// Targets without an integer dot-product path: the block sums in plain loops.
template <DType T>
void Rows(const QuantizedActivations& a, const Tensor& W, const float* bias, float* y, int64_t ldy, int64_t n0,
          int64_t n1) {
  const int64_t K = a.K;
  const int off = quant::quant_offset(T);
  for (int64_t n = n0; n < n1; ++n) {
    for (int64_t m = 0; m < a.M; ++m) {
      const int8_t* x = a.q.data() + m * K;
      float acc = 0;
      for (int64_t c = 0; c < K / kChunk; ++c) {
        int32_t s[2] = {0, 0};
        for (int64_t p = 0; p < kChunk; ++p)
          s[(p / 4) % 2] += (quant::quant_at(W, n, c * kChunk + p) - off) * x[c * kChunk + p];
        for (int h = 0; h < 2; ++h)
          acc += static_cast<float>(s[h]) * quant::scale_at(W, n, 2 * c + h) * a.scale[m * K / kBlock + 2 * c + h];
      }
      y[m * ldy + n] = acc + (bias ? bias[n] : 0.0f);
    }
  }
}
#endif

void QuantizedRows(const QuantizedActivations& a, const Tensor& W, const float* bias, float* y, int64_t ldy,
                   int64_t n0, int64_t n1) {
  if (W.dtype() == DType::Q8_0) Rows<DType::Q8_0>(a, W, bias, y, ldy, n0, n1);
  else Rows<DType::Q4_0>(a, W, bias, y, ldy, n0, n1);
}

}  // namespace hf::kernels::HWY_NAMESPACE
#if HWY_TARGET == HWY_AVX3_DL
#pragma GCC pop_options
#endif
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace hf::kernels::quant {

HWY_EXPORT(QuantizedRows);

void quantized_rows(const QuantizedActivations& a, const Tensor& W, const float* bias, float* y, int64_t ldy,
                    int64_t n0, int64_t n1) {
  HWY_DYNAMIC_DISPATCH(QuantizedRows)(a, W, bias, y, ldy, n0, n1);
}

}  // namespace hf::kernels::quant
#endif
