// The F16 attention kernels on every instruction set this CPU runs, against the scalar
// reference on random heads of odd sizes and lengths, and their invariance: a position's
// score does not depend on how many positions the call covers.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <iostream>
#include <random>
#include <vector>

#include "docent/llm/half.h"
#include "docent/llm/kernels/kernels.h"

namespace docent::llm::kernels {
namespace {

std::vector<Isa> SupportedIsas() {
  std::vector<Isa> isas;
  for (Isa isa : {Isa::kScalar, Isa::kAvx2, Isa::kAvxVnni, Isa::kAvx512Vnni}) {
    if (IsaSupported(isa)) isas.push_back(isa);
  }
  return isas;
}

std::vector<uint16_t> RandomHalves(std::mt19937& rng, size_t n) {
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<uint16_t> v(n);
  for (uint16_t& h : v) h = FloatToHalf(dist(rng));
  return v;
}

TEST(AttentionKernelTest, ScoresAndValuesMatchTheScalarReference) {
  std::mt19937 rng(1);
  for (Isa isa : SupportedIsas()) {
    std::cout << "[ attention ] checking " << IsaName(isa) << "\n";
    for (int64_t dim : {8, 13, 64, 80, 128}) {
      for (int64_t n_keys : {1, 2, 7, 33}) {
        const size_t stride = static_cast<size_t>(dim) * 3 + 5;  // other heads in between
        const std::vector<uint16_t> q = RandomHalves(rng, dim);
        const std::vector<uint16_t> keys = RandomHalves(rng, stride * n_keys);
        std::vector<float> want(n_keys), got(n_keys);
        AttentionScoresF16(Isa::kScalar, q.data(), keys.data(), stride, n_keys, dim, 0.125f,
                           want.data());
        AttentionScoresF16(isa, q.data(), keys.data(), stride, n_keys, dim, 0.125f, got.data());
        for (int64_t p = 0; p < n_keys; ++p) {
          double bound = 0;  // reordering error is bounded by the sum of |products|
          for (int64_t i = 0; i < dim; ++i) {
            bound += std::abs(HalfToFloat(q[i]) * HalfToFloat(keys[p * stride + i]));
          }
          EXPECT_NEAR(got[p], want[p], 1e-6 * bound + 1e-7) << dim << " " << p;
          // Independently: the exact dot product in double.
          double exact = 0;
          for (int64_t i = 0; i < dim; ++i) {
            exact += double{HalfToFloat(q[i])} * HalfToFloat(keys[p * stride + i]);
          }
          EXPECT_NEAR(got[p], exact * 0.125, 1e-5 * bound + 1e-7);
        }
        // Fewer positions: the same scores for those computed.
        std::vector<float> prefix(n_keys);
        AttentionScoresF16(isa, q.data(), keys.data(), stride, (n_keys + 1) / 2, dim, 0.125f,
                           prefix.data());
        EXPECT_EQ(std::memcmp(prefix.data(), got.data(), sizeof(float) * ((n_keys + 1) / 2)), 0);

        std::vector<float> w(n_keys);
        for (float& x : w) x = std::uniform_real_distribution<float>(0, 1)(rng);
        const std::vector<uint16_t> values = RandomHalves(rng, stride * n_keys);
        std::vector<float> vw(dim), vg(dim);
        AttentionValuesF16(Isa::kScalar, w.data(), values.data(), stride, n_keys, dim, vw.data());
        AttentionValuesF16(isa, w.data(), values.data(), stride, n_keys, dim, vg.data());
        for (int64_t i = 0; i < dim; ++i) {
          double exact = 0;
          double bound = 0;
          for (int64_t p = 0; p < n_keys; ++p) {
            const double term =
                double{HalfToFloat(FloatToHalf(w[p]))} * HalfToFloat(values[p * stride + i]);
            exact += term;
            bound += std::abs(term);
          }
          EXPECT_NEAR(vg[i], exact, 1e-5 * bound + 1e-7) << dim << " " << i;
          EXPECT_NEAR(vg[i], vw[i], 1e-5 * bound + 1e-7);
        }
      }
    }
  }
}

// The SIMD paths compute the same chain for every output, so a model's logits do not depend on
// which path the CPU runs (issue 12): AVX-512 against AVX2, bit for bit, for head sizes with
// and without a tail and key counts on either side of the four-key blocks.
TEST(AttentionKernelTest, Avx512IsBitIdenticalToAvx2) {
  if (!IsaSupported(Isa::kAvx512Vnni)) {
    GTEST_SKIP() << "this CPU lacks AVX-512 VNNI (the avx512 kernel path)";
  }
  std::mt19937 rng(7);
  for (int64_t dim : {8, 13, 24, 64, 80, 96, 128, 136}) {
    for (int64_t n_keys : {1, 2, 3, 4, 5, 7, 8, 33, 130}) {
      const size_t stride = static_cast<size_t>(dim) * 2 + 3;
      const std::vector<uint16_t> q = RandomHalves(rng, dim);
      const std::vector<uint16_t> keys = RandomHalves(rng, stride * n_keys);
      std::vector<float> a(n_keys), b(n_keys);
      AttentionScoresF16(Isa::kAvx2, q.data(), keys.data(), stride, n_keys, dim, 0.0883883f,
                         a.data());
      AttentionScoresF16(Isa::kAvx512Vnni, q.data(), keys.data(), stride, n_keys, dim, 0.0883883f,
                         b.data());
      EXPECT_EQ(std::memcmp(a.data(), b.data(), sizeof(float) * n_keys), 0)
          << "scores, dim " << dim << ", " << n_keys << " keys";

      std::vector<float> w(n_keys);
      for (float& x : w) x = std::uniform_real_distribution<float>(0, 1)(rng);
      const std::vector<uint16_t> values = RandomHalves(rng, stride * n_keys);
      std::vector<float> va(dim), vb(dim);
      AttentionValuesF16(Isa::kAvx2, w.data(), values.data(), stride, n_keys, dim, va.data());
      AttentionValuesF16(Isa::kAvx512Vnni, w.data(), values.data(), stride, n_keys, dim, vb.data());
      EXPECT_EQ(std::memcmp(va.data(), vb.data(), sizeof(float) * dim), 0)
          << "values, dim " << dim << ", " << n_keys << " keys";
    }
  }
}

// The block kernels (several queries over the same keys, in blocks of positions) give each
// query exactly the one-query kernels' bits, on every path, for key counts that differ per
// query and cross the position blocks.
TEST(AttentionKernelTest, BlocksGiveTheOneQueryBits) {
  std::mt19937 rng(11);
  for (Isa isa : SupportedIsas()) {
    for (int64_t dim : {13, 64, 80, 128}) {
      const size_t stride = static_cast<size_t>(dim) * 2 + 5;
      const int64_t most = 300;
      const std::vector<uint16_t> keys = RandomHalves(rng, stride * most);
      const std::vector<uint16_t> values = RandomHalves(rng, stride * most);
      const int n_q = 9;
      std::vector<std::vector<uint16_t>> q;
      std::vector<int64_t> n_keys;
      for (int r = 0; r < n_q; ++r) {
        q.push_back(RandomHalves(rng, dim));
        n_keys.push_back(r == 0 ? most : 1 + static_cast<int64_t>(rng() % most));
      }
      std::vector<std::vector<float>> scores(n_q, std::vector<float>(most, -1.0f));
      std::vector<std::vector<float>> out(n_q, std::vector<float>(dim, -1.0f));
      std::vector<const uint16_t*> qp;
      std::vector<float*> sp, op;
      for (int r = 0; r < n_q; ++r) {
        qp.push_back(q[r].data());
        sp.push_back(scores[r].data());
        op.push_back(out[r].data());
      }
      AttentionScoresF16Block(isa, n_q, qp.data(), n_keys.data(), keys.data(), stride, dim, 0.125f,
                              sp.data());
      std::vector<const float*> wp(sp.begin(), sp.end());
      AttentionValuesF16Block(isa, n_q, wp.data(), n_keys.data(), values.data(), stride, dim,
                              op.data());
      for (int r = 0; r < n_q; ++r) {
        std::vector<float> one(n_keys[r]);
        AttentionScoresF16(isa, q[r].data(), keys.data(), stride, n_keys[r], dim, 0.125f,
                           one.data());
        EXPECT_EQ(std::memcmp(one.data(), scores[r].data(), sizeof(float) * n_keys[r]), 0)
            << IsaName(isa) << " scores, dim " << dim << ", query " << r;
        EXPECT_EQ(scores[r][n_keys[r] - 1 + (n_keys[r] < most ? 1 : 0)],
                  n_keys[r] < most ? -1.0f : scores[r][most - 1])
            << "wrote past the query's positions";
        std::vector<float> v(dim);
        AttentionValuesF16(isa, scores[r].data(), values.data(), stride, n_keys[r], dim, v.data());
        EXPECT_EQ(std::memcmp(v.data(), out[r].data(), sizeof(float) * dim), 0)
            << IsaName(isa) << " values, dim " << dim << ", query " << r;
      }
    }
  }
}

}  // namespace
}  // namespace docent::llm::kernels
