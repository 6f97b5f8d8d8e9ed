#include "core/kv/hadamard.h"

#include <gtest/gtest.h>

#include "core/common/error.h"

namespace qs {
namespace {

TEST(Hadamard, EqualsTheSylvesterMatrixAndIsOrthonormalUpTo4096) {
  for (int64_t n = 2; n <= 4096; n *= 2) {
    at::Tensor H = sylvester_hadamard(n);
    // The transform of the identity's rows is the matrix itself (H is symmetric).
    at::Tensor fast = fwht(at::eye(n, at::kDouble));
    EXPECT_LT((fast - H).abs().max().item<double>(), 1e-12) << n;
    at::Tensor x = at::randn({3, n}, at::kDouble);
    // Orthonormal: H H^T = I (checked on vectors above 512 to keep the test fast).
    if (n <= 512) EXPECT_LT((at::matmul(H, H.t()) - at::eye(n, at::kDouble)).abs().max().item<double>(), 1e-12) << n;
    EXPECT_LT((at::matmul(at::matmul(x, H), H.t()) - x).abs().max().item<double>(), 1e-10) << n;
    EXPECT_LT((fwht(fwht(x)) - x).abs().max().item<double>(), 1e-12) << n;             // self-inverse
    EXPECT_NEAR(fwht(x).norm().item<double>(), x.norm().item<double>(), 1e-9 * double(n));  // orthonormal
  }
}

TEST(Hadamard, EveryPowerOfTwoTo32768InEveryDtype) {
  for (int64_t n = 2; n <= 32768; n *= 2) {
    at::Tensor x = at::randn({2, n});
    EXPECT_LT((fwht(fwht(x)) - x).abs().max().item<float>(), 1e-4) << n;
    for (auto dt : {at::kHalf, at::kBFloat16}) {
      at::Tensor y = fwht(x.to(dt));
      EXPECT_EQ(y.scalar_type(), dt);
      const double tol = dt == at::kHalf ? 1e-2 : 5e-2;
      EXPECT_LT((y.to(at::kFloat) - fwht(x.to(dt).to(at::kFloat))).abs().max().item<float>(), tol * (1 + fwht(x).abs().max().item<float>())) << n;
    }
  }
}

TEST(Hadamard, BlocksTransformEachBlockAlone) {
  at::Tensor x = at::randn({5, 32}, at::kDouble);
  at::Tensor y = fwht_blocks(x, 8);
  for (int b = 0; b < 4; ++b) EXPECT_TRUE(at::allclose(y.narrow(1, 8 * b, 8), fwht(x.narrow(1, 8 * b, 8))));
  EXPECT_TRUE(at::allclose(fwht_blocks(x, 32), fwht(x)));
  EXPECT_THROW(fwht_blocks(x, 12), Error);
}

TEST(Hadamard, RefusesOtherSizes) {
  for (int64_t n : {1, 3, 12, 65536}) EXPECT_THROW(fwht(at::randn({2, n})), Error) << n;
  EXPECT_THROW(fwht(at::ones({4}, at::kInt)), Error);
}

}  // namespace
}  // namespace qs
