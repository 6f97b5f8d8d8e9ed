// CUDA build only: the FWHT kernel writes exactly what the tensor-op path computes on the same GPU
// tensors, for every supported length, dtype and row count (one row, a partial warp of rows, many),
// with outputs poisoned first so an element the kernel never writes fails.
#include <gtest/gtest.h>

#include "core/kv/fused_kernels.h"
#include "core/kv/hadamard.h"

namespace qs {
namespace {

TEST(FwhtKernel, BitIdenticalToTheTensorOps) {
  at::manual_seed(11);
  int cases = 0;
  for (int64_t n = 8; n <= 32768; n *= 2)
    for (at::ScalarType dt : {at::kFloat, at::kHalf, at::kBFloat16})
      for (int64_t rows : {1, 3, 37}) {
        const at::Tensor x = (at::randn({rows, n}, at::TensorOptions().device(at::kCUDA)) * 3 + 0.5).to(dt);
        at::Tensor y = at::full_like(x, NAN);
        ASSERT_EQ(try_fused_fwht(x, y), "") << n;
        const at::Tensor ref = fwht_tensor_ops(x);
        EXPECT_TRUE(at::equal(y, ref)) << "n " << n << " dtype " << dt << " rows " << rows << " max diff "
                                       << (y.to(at::kFloat) - ref.to(at::kFloat)).abs().max().item<float>();
        ++cases;
      }
  EXPECT_EQ(cases, 13 * 3 * 3);
}

TEST(FwhtKernel, InPlaceAndThroughFwht) {
  at::manual_seed(12);
  const at::Tensor x = at::randn({4, 6, 128}, at::TensorOptions().device(at::kCUDA)).to(at::kHalf);
  at::Tensor y = x.clone();
  ASSERT_EQ(try_fused_fwht(y, y), "");
  EXPECT_TRUE(at::equal(y, fwht_tensor_ops(x)));
  // fwht() takes the kernel for non-contiguous views too, and blocks of a row.
  const at::Tensor t = x.transpose(0, 1);
  EXPECT_TRUE(at::equal(fwht(t), fwht_tensor_ops(t)));
  EXPECT_TRUE(at::equal(fwht_blocks(x, 32), fwht_tensor_ops(x.reshape({4, 6, 4, 32})).reshape({4, 6, 128})));
  // The kernel is its own inverse up to rounding.
  const at::Tensor z = at::randn({5, 4096}, at::TensorOptions().device(at::kCUDA));
  EXPECT_LT((fwht(fwht(z)) - z).abs().max().item<float>(), 1e-5);
}

TEST(FwhtKernel, SaysWhyItCannot) {
  const auto opt = at::TensorOptions().device(at::kCUDA);
  at::Tensor a = at::zeros({2, 4}, opt), b = at::zeros({2, 4}, opt);
  EXPECT_NE(try_fused_fwht(a, b), "");  // n = 4: tensor ops only
  at::Tensor c = at::zeros({2, 8}, opt.dtype(at::kDouble)), d = at::zeros({2, 8}, opt.dtype(at::kDouble));
  EXPECT_NE(try_fused_fwht(c, d), "");
  at::Tensor e = at::zeros({2, 8}), f = at::zeros({2, 8});
  EXPECT_NE(try_fused_fwht(e, f), "");
  EXPECT_TRUE(at::equal(fwht(a), fwht_tensor_ops(a)));
}

}  // namespace
}  // namespace qs
