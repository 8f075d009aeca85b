// Every dispatched (SIMD, threaded) kernel against its scalar reference twin on random data,
// with sizes that are not multiples of any vector width.
#include "kernels/kernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <thread>
#include <tuple>
#include <vector>

#include "hf/error.h"
#include "kernels/reference.h"
#include "random_data.h"

namespace hf::kernels {
namespace {

using testing::random_vector;

// A weight matrix [N, K] in `dtype` holding random values (owned).
Tensor random_weight(DType dtype, int64_t N, int64_t K, uint32_t seed) {
  Tensor t = Tensor::zeros(dtype, {N, K});
  std::vector<float> v = random_vector(N * K, seed, 0.5f);
  for (int64_t i = 0; i < N * K; ++i) {
    if (dtype == DType::F32) t.mutable_data_as<float>()[i] = v[i];
    else if (dtype == DType::BF16) t.mutable_data_as<uint16_t>()[i] = f32_to_bf16(v[i]);
    else t.mutable_data_as<uint16_t>()[i] = f32_to_f16(v[i]);
  }
  return t;
}

void expect_close(const std::vector<float>& got, const std::vector<float>& want, float rel, const std::string& what) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_NEAR(got[i], want[i], rel * (1.0f + std::abs(want[i]))) << what << " at " << i;
}

struct MatmulShape {
  DType dtype;
  int64_t M, K, N;
  bool bias;
};
void PrintTo(const MatmulShape& s, std::ostream* os) {
  *os << dtype_name(s.dtype) << " M" << s.M << " K" << s.K << " N" << s.N << (s.bias ? " bias" : "");
}

class MatmulTest : public ::testing::TestWithParam<MatmulShape> {};

TEST_P(MatmulTest, MatchesReference) {
  const auto p = GetParam();
  Tensor W = random_weight(p.dtype, p.N, p.K, 1);
  std::vector<float> x = random_vector(p.M * p.K, 2), b = random_vector(p.N, 3);
  std::vector<float> y(p.M * p.N), ref(p.M * p.N);
  matmul(x.data(), p.M, p.K, W, p.bias ? b.data() : nullptr, y.data());
  reference::matmul(x.data(), p.M, p.K, W, p.bias ? b.data() : nullptr, ref.data());
  expect_close(y, ref, 1e-4f, std::string("matmul ") + dtype_name(p.dtype));
}

INSTANTIATE_TEST_SUITE_P(Shapes, MatmulTest,
                         ::testing::Values(MatmulShape{DType::F32, 1, 37, 13, true}, MatmulShape{DType::BF16, 1, 64, 96, false},
                                           MatmulShape{DType::BF16, 7, 129, 67, true}, MatmulShape{DType::F16, 5, 33, 9, true},
                                           MatmulShape{DType::F32, 9, 200, 31, false}, MatmulShape{DType::BF16, 130, 257, 45, true},
                                           MatmulShape{DType::F16, 1, 1000, 300, false}, MatmulShape{DType::BF16, 3, 1, 5, false},
                                           // the packed GEMM (M >= 16): K over several panel slices,
                                           // N a whole panel, a partial one, and one thinner than a panel
                                           MatmulShape{DType::F32, 17, 128, 32, false}, MatmulShape{DType::F16, 33, 300, 70, true},
                                           MatmulShape{DType::BF16, 16, 896, 7, true}, MatmulShape{DType::BF16, 71, 64, 200, false}));

TEST(Matmul, RowStridesLeaveOtherColumnsAlone) {
  Tensor W = random_weight(DType::BF16, 6, 10, 4);
  std::vector<float> x = random_vector(3 * 16, 5), y(3 * 8, -7.0f), ref(3 * 6);
  matmul(x.data(), 3, 10, W, nullptr, y.data(), 16, 8);
  std::vector<float> xpacked;
  for (int m = 0; m < 3; ++m) xpacked.insert(xpacked.end(), x.begin() + m * 16, x.begin() + m * 16 + 10);
  reference::matmul(xpacked.data(), 3, 10, W, nullptr, ref.data());
  for (int m = 0; m < 3; ++m) {
    for (int n = 0; n < 6; ++n) EXPECT_NEAR(y[m * 8 + n], ref[m * 6 + n], 1e-4f);
    EXPECT_EQ(y[m * 8 + 6], -7.0f);
    EXPECT_EQ(y[m * 8 + 7], -7.0f);
  }
}

TEST(Matmul, GroupEqualsSeparateProducts) {
  for (int64_t M : {1, 8}) {
    Tensor a = random_weight(DType::BF16, 37, 50, 31), b = random_weight(DType::F32, 6, 50, 32),
           c = random_weight(DType::F16, 2000, 50, 33);
    auto x = random_vector(M * 50, 34), bias = random_vector(2000, 35);
    std::vector<float> ya(M * 37), yb(M * 6), yc(M * 2000), ref;
    const MatmulOutput outs[] = {{&a, bias.data(), ya.data()}, {&b, nullptr, yb.data()}, {&c, bias.data(), yc.data()}};
    matmul_group(x.data(), M, 50, outs);
    for (auto [W, bb, y] : {std::tuple{&a, bias.data(), &ya}, std::tuple{&b, (float*)nullptr, &yb}, std::tuple{&c, bias.data(), &yc}}) {
      ref.assign(y->size(), 0.0f);
      reference::matmul(x.data(), M, 50, *W, bb, ref.data());
      expect_close(*y, ref, 1e-4f, "matmul_group");
    }
  }
}

// Outputs with their own input (MoE experts' down projections) equal separate products of each
// input: float32, bf16 and a quantized weight (whose own x is quantized separately), next to one
// output that reads the shared x; decode, small-batch and GEMM row counts, with a row stride.
TEST(Matmul, GroupOutputsWithTheirOwnInputEqualSeparateProducts) {
  const int64_t K = 128, ldx = 136;
  Tensor a = random_weight(DType::F32, 37, K, 41), b = random_weight(DType::BF16, 70, K, 42),
         c = quantize(random_weight(DType::BF16, 64, K, 43), DType::Q8_0), d = random_weight(DType::BF16, 9, K, 44);
  for (int64_t M : {1, 5, 20}) {
    auto shared = random_vector(M * ldx, 45), xa = random_vector(M * ldx, 46), xb = random_vector(M * ldx, 47),
         xc = random_vector(M * ldx, 48), bias = random_vector(70, 49);
    std::vector<float> ya(M * 37), yb(M * 70), yc(M * 64), yd(M * 9);
    const MatmulOutput outs[] = {{&a, nullptr, ya.data(), xa.data()}, {&b, bias.data(), yb.data(), xb.data()},
                                 {&c, bias.data(), yc.data(), xc.data()}, {&d, nullptr, yd.data()}};
    matmul_group(shared.data(), M, K, outs, ldx);
    for (auto [W, x, bb, y] : {std::tuple{&a, &xa, (float*)nullptr, &ya}, std::tuple{&b, &xb, bias.data(), &yb},
                               std::tuple{&c, &xc, bias.data(), &yc}, std::tuple{&d, &shared, (float*)nullptr, &yd}}) {
      std::vector<float> separate(y->size());
      matmul(x->data(), M, K, *W, bb, separate.data(), ldx);
      expect_close(*y, separate, 1e-5f, std::string("own-input ") + dtype_name(W->dtype()) + " M" + std::to_string(M));
    }
  }
  // Without a shared x every output must bring its own.
  std::vector<float> y(37);
  const MatmulOutput missing[] = {{&a, nullptr, y.data()}};
  EXPECT_THROW(matmul_group(nullptr, 1, K, missing), Error);
}

TEST(Matmul, RejectsWrongShapeOrDtype) {
  Tensor W = random_weight(DType::F32, 4, 8, 1);
  std::vector<float> x(9), y(4);
  EXPECT_THROW(matmul(x.data(), 1, 9, W, nullptr, y.data()), Error);
  Tensor ints = Tensor::zeros(DType::I32, {4, 8});
  EXPECT_THROW(matmul(x.data(), 1, 8, ints, nullptr, y.data()), Error);
}

TEST(Matmul, ReferenceIsTheTextbookProduct) {
  Tensor W = Tensor::zeros(DType::F32, {2, 3});
  float w[6] = {1, 2, 3, 4, 5, 6};
  std::copy(w, w + 6, W.mutable_data_as<float>());
  float x[3] = {1, 0, -1}, b[2] = {10, 20}, y[2];
  matmul(x, 1, 3, W, b, y);
  EXPECT_FLOAT_EQ(y[0], 10 + 1 - 3);
  EXPECT_FLOAT_EQ(y[1], 20 + 4 - 6);
}

TEST(Embedding, WidensRowsAndRejectsBadIds) {
  Tensor T = random_weight(DType::BF16, 11, 7, 8);
  int32_t ids[3] = {10, 0, 3};
  std::vector<float> out(21);
  embedding(T, ids, 3, out.data());
  for (int d = 0; d < 7; ++d) EXPECT_EQ(out[d], bf16_to_f32(T.data_as<uint16_t>()[10 * 7 + d]));
  int32_t bad[1] = {11};
  EXPECT_THROW(embedding(T, bad, 1, out.data()), InputError);
}

TEST(Norms, RmsNormMatchesReference) {
  for (int64_t dim : {1, 15, 64, 131}) {
    auto x = random_vector(3 * dim, 9), w = random_vector(dim, 10);
    std::vector<float> y(3 * dim), ref(3 * dim);
    rms_norm(x.data(), w.data(), 1e-6f, 3, dim, y.data());
    reference::rms_norm(x.data(), w.data(), 1e-6f, 3, dim, ref.data());
    expect_close(y, ref, 1e-5f, "rms_norm");
    rms_norm(x.data(), nullptr, 1e-6f, 3, dim, y.data());
    reference::rms_norm(x.data(), nullptr, 1e-6f, 3, dim, ref.data());
    expect_close(y, ref, 1e-5f, "rms_norm without weight");
  }
}

TEST(Norms, LayerNormHasZeroMeanUnitVariance) {
  auto x = random_vector(37, 11, 3.0f);
  std::vector<float> y(37);
  layer_norm(x.data(), nullptr, nullptr, 0.0f, 1, 37, y.data());
  double mean = 0, var = 0;
  for (float v : y) mean += v;
  mean /= 37;
  for (float v : y) var += (v - mean) * (v - mean);
  EXPECT_NEAR(mean, 0.0, 1e-6);
  EXPECT_NEAR(var / 37, 1.0, 1e-5);
}

using UnaryKernel = void (*)(float*, int64_t);
struct UnaryCase {
  const char* name;
  UnaryKernel simd, ref;
};
void PrintTo(const UnaryCase& c, std::ostream* os) { *os << c.name; }

class UnaryTest : public ::testing::TestWithParam<UnaryCase> {};

TEST_P(UnaryTest, MatchesReferenceIncludingLargeInputs) {
  for (int64_t n : {1, 7, 16, 33, 1001}) {
    auto x = random_vector(n, 12, 4.0f);
    if (n > 3) x[0] = -120.0f, x[1] = 95.0f, x[2] = 0.0f;  // overflow edges of exp
    auto a = x, b = x;
    GetParam().simd(a.data(), n);
    GetParam().ref(b.data(), n);
    expect_close(a, b, 2e-6f, GetParam().name);
  }
}

INSTANTIATE_TEST_SUITE_P(Kernels, UnaryTest,
                         ::testing::Values(UnaryCase{"silu", silu, reference::silu}, UnaryCase{"gelu", gelu, reference::gelu},
                                           UnaryCase{"gelu_tanh", gelu_tanh, reference::gelu_tanh},
                                           UnaryCase{"relu", relu, reference::relu}, UnaryCase{"softmax", softmax, reference::softmax}),
                         [](const ::testing::TestParamInfo<UnaryCase>& i) { return std::string(i.param.name); });

TEST(Softmax, MaskedEntriesGetZeroAndAllMaskedGivesZeros) {
  std::vector<float> x = {1.0f, -INFINITY, 2.0f, -INFINITY, 0.5f, 0.1f, 0.2f, 0.3f, 0.4f, -INFINITY, 1, 2, 3, 4, 5, 6, 7, 8};
  softmax(x.data(), int64_t(x.size()));
  EXPECT_EQ(x[1], 0.0f);
  EXPECT_EQ(x[9], 0.0f);
  double sum = 0;
  for (float v : x) sum += v;
  EXPECT_NEAR(sum, 1.0, 1e-6);
  std::vector<float> none(19, -INFINITY);
  softmax(none.data(), 19);
  for (float v : none) EXPECT_EQ(v, 0.0f);
}

// torch.argmax's rule on every SIMD target: the first of equal maxima (across vector blocks and in
// the tail), a NaN before any number (the first NaN), -inf and -0.0/+0.0 as the values they are.
TEST(Argmax, FirstMaximumAndNaNAsTorchOnEveryTarget) {
  std::vector<std::vector<float>> cases;
  for (int64_t n : {1, 5, 16, 17, 40, 151})
    cases.push_back(random_vector(n, 31 + uint32_t(n)));
  std::vector<float> ties(70, 0.25f);
  ties[23] = ties[57] = 3.0f;  // in the second vector block, and a later one
  cases.push_back(ties);
  std::vector<float> tail_tie(37, -1.0f);
  tail_tie[35] = tail_tie[36] = 2.0f;  // past the last whole block
  cases.push_back(tail_tie);
  std::vector<float> nan = random_vector(50, 7);
  nan[40] = nan[44] = NAN;
  nan[3] = 1e30f;
  cases.push_back(nan);
  std::vector<float> nan_tail = random_vector(35, 8);
  nan_tail[34] = NAN;
  cases.push_back(nan_tail);
  cases.push_back(std::vector<float>(33, -INFINITY));
  cases.push_back({-0.0f, 0.0f, -1.0f});
  for_each_simd_target([&](const char* target) {
    for (size_t c = 0; c < cases.size(); ++c) {
      const auto& x = cases[c];
      EXPECT_EQ(argmax(x.data(), int64_t(x.size())), reference::argmax(x.data(), int64_t(x.size())))
          << target << " case " << c;
    }
    EXPECT_EQ(argmax(ties.data(), int64_t(ties.size())), 23) << target;
    EXPECT_EQ(argmax(tail_tie.data(), int64_t(tail_tie.size())), 35) << target;
    EXPECT_EQ(argmax(nan.data(), int64_t(nan.size())), 40) << target;
    EXPECT_EQ(argmax(nan_tail.data(), int64_t(nan_tail.size())), 34) << target;
    EXPECT_EQ(argmax(cases[cases.size() - 2].data(), 33), 0) << target;
  });
}

TEST(Elementwise, BinaryAndScaleMatchReference) {
  for (int64_t n : {3, 17, 100}) {
    auto a = random_vector(n, 13), b = random_vector(n, 14, 3.0f);
    std::vector<float> y(n), ref(n);
    silu_mul(b.data(), a.data(), y.data(), n);
    reference::silu_mul(b.data(), a.data(), ref.data(), n);
    expect_close(y, ref, 2e-6f, "silu_mul");
    add(a.data(), b.data(), y.data(), n);
    reference::add(a.data(), b.data(), ref.data(), n);
    expect_close(y, ref, 0, "add");
    mul(a.data(), b.data(), y.data(), n);
    reference::mul(a.data(), b.data(), ref.data(), n);
    expect_close(y, ref, 0, "mul");
    auto s1 = a, s2 = a;
    scale(s1.data(), 0.37f, n);
    reference::scale(s2.data(), 0.37f, n);
    expect_close(s1, s2, 0, "scale");
  }
}

TEST(Rope, RotatesPairsHalfApart) {
  // One token, one head of 4: pairs (0,2) and (1,3) rotate by the given angles.
  float x[4] = {1, 2, 3, 4};
  float c[2] = {0.0f, 1.0f}, s[2] = {1.0f, 0.0f};  // 90° for pair 0, 0° for pair 1
  rope(x, 1, 1, 4, 4, c, s);
  EXPECT_FLOAT_EQ(x[0], -3);
  EXPECT_FLOAT_EQ(x[2], 1);
  EXPECT_FLOAT_EQ(x[1], 2);
  EXPECT_FLOAT_EQ(x[3], 4);
}

struct AttentionCase {
  int64_t T, L;
  int heads, kv_heads, head_dim;
  bool causal, mask;
  int64_t window;
};
void PrintTo(const AttentionCase& c, std::ostream* os) {
  *os << "T" << c.T << " L" << c.L << " heads " << c.heads << "/" << c.kv_heads << " d" << c.head_dim
      << (c.causal ? " causal" : "") << (c.mask ? " mask" : "") << " window " << c.window;
}

class AttentionTest : public ::testing::TestWithParam<AttentionCase> {};

TEST_P(AttentionTest, MatchesReference) {
  const auto p = GetParam();
  // K/V in the cache layout [kv_head][position][dim] with spare capacity.
  const int64_t cap = p.L + 3;
  auto q = random_vector(p.T * p.heads * p.head_dim, 15);
  auto k = random_vector(p.kv_heads * cap * p.head_dim, 16), v = random_vector(p.kv_heads * cap * p.head_dim, 17);
  std::vector<uint8_t> mask(p.L, 1);
  if (p.mask)
    for (int64_t j = 0; j < p.L; j += 3) mask[j] = 0;
  AttentionArgs a;
  a.q = q.data();
  a.q_stride = p.heads * p.head_dim;
  a.k = k.data();
  a.v = v.data();
  a.kv_head_stride = cap * p.head_dim;
  a.kv_pos_stride = p.head_dim;
  a.out_stride = p.heads * p.head_dim;
  a.T = p.T;
  a.L = p.L;
  a.n_heads = p.heads;
  a.n_kv_heads = p.kv_heads;
  a.head_dim = p.head_dim;
  a.scale = 1.0f / std::sqrt(float(p.head_dim));
  a.causal = p.causal;
  a.window = p.window;
  a.key_mask = p.mask ? mask.data() : nullptr;
  std::vector<float> out(p.T * p.heads * p.head_dim, 9.0f), ref(out.size());
  a.out = out.data();
  attention(a);
  a.out = ref.data();
  reference::attention(a);
  expect_close(out, ref, 1e-5f, "attention");
}

INSTANTIATE_TEST_SUITE_P(Shapes, AttentionTest,
                         ::testing::Values(AttentionCase{1, 1, 2, 1, 16, true, false, 0}, AttentionCase{1, 37, 14, 2, 64, true, false, 0},
                                           AttentionCase{5, 5, 4, 4, 33, true, true, 0}, AttentionCase{7, 20, 8, 2, 128, true, false, 0},
                                           AttentionCase{6, 9, 3, 1, 17, false, true, 0}, AttentionCase{40, 40, 4, 2, 64, true, false, 7},
                                           AttentionCase{300, 300, 2, 1, 64, true, true, 0},
                                           // whole GQA groups per item (7 heads over each KV head), at depth
                                           AttentionCase{1, 700, 14, 2, 64, true, true, 0}, AttentionCase{3, 90, 12, 2, 32, true, true, 20},
                                           // 16+ queries: scores from transposed key tiles, partial last tiles
                                           AttentionCase{20, 45, 6, 3, 17, false, true, 0},
                                           AttentionCase{33, 50, 4, 1, 40, true, true, 9}));

TEST(Attention, FullyMaskedQueryGivesZerosNotNaN) {
  float q[4] = {1, 2, 3, 4}, k[8] = {1, 1, 1, 1, 2, 2, 2, 2}, v[8] = {1, 2, 3, 4, 5, 6, 7, 8}, out[4];
  uint8_t mask[2] = {0, 0};
  AttentionArgs a;
  a.q = q, a.q_stride = 4, a.k = k, a.v = v, a.kv_head_stride = 8, a.kv_pos_stride = 4, a.out = out, a.out_stride = 4;
  a.T = 1, a.L = 2, a.n_heads = 1, a.n_kv_heads = 1, a.head_dim = 4, a.scale = 0.5f, a.key_mask = mask;
  attention(a);
  for (float o : out) EXPECT_EQ(o, 0.0f);
}

// The opt-in bf16 prefill: against its scalar twin (x rounded to bf16, then the exact product),
// partial panels, K odd and over several panel slices (whole 16-pair blocks that the packing
// transposes in registers, and a remainder it copies word by word), rows past the micro-tile;
// and it really rounds x (so the test can tell it from the float32 path). Skipped where the CPU
// has no AVX-512 BF16.
TEST(Matmul, BF16ActivationsMatchTheirReference) {
  if (!has_bf16_dot_products()) GTEST_SKIP() << "no AVX-512 BF16 on this CPU";
  const ScopedMatmulPrecision bf16(MatmulPrecision::BF16Activations);
  for (auto [M, K, N] : {std::tuple<int64_t, int64_t, int64_t>{16, 64, 32}, {21, 301, 45}, {40, 896, 70},
                        {37, 1088, 96}, {29, 600, 64}}) {
    Tensor W = random_weight(DType::BF16, N, K, 31);
    auto x = random_vector(M * K, 32), b = random_vector(N, 33);
    std::vector<float> y(M * N), ref(M * N), exact(M * N);
    matmul(x.data(), M, K, W, b.data(), y.data());
    reference::matmul_bf16_activations(x.data(), M, K, W, b.data(), ref.data());
    reference::matmul(x.data(), M, K, W, b.data(), exact.data());
    expect_close(y, ref, 1e-4f, "bf16 activations K" + std::to_string(K));
    double diff = 0;
    for (size_t i = 0; i < y.size(); ++i) diff = std::max(diff, double(std::abs(y[i] - exact[i])));
    EXPECT_GT(diff, 1e-4) << "x was not rounded to bf16";
  }
  // Fewer rows than the GEMM's threshold keep float32 (decode streams weights; no gain there).
  Tensor W = random_weight(DType::BF16, 9, 64, 34);
  auto x = random_vector(2 * 64, 35);
  std::vector<float> y(2 * 9), ref(2 * 9);
  matmul(x.data(), 2, 64, W, nullptr, y.data());
  reference::matmul(x.data(), 2, 64, W, nullptr, ref.data());
  expect_close(y, ref, 1e-4f, "decode rows");
}

// The precision belongs to the thread that calls the product: another thread (another model's
// forward) keeps float32, and the scope restores the previous setting.
TEST(Matmul, PrecisionIsPerCallingThreadAndScoped) {
  if (!has_bf16_dot_products()) GTEST_SKIP() << "no AVX-512 BF16 on this CPU";
  const int64_t M = 20, K = 96, N = 40;
  Tensor W = random_weight(DType::BF16, N, K, 36);
  auto x = random_vector(M * K, 37);
  std::vector<float> exact(M * N), rounded(M * N), mine(M * N), other(M * N);
  reference::matmul(x.data(), M, K, W, nullptr, exact.data());
  reference::matmul_bf16_activations(x.data(), M, K, W, nullptr, rounded.data());
  {
    const ScopedMatmulPrecision bf16(MatmulPrecision::BF16Activations);
    EXPECT_EQ(matmul_precision(), MatmulPrecision::BF16Activations);
    matmul(x.data(), M, K, W, nullptr, mine.data());
    std::thread t([&] { matmul(x.data(), M, K, W, nullptr, other.data()); });
    t.join();
  }
  EXPECT_EQ(matmul_precision(), MatmulPrecision::Float32);
  expect_close(mine, rounded, 1e-4f, "this thread: bf16");
  expect_close(other, exact, 1e-4f, "another thread: float32");
}

// A prefill group under bf16 precision: bf16 outputs take the bf16 GEMM, each with its own or the
// shared x; quantized and f32 outputs beside them keep their own products (a quantized weight
// once sent this into endless recursion between matmul and matmul_group).
TEST(Matmul, BF16PrecisionGroupMixesWeightKinds) {
  if (!has_bf16_dot_products()) GTEST_SKIP() << "no AVX-512 BF16 on this CPU";
  const int64_t M = 20, K = 128;
  Tensor b = random_weight(DType::BF16, 45, K, 51), q = quantize(random_weight(DType::BF16, 64, K, 52), DType::Q8_0),
         f = random_weight(DType::F32, 7, K, 53);
  auto x = random_vector(M * K, 54), own = random_vector(M * K, 55), bias = random_vector(64, 56);
  std::vector<float> yb(M * 45), yq(M * 64), yf(M * 7), yo(M * 45), rb(M * 45), rq(M * 64), rf(M * 7), ro(M * 45);
  const MatmulOutput outs[] = {{&b, bias.data(), yb.data()}, {&q, bias.data(), yq.data()}, {&f, nullptr, yf.data()},
                               {&b, nullptr, yo.data(), own.data()}};
  {
    const ScopedMatmulPrecision bf16(MatmulPrecision::BF16Activations);
    matmul_group(x.data(), M, K, outs);
  }
  reference::matmul_bf16_activations(x.data(), M, K, b, bias.data(), rb.data());
  reference::matmul_bf16_activations(own.data(), M, K, b, nullptr, ro.data());
  matmul(x.data(), M, K, q, bias.data(), rq.data());
  reference::matmul(x.data(), M, K, f, nullptr, rf.data());
  expect_close(yb, rb, 1e-4f, "bf16, shared x");
  expect_close(yo, ro, 1e-4f, "bf16, own x");
  expect_close(yq, rq, 1e-5f, "Q8_0");
  expect_close(yf, rf, 1e-4f, "f32");
}

TEST(Dispatch, NamesATarget) { EXPECT_STRNE(simd_target(), ""); }

// The tests above run the best target; this runs the SIMD kernels on every other one too.
TEST(Dispatch, EveryCompiledTargetMatchesReference) {
  int targets = 0;
  for_each_simd_target([&](const char* target) {
    ++targets;
    SCOPED_TRACE(target);
    EXPECT_STREQ(simd_target(), target);
    for (DType dt : {DType::F32, DType::BF16, DType::F16})
      for (int64_t M : {6, 11, 21}) {  // dot-product tiles (11: of 8, 2 and 1 rows), then the packed GEMM
        Tensor W = random_weight(dt, 37, 171, 21);
        auto x = random_vector(M * 171, 22), b = random_vector(37, 23);
        std::vector<float> y(M * 37), ref(M * 37);
        matmul(x.data(), M, 171, W, b.data(), y.data());
        reference::matmul(x.data(), M, 171, W, b.data(), ref.data());
        expect_close(y, ref, 1e-4f, std::string("matmul ") + target + " M" + std::to_string(M));
      }
    auto x = random_vector(45, 24, 3.0f);
    for (auto [simd, ref] : {std::pair{&silu, &reference::silu}, std::pair{&softmax, &reference::softmax},
                             std::pair{&gelu_tanh, &reference::gelu_tanh}}) {
      auto a = x, r = x;
      simd(a.data(), 45);
      ref(r.data(), 45);
      expect_close(a, r, 2e-6f, target);
    }
    auto w = random_vector(45, 25);
    std::vector<float> n1(45), n2(45);
    rms_norm(x.data(), w.data(), 1e-5f, 1, 45, n1.data());
    reference::rms_norm(x.data(), w.data(), 1e-5f, 1, 45, n2.data());
    expect_close(n1, n2, 1e-5f, target);
  });
  EXPECT_GE(targets, 1);
}

}  // namespace
}  // namespace hf::kernels
