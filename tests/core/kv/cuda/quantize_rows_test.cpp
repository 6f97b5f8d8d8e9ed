// CUDA build only: the quantize-and-pack kernel writes exactly what quantize_groups + pack_bits
// (the tensor-op path, run on the same GPU tensors) produce: every code byte, scale and zero, for
// each scheme, width, clip and batch, on rows with outlier channels, constant groups and zeros.
#include <gtest/gtest.h>

#include <iostream>

#include "core/kv/bit_pack.h"
#include "core/kv/fused_kernels.h"
#include "core/kv/packed_stores.h"

namespace qs {
namespace {

QuantSpec spec(QuantScheme scheme, int bits, int64_t group, ZeroKind zero, double clip) {
  QuantSpec s;
  s.scheme = scheme, s.bits = bits, s.group = group, s.zero = zero, s.clip = clip;
  return s;
}

at::Tensor hostile_rows(int64_t B, int64_t T, int64_t width, int64_t group, at::ScalarType dt) {
  const auto opt = at::TensorOptions().device(at::kCUDA);
  at::Tensor x = at::randn({B, T, width}, opt) * (1 + 9 * (at::rand({width}, opt) > 0.97).to(at::kFloat)) + 0.2;
  if (width >= 2 * group) {
    x.narrow(2, 0, group).fill_(0.75);         // a constant group
    x.narrow(2, group, group).fill_(0.0);      // an all-zero group
  }
  x.select(2, width - 1).fill_(-3.0);           // ties in |x| for q4_0 across a group
  x.select(2, width - 2).fill_(3.0);
  return x.to(dt);
}

TEST(QuantizeRows, WritesExactlyWhatTheTensorOpsWrite) {
  at::manual_seed(5);
  int cases = 0;
  const std::vector<QuantSpec> specs = {spec(QuantScheme::kLlamaQ8_0, 8, 32, ZeroKind::kIntegerZero, 1.0), spec(QuantScheme::kLlamaQ4_0, 4, 32, ZeroKind::kIntegerZero, 1.0),
                                        spec(QuantScheme::kAsymmetric, 2, 128, ZeroKind::kIntegerZero, 0.8), spec(QuantScheme::kAsymmetric, 4, 128, ZeroKind::kIntegerZero, 1.0),
                                        spec(QuantScheme::kAsymmetric, 8, 64, ZeroKind::kIntegerZero, 1.0), spec(QuantScheme::kAsymmetric, 2, 32, ZeroKind::kMin, 1.0),
                                        spec(QuantScheme::kAsymmetric, 4, 32, ZeroKind::kMin, 1.0)};
  for (const QuantSpec& sp : specs)
    for (int64_t width : {64, 256, 4096})
      for (int64_t B : {1, 3})
        for (int64_t T : {1, 5})
          for (at::ScalarType dt : {at::kFloat, at::kHalf})
            for (int64_t heads : {1, 4}) {
              if (width % sp.group) continue;
              at::Tensor x = hostile_rows(B, T, width, sp.group, dt);
              ASSERT_EQ(fused_quantize_unsupported(sp, x), "") << sp.describe();
              PackedTokenStore store(sp, width, 64, heads);
              store.append(x.narrow(1, 0, 1));  // rows land after an existing one
              store.append(x);
              QuantizedGroups ref = quantize_groups(x, sp);
              // The head-major buffers back as rows [B, T, n].
              auto rows = [&](const at::Tensor& seg) { return seg.narrow(2, 1, T).permute({0, 2, 1, 3}).reshape({B, T, -1}); };
              const std::string what = sp.describe() + " width " + std::to_string(width) + " heads " + std::to_string(store.heads()) + " B " + std::to_string(B) + " T " + std::to_string(T);
              EXPECT_TRUE(at::equal(rows(store.codes()), pack_bits(ref.codes, sp.bits))) << what;
              EXPECT_TRUE(at::equal(rows(store.scale()).view(at::kShort), ref.scale.view(at::kShort))) << what;
              if (ref.zero.defined()) EXPECT_TRUE(at::equal(rows(store.zero()).view(at::kShort), ref.zero.view(at::kShort))) << what;
              EXPECT_TRUE(at::equal(store.read().narrow(1, 1, T), dequantize_groups(ref, sp))) << what;
              ++cases;
            }
  std::cout << cases << " cases compared byte for byte\n";
}

TEST(QuantizeRows, SaysWhyItCannotRun) {
  at::Tensor x = at::randn({1, 2, 96}, at::TensorOptions().device(at::kCUDA));
  EXPECT_NE(fused_quantize_unsupported(spec(QuantScheme::kAsymmetric, 3, 32, ZeroKind::kIntegerZero, 1.0), x).find("2, 4 or 8"), std::string::npos);
  QuantSpec fp8 = spec(QuantScheme::kAsymmetric, 2, 32, ZeroKind::kIntegerZero, 1.0);
  fp8.meta = MetaFormat::kFp8ScaleInt8Zero;
  EXPECT_NE(fused_quantize_unsupported(fp8, x).find("fp8"), std::string::npos);
  EXPECT_NE(fused_quantize_unsupported(spec(QuantScheme::kAsymmetric, 2, 16, ZeroKind::kIntegerZero, 1.0), x).find("multiple of 32"), std::string::npos);
}

}  // namespace
}  // namespace qs
