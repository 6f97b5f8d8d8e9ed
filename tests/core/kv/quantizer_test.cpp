#include "core/kv/quantizer.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/common/error.h"

namespace qs {
namespace {

QuantSpec asym(int bits, int64_t group, double clip = 1.0, MetaFormat meta = MetaFormat::kF16, ZeroKind zero = ZeroKind::kIntegerZero) {
  QuantSpec s;
  s.bits = bits, s.group = group, s.clip = clip, s.meta = meta, s.zero = zero;
  return s;
}

TEST(Quantizer, ErrorWithinHalfAStepInsideTheClipRange) {
  for (int bits : {2, 3, 4, 8})
    for (double clip : {1.0, 0.8})
      for (auto zero : {ZeroKind::kIntegerZero, ZeroKind::kMin}) {
        QuantSpec s = asym(bits, 16, clip, MetaFormat::kF16, zero);
        at::Tensor x = at::randn({64, 128});
        QuantizedGroups q = quantize_groups(x, s);
        at::Tensor xr = dequantize_groups(q, s).view({64, 8, 16});
        at::Tensor xg = x.view({64, 8, 16});
        at::Tensor step = q.scale.to(at::kFloat).unsqueeze(-1);
        // Inside [clip*min, clip*max] every value lies within half a step of its reconstruction.
        at::Tensor lo = xg.amin(-1, true) * clip, hi = xg.amax(-1, true) * clip;
        at::Tensor inside = (xg >= lo) & (xg <= hi);
        at::Tensor err = (xr - xg).abs() / step;
        EXPECT_LE(err.masked_select(inside).max().item<float>(), 0.5f + 1e-4f) << bits << " " << clip;
        EXPECT_TRUE(at::isfinite(xr).all().item<bool>());
      }
}

TEST(Quantizer, ExactAtGridPoints) {
  for (int bits : {2, 3, 4, 8}) {
    const int L = (1 << bits) - 1;
    // Values s*(q - z) with a power-of-two scale; the extremes q = 0 and q = L are present.
    at::Tensor q = at::randint(0, L + 1, {10, 32}, at::kLong);
    q.select(1, 0).fill_(0);
    q.select(1, 1).fill_(L);
    const double s = 0.125;
    const int z = L / 3;
    at::Tensor x = ((q - z).to(at::kFloat) * s);
    for (auto meta : {MetaFormat::kF16, MetaFormat::kFp8ScaleInt8Zero}) {
      QuantSpec spec = asym(bits, 32, 1.0, meta);
      at::Tensor xr = dequantize_groups(quantize_groups(x, spec), spec);
      EXPECT_TRUE(at::equal(xr, x)) << bits;
    }
  }
}

TEST(Quantizer, ConstantGroupsGiveNoNaNAndReadBackExactly) {
  for (double c : {0.0, 3.5, -2.25, 1e-20}) {
    QuantSpec s = asym(2, 8);
    at::Tensor x = at::full({2, 8}, c);
    at::Tensor xr = dequantize_groups(quantize_groups(x, s), s);
    EXPECT_TRUE(at::isfinite(xr).all().item<bool>()) << c;
    EXPECT_NEAR((xr - x).abs().max().item<float>(), 0.0, std::abs(c) * 1e-3 + 1e-7) << c;
  }
}

TEST(Quantizer, MetadataCosts) {
  EXPECT_DOUBLE_EQ(asym(2, 128).bits_per_element(), 2.25);
  EXPECT_DOUBLE_EQ(asym(2, 128, 1.0, MetaFormat::kFp8ScaleInt8Zero).bits_per_element(), 2.125);
  QuantSpec q8;
  q8.scheme = QuantScheme::kLlamaQ8_0, q8.bits = 8, q8.group = 32;
  EXPECT_DOUBLE_EQ(q8.bits_per_element(), 8.5);
  QuantSpec q4;
  q4.scheme = QuantScheme::kLlamaQ4_0, q4.bits = 4, q4.group = 32;
  EXPECT_DOUBLE_EQ(q4.bits_per_element(), 4.5);
  QuantizedGroups g = quantize_groups(at::randn({3, 256}), asym(2, 128, 0.8, MetaFormat::kFp8ScaleInt8Zero));
  EXPECT_EQ(g.scale.scalar_type(), at::kByte);
  EXPECT_EQ(g.zero.scalar_type(), at::kChar);
}

TEST(Quantizer, LlamaBlocksFollowLlamaCpp) {
  // q8_0: d = amax/127, q = roundf(x/d) (half away from zero).
  QuantSpec q8;
  q8.scheme = QuantScheme::kLlamaQ8_0, q8.bits = 8, q8.group = 4;
  at::Tensor x = at::tensor({1.0f, -2.54f, 0.5f, 0.0f});
  QuantizedGroups g = quantize_groups(x.view({1, 4}), q8);
  const float d = 2.54f / 127.0f;
  EXPECT_FLOAT_EQ(g.scale.to(at::kFloat).item<float>(), at::tensor({d}).to(at::kHalf).to(at::kFloat).item<float>());
  std::vector<int> expect = {int(std::round(1.0f / d)), -127, int(std::round(0.5f / d)), 0};
  for (int i = 0; i < 4; ++i) EXPECT_EQ(g.codes[0][i].item<int>() - 128, expect[size_t(i)]) << i;
  // q4_0: d = m / -8 with m the value of largest magnitude; q = min(15, floor(x/d + 8.5)).
  QuantSpec q4;
  q4.scheme = QuantScheme::kLlamaQ4_0, q4.bits = 4, q4.group = 4;
  at::Tensor y = at::tensor({4.0f, -1.0f, 0.3f, -8.0f}).view({1, 4});
  QuantizedGroups h = quantize_groups(y, q4);
  EXPECT_FLOAT_EQ(h.scale.to(at::kFloat).item<float>(), 1.0f);  // -8 / -8
  std::vector<int> codes = {12, 7, 8, 0};                       // floor(x + 8.5), capped at 15
  for (int i = 0; i < 4; ++i) EXPECT_EQ(h.codes[0][i].item<int>(), codes[size_t(i)]) << i;
  EXPECT_TRUE(at::allclose(dequantize_groups(h, q4), at::tensor({4.0f, -1.0f, 0.0f, -8.0f}).view({1, 4})));
}

TEST(Quantizer, Fp8E4m3EveryCodeRoundTrips) {
  at::Tensor codes = at::arange(0, 255, at::kInt).to(at::kByte);
  codes = codes.masked_select((codes != 127) & (codes != 128));  // no NaN code; -0 encodes as +0
  at::Tensor values = fp8_e4m3_decode(codes);
  EXPECT_TRUE(at::equal(fp8_e4m3_encode(values), codes));
  EXPECT_FLOAT_EQ(fp8_e4m3_decode(at::tensor({126}).to(at::kByte)).item<float>(), 448.0f);
  EXPECT_FLOAT_EQ(fp8_e4m3_decode(at::tensor({1}).to(at::kByte)).item<float>(), std::ldexp(1.0f, -9));
  // Halfway between 1.0 (code 56) and 1.125 (57) rounds to even (56); above it rounds up.
  EXPECT_EQ(fp8_e4m3_encode(at::tensor({1.0625f})).item<int>(), 56);
  EXPECT_EQ(fp8_e4m3_encode(at::tensor({1.07f})).item<int>(), 57);
  EXPECT_EQ(fp8_e4m3_encode(at::tensor({1e6f})).item<int>(), 126);  // saturates
}

TEST(Quantizer, RefusesBadSpecs) {
  EXPECT_THROW(quantize_groups(at::randn({2, 10}), asym(2, 4)), Error);  // 10 not a multiple of 4
  EXPECT_THROW(quantize_groups(at::randn({2, 8}), asym(1, 4)), Error);
  EXPECT_THROW(quantize_groups(at::randn({2, 8}), asym(2, 4, 1.5)), Error);
  EXPECT_THROW(quantize_groups(at::randn({2, 8}), asym(2, 4, 1.0, MetaFormat::kFp8ScaleInt8Zero, ZeroKind::kMin)), Error);
}

}  // namespace
}  // namespace qs
