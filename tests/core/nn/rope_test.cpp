#include "core/nn/rope.h"

#include <gtest/gtest.h>

#include <cmath>

namespace qs {
namespace {

RopeParams cfg(RopeStyle style) {
  RopeParams c;
  c.head_dim = 8;
  c.style = style;
  return c;
}

TEST(Rope, AdjacentPairsRotateByPositionTimesFrequency) {
  Rope r(cfg(RopeStyle::kAdjacent), at::Tensor(), at::kCPU);
  at::Tensor x = at::zeros({1, 1, 1, 8});
  x[0][0][0][2] = 1.0;  // pair 1: (x2, x3), frequency 10000^(-2/8)
  at::Tensor y = r.apply(x, at::tensor({5}, at::kLong));
  double ang = 5.0 * std::pow(10000.0, -2.0 / 8.0);
  EXPECT_NEAR(y[0][0][0][2].item<double>(), std::cos(ang), 1e-6);
  EXPECT_NEAR(y[0][0][0][3].item<double>(), std::sin(ang), 1e-6);
}

TEST(Rope, HalfStylePairsIWithIPlusHalf) {
  Rope r(cfg(RopeStyle::kHalf), at::Tensor(), at::kCPU);
  at::Tensor x = at::zeros({1, 1, 1, 8});
  x[0][0][0][1] = 1.0;  // pair (x1, x5)
  at::Tensor y = r.apply(x, at::tensor({3}, at::kLong));
  double ang = 3.0 * std::pow(10000.0, -2.0 / 8.0);
  EXPECT_NEAR(y[0][0][0][1].item<double>(), std::cos(ang), 1e-6);
  EXPECT_NEAR(y[0][0][0][5].item<double>(), std::sin(ang), 1e-6);
}

TEST(Rope, InvertUndoesApplyAndNormsArePreserved) {
  for (auto style : {RopeStyle::kAdjacent, RopeStyle::kHalf}) {
    Rope r(cfg(style), at::Tensor(), at::kCPU);
    at::Tensor x = at::randn({2, 3, 5, 8});
    at::Tensor pos = at::arange(100, 105, at::kLong);
    at::Tensor y = r.apply(x, pos);
    EXPECT_LE((r.invert(y, pos) - x).abs().max().item<double>(), 1e-5);
    EXPECT_LE((y.norm(2, -1) - x.norm(2, -1)).abs().max().item<double>(), 1e-4);
  }
}

TEST(Rope, Llama3ScalingSlowsOnlyLowFrequencies) {
  RopeParams c = cfg(RopeStyle::kHalf);
  c.head_dim = 128;
  c.theta = 500000;
  Rope plain(c, at::Tensor(), at::kCPU);
  c.scaling.type = "llama3";
  c.scaling.factor = 8;
  c.scaling.low_freq_factor = 1;
  c.scaling.high_freq_factor = 4;
  c.scaling.original_context = 8192;
  Rope scaled(c, at::Tensor(), at::kCPU);
  EXPECT_FLOAT_EQ(scaled.inv_freq()[0].item<float>(), plain.inv_freq()[0].item<float>());          // highest frequency kept
  EXPECT_NEAR(scaled.inv_freq()[63].item<double>(), plain.inv_freq()[63].item<double>() / 8, 1e-12);  // lowest divided by factor
}

}  // namespace
}  // namespace qs
