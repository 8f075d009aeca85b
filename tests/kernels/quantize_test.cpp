// Q8_0 / Q4_0 weights: the quantizer's error bound, and the quantized matmul of every SIMD target
// against its scalar twin and against the float product it approximates.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <random>
#include <vector>

#include "hf/error.h"
#include "kernels/block_quants.h"
#include "kernels/kernels.h"
#include "kernels/quant_format.h"
#include "kernels/reference.h"
#include "random_data.h"

namespace hf::kernels {
namespace {

using testing::random_vector;

Tensor bf16_weight(int64_t N, int64_t K, uint32_t seed) {
  Tensor t = Tensor::zeros(DType::BF16, {N, K});
  std::vector<float> v = random_vector(N * K, seed, 0.05f);
  v[3] = 0.9f;  // an outlier: its block's step is large, the others' are not
  for (int64_t i = 0; i < N * K; ++i) t.mutable_data_as<uint16_t>()[i] = f32_to_bf16(v[i]);
  return t;
}

TEST(Quantize, EveryWeightWithinItsBlockStep) {
  const int64_t N = 7, K = 192;
  Tensor W = bf16_weight(N, K, 1);
  for (DType t : {DType::Q8_0, DType::Q4_0}) {
    Tensor Q = quantize(W, t);
    EXPECT_EQ(Q.dtype(), t);
    EXPECT_EQ(Q.shape(), W.shape());
    EXPECT_EQ(Q.nbytes(), size_t(N * K / 32 * (t == DType::Q8_0 ? 34 : 18)));
    std::vector<float> orig(K), deq(K);
    for (int64_t n = 0; n < N; ++n) {
      dequantize_row(W, n, orig.data());
      dequantize_row(Q, n, deq.data());
      for (int64_t b = 0; b < K / 32; ++b) {
        float amax = 0;
        for (int64_t i = 0; i < 32; ++i) amax = std::max(amax, std::abs(orig[b * 32 + i]));
        // Q8_0: half a step of amax / 127. Q4_0: the largest magnitude maps to -8 (exact up to the
        // f16 scale); the opposite side may clip at +7, a whole step.
        const float step = t == DType::Q8_0 ? amax / 127 : amax / 8;
        const float bound = (t == DType::Q8_0 ? 0.5f : 1.0f) * step * 1.002f + 1e-7f;
        for (int64_t i = 0; i < 32; ++i)
          ASSERT_LE(std::abs(orig[b * 32 + i] - deq[b * 32 + i]), bound)
              << dtype_name(t) << " row " << n << " element " << b * 32 + i;
      }
    }
  }
}

// Rows that exercise every branch of the scale and the rounding: an all-zero block, blocks whose
// largest magnitude occurs twice with opposite signs (Q4_0 takes the first), exact half steps
// (a power-of-two scale: w * (1 / d) is exact, so round-half-away-from-zero decides), a scale
// that is an f16 subnormal, one that overflows f16 (F32 / BF16 sources), and plain random blocks.
// (Non-finite weights are outside quantize()'s contract: their quants are not defined.)
std::vector<float> awkward_rows(int64_t N, int64_t K, uint32_t seed) {
  std::vector<float> v = random_vector(N * K, seed, 0.05f);
  for (int64_t n = 0; n < N; ++n) {
    float* r = v.data() + n * K;
    const int64_t kind = n % 6;
    for (int64_t b = 0; b < K / 32; ++b) {
      float* w = r + b * 32;
      if (kind == 0 && b % 2 == 0) std::fill(w, w + 32, 0.0f);
      if (kind == 1) w[5] = -0.5f, w[9] = 0.5f, w[2] = b % 2 ? 0.5f : -0.5f;
      if (kind == 2) {  // d = 2^-7 for Q8_0 (amax 127 d) and for Q4_0 (extreme -8 d)
        const float d = 1.0f / 128;
        for (int i = 0; i < 32; ++i) w[i] = (float(int(i % 15) - 7) + 0.5f) * d * (b % 2 ? 1 : 8);
        w[31] = (b % 2 ? -127.0f : -8.0f) * d * (b % 2 ? 1 : 8);
      }
      if (kind == 3) for (int i = 0; i < 32; ++i) w[i] *= 1e-7f;
      if (kind == 4 && b == 0) w[7] = 1e8f;
    }
  }
  return v;
}

Tensor as_dtype(const std::vector<float>& v, int64_t N, int64_t K, DType t) {
  Tensor out = Tensor::zeros(t, {N, K});
  for (int64_t i = 0; i < N * K; ++i) {
    if (t == DType::F32) out.mutable_data_as<float>()[i] = v[i];
    else if (t == DType::BF16) out.mutable_data_as<uint16_t>()[i] = f32_to_bf16(v[i]);
    else out.mutable_data_as<uint16_t>()[i] = f32_to_f16(std::clamp(v[i], -65504.0f, 65504.0f));  // finite
  }
  return out;
}

TEST(Quantize, EveryTargetGivesTheScalarTwinsBytes) {
  const int64_t N = 37, K = 320;  // more rows than one thread's share, odd
  const std::vector<float> v = awkward_rows(N, K, 21);
  for_each_simd_target([&](const char* target) {
    for (DType from : {DType::F32, DType::BF16, DType::F16}) {
      const Tensor W = as_dtype(v, N, K, from);
      for (DType t : {DType::Q8_0, DType::Q4_0}) {
        const Tensor got = quantize(W, t), want = reference::quantize(W, t);
        ASSERT_EQ(got.nbytes(), want.nbytes());
        const uint8_t *g = got.data_as<uint8_t>(), *w = want.data_as<uint8_t>();
        for (size_t i = 0; i < got.nbytes(); ++i)
          ASSERT_EQ(int(g[i]), int(w[i])) << target << " " << dtype_name(from) << " -> " << dtype_name(t) << " byte " << i;
      }
    }
  });
}

TEST(Quantize, ActivationsOnEveryTargetAreTheScalarTwins) {
  const int64_t M = 6, K = 256, ldx = 300;
  std::vector<float> x = awkward_rows(M, ldx, 22);
  for (float& f : x) f *= 40;  // activations are larger than weights
  for_each_simd_target([&](const char* target) {
    quant::QuantizedActivations got, want;
    got.lane_sum.assign(M * K / 4, 12345);  // stale values from an earlier call must not survive
    quant::quantize_activations(x.data(), M, K, ldx, got);
    reference::quantize_activations(x.data(), M, K, ldx, want);
    EXPECT_EQ(got.q, want.q) << target;
    EXPECT_EQ(got.scale, want.scale) << target;
    EXPECT_EQ(got.lane_sum, want.lane_sum) << target;
    EXPECT_EQ(got.block_sum, want.block_sum) << target;
  });
}

TEST(Quantize, RejectsRowsNotAMultipleOf64AndNonQuantizedTypes) {
  Tensor W = bf16_weight(3, 96, 2);
  EXPECT_FALSE(can_quantize(W));
  EXPECT_THROW(quantize(W, DType::Q8_0), Error);
  EXPECT_THROW(quantize(bf16_weight(3, 64, 2), DType::BF16), Error);
}

TEST(Quantize, EmbeddingRowsAreTheDequantizedRows) {
  Tensor Q = quantize(bf16_weight(10, 128, 3), DType::Q4_0);
  const int32_t ids[] = {9, 0, 4};
  std::vector<float> out(3 * 128), row(128);
  embedding(Q, ids, 3, out.data());
  for (int i = 0; i < 3; ++i) {
    dequantize_row(Q, ids[i], row.data());
    for (int k = 0; k < 128; ++k) ASSERT_EQ(out[i * 128 + k], row[k]);
  }
  const int32_t bad = 10;
  EXPECT_THROW(embedding(Q, &bad, 1, out.data()), InputError);
}

// Relative error of a against b in the 2-norm.
double relative_error(const std::vector<float>& a, const std::vector<float>& b) {
  double num = 0, den = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    num += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
    den += double(b[i]) * b[i];
  }
  return std::sqrt(num / den);
}

struct Shape {
  int64_t M, K, N;
};

// Every target (VNNI, AVX-512, AVX2, the plain loop) against the scalar twin, shapes that leave
// remainders in both tile dimensions (the last one large enough to be split over the threads),
// with and without bias; from 16 rows on, VNNI runs the panel GEMM (partial panels, row tails).
TEST(QuantizedMatmul, EveryTargetMatchesReference) {
  std::string targets;
  for_each_simd_target([&](const char* target) {
    targets += std::string(target) + " ";
    for (DType t : {DType::Q8_0, DType::Q4_0})
      for (Shape s : {Shape{1, 64, 1}, Shape{1, 192, 13}, Shape{3, 128, 8}, Shape{9, 256, 6}, Shape{5, 64, 17},
                       Shape{2, 512, 70}, Shape{16, 64, 16}, Shape{19, 192, 37}, Shape{45, 320, 70}}) {
        Tensor Q = quantize(bf16_weight(s.N, s.K, 4), t);
        auto x = random_vector(s.M * s.K, 5, 2.0f), bias = random_vector(s.N, 6);
        for (const float* b : {static_cast<const float*>(nullptr), static_cast<const float*>(bias.data())}) {
          std::vector<float> y(s.M * s.N), ref(s.M * s.N);
          matmul(x.data(), s.M, s.K, Q, b, y.data());
          reference::matmul(x.data(), s.M, s.K, Q, b, ref.data());
          for (size_t i = 0; i < y.size(); ++i)
            ASSERT_NEAR(y[i], ref[i], 1e-5f * (1 + std::abs(ref[i])))
                << target << " " << dtype_name(t) << " M" << s.M << " K" << s.K << " N" << s.N << " at " << i;
        }
      }
  });
  EXPECT_NE(targets, "");
  std::printf("quantized matmul checked on: %s\n", targets.c_str());
}

// The quantized product approximates the float product of the original weights: the error is
// that of 8-bit (resp. 4-bit) weights and 8-bit activations, no more.
TEST(QuantizedMatmul, ApproximatesTheFloatProduct) {
  const int64_t M = 4, K = 512, N = 64;
  Tensor W = bf16_weight(N, K, 7);
  auto x = random_vector(M * K, 8);
  std::vector<float> exact(M * N), q8(M * N), q4(M * N);
  reference::matmul(x.data(), M, K, W, nullptr, exact.data());
  matmul(x.data(), M, K, quantize(W, DType::Q8_0), nullptr, q8.data());
  matmul(x.data(), M, K, quantize(W, DType::Q4_0), nullptr, q4.data());
  EXPECT_LT(relative_error(q8, exact), 0.01);
  EXPECT_LT(relative_error(q4, exact), 0.12);
  EXPECT_GT(relative_error(q4, exact), relative_error(q8, exact));  // the test can tell them apart
}

TEST(QuantizedMatmul, GroupWithStridesMixesQuantizedAndFloatOutputs) {
  const int64_t M = 6, K = 128, ldx = 140;
  Tensor Wq = quantize(bf16_weight(12, K, 9), DType::Q8_0), Wf = bf16_weight(5, K, 10);
  auto x = random_vector(M * ldx, 11);
  std::vector<float> yq(M * 12), yf(M * 5), rq(M * 12), rf(M * 5);
  const MatmulOutput outs[] = {{&Wq, nullptr, yq.data()}, {&Wf, nullptr, yf.data()}};
  matmul_group(x.data(), M, K, outs, ldx);
  reference::matmul(x.data(), M, K, Wq, nullptr, rq.data(), ldx);
  reference::matmul(x.data(), M, K, Wf, nullptr, rf.data(), ldx);
  for (size_t i = 0; i < yq.size(); ++i) ASSERT_NEAR(yq[i], rq[i], 1e-5f * (1 + std::abs(rq[i])));
  for (size_t i = 0; i < yf.size(); ++i) ASSERT_NEAR(yf[i], rf[i], 1e-4f * (1 + std::abs(rf[i])));
}

// The byte layout quant_format.h documents: rows 0..15 in a panel (4-byte groups of the 16 rows
// side by side in 64-byte lines, then the scales [block][row]), row 16 after it in the row layout.
TEST(QuantLayout, PanelsAndTheRowsAfterThemAreAsDocumented) {
  const int64_t N = 17, K = 64;
  for (DType t : {DType::Q8_0, DType::Q4_0}) {
    const int lo = t == DType::Q8_0 ? -127 : -8, span = t == DType::Q8_0 ? 255 : 16;
    auto value = [&](int64_t n, int64_t k) { return lo + int((n * 7 + k * 3) % span); };
    std::vector<int8_t> values(N * K);
    std::vector<uint16_t> scales(N * K / 32);
    for (int64_t n = 0; n < N; ++n)
      for (int64_t k = 0; k < K; ++k) values[n * K + k] = static_cast<int8_t>(value(n, k));
    for (size_t i = 0; i < scales.size(); ++i) scales[i] = f32_to_f16(0.5f + float(i));
    const Tensor W = pack_block_quants(t, N, K, values.data(), scales.data());
    const uint8_t* bytes = W.data_as<uint8_t>();
    const int off = t == DType::Q8_0 ? 128 : 8, qbytes = t == DType::Q8_0 ? 64 : 32;
    for (int64_t n = 0; n < 16; ++n)
      for (int64_t k = 0; k < K; ++k) {
        const int64_t h = k / 32, g = k % 32 / 4, i = k % 4;
        int q;
        if (t == DType::Q8_0) q = bytes[(h * 8 + g) * 64 + n * 4 + i];
        else q = (bytes[(h * 4 + g % 4) * 64 + n * 4 + i] >> (g < 4 ? 0 : 4)) & 15;
        ASSERT_EQ(q - off, value(n, k)) << dtype_name(t) << " row " << n << " element " << k;
      }
    for (int64_t n = 0; n < 16; ++n)
      for (int64_t h = 0; h < 2; ++h) {
        uint16_t sc;
        std::memcpy(&sc, bytes + 16 * qbytes + (h * 16 + n) * 2, 2);
        ASSERT_EQ(sc, scales[n * 2 + h]) << dtype_name(t) << " row " << n;
      }
    const uint8_t* row16 = bytes + 16 * (qbytes + 4);
    for (int64_t k = 0; k < K; ++k) {
      const int64_t p = quant::position(k);
      const int q = t == DType::Q8_0 ? row16[p] : (row16[p % 32] >> (p < 32 ? 0 : 4)) & 15;
      ASSERT_EQ(q - off, value(16, k)) << dtype_name(t) << " row 16 element " << k;
    }
    for (int64_t n = 0; n < N; ++n)
      for (int64_t k = 0; k < K; ++k)
        ASSERT_EQ(quant::dequantized_at(W, n, k), float(value(n, k)) * f16_to_f32(scales[n * 2 + k / 32]));
  }
}

// A slice of quantized rows that cuts a panel is copied into panels of its own, every quant kept;
// Tensor::rows refuses it (it would reinterpret the bytes); slices along panels are shared.
TEST(QuantLayout, SlicesThatCutAPanelAreCopiedExactly) {
  const int64_t N = 45, K = 128, M = 3;
  const Tensor W = bf16_weight(N, K, 12);
  auto x = random_vector(M * K, 13);
  for (DType t : {DType::Q8_0, DType::Q4_0}) {
    const Tensor Q = quantize(W, t);
    std::vector<float> full(M * N);
    matmul(x.data(), M, K, Q, nullptr, full.data());
    for (auto [b, e] : {std::pair<int64_t, int64_t>{0, 16}, {16, 45}, {3, 21}, {5, 45}, {17, 18}, {0, 45}}) {
      const Tensor S = slice_rows(Q, b, e);
      ASSERT_EQ(S.shape(), (std::vector<int64_t>{e - b, K}));
      const bool shared = b % 16 == 0 && (e % 16 == 0 || e == N);
      EXPECT_EQ(S.data() == Q.data_as<uint8_t>() + b * quant::row_bytes(t, K), shared) << b << ".." << e;
      for (int64_t n = b; n < e; ++n)
        for (int64_t k = 0; k < K; ++k)
          ASSERT_EQ(quant::dequantized_at(S, n - b, k), quant::dequantized_at(Q, n, k)) << b << ".." << e << " row " << n;
      std::vector<float> part(M * (e - b));
      matmul(x.data(), M, K, S, nullptr, part.data());
      for (int64_t m = 0; m < M; ++m)
        for (int64_t n = b; n < e; ++n) ASSERT_NEAR(part[m * (e - b) + n - b], full[m * N + n], 1e-5f);
    }
    EXPECT_THROW(Q.rows(3, 21), Error);
    EXPECT_THROW(Q.rows(16, 40), Error);
    EXPECT_NO_THROW(Q.rows(16, 45));
  }
}

}  // namespace
}  // namespace hf::kernels
