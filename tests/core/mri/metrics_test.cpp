#include "core/mri/metrics.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/common/error.h"
#include "tests/core/mri/phantom.h"

namespace qs::mri {
namespace {

TEST(Metrics, IdenticalVolumesArePerfect) {
  const at::Tensor v = test::ellipse_phantom(32, 40).unsqueeze(0).repeat({2, 1, 1});
  const VolumeMetrics m = evaluate_volume(v, v);
  EXPECT_EQ(m.nmse, 0.0);
  EXPECT_TRUE(std::isinf(m.psnr));
  EXPECT_NEAR(m.ssim, 1.0, 1e-12);
  EXPECT_EQ(m.slices.size(), 2u);
}

TEST(Metrics, VolumeAggregationUsesTheVolumeMax) {
  // Slice 1 is dim: per-slice PSNR still uses the volume's data range, and the volume PSNR
  // comes from the volume MSE (not a mean of slice PSNRs) -- fastMRI's definitions.
  at::manual_seed(4);
  const at::Tensor gt = at::stack({at::rand({16, 16}) + 1.0, 0.1 * at::rand({16, 16})}, 0).to(at::kDouble);
  const at::Tensor pred = gt + 0.01 * at::randn({2, 16, 16}, at::kDouble);
  const VolumeMetrics m = evaluate_volume(gt, pred);
  const double r = gt.max().item<double>();
  const double mse = (gt - pred).pow(2).mean().item<double>();
  EXPECT_NEAR(m.psnr, 10 * std::log10(r * r / mse), 1e-9);
  EXPECT_NEAR(m.nmse, (gt - pred).pow(2).sum().item<double>() / gt.pow(2).sum().item<double>(), 1e-12);
  const double mse1 = (gt[1] - pred[1]).pow(2).mean().item<double>();
  EXPECT_NEAR(m.slices[1].psnr, 10 * std::log10(r * r / mse1), 1e-9);
  EXPECT_NEAR(m.ssim, (m.slices[0].ssim + m.slices[1].ssim) / 2, 1e-15);
}

TEST(Metrics, BadInputsAreErrors) {
  const at::Tensor a = at::rand({2, 16, 16});
  EXPECT_THROW(evaluate_volume(a, at::rand({2, 16, 15})), Error);
  EXPECT_THROW(evaluate_volume(a[0], a[0]), Error);
  at::Tensor nan = a.clone();
  nan[0][1][1] = std::nanf("");
  EXPECT_THROW(evaluate_volume(a, nan), Error);
  EXPECT_THROW(evaluate_volume(at::rand({1, 5, 5}), at::rand({1, 5, 5})), Error);  // smaller than the 7x7 window
}

TEST(Metrics, BatchedSsimMapMatchesSlicesAndTrains) {
  // The VAE's SSIM loss: batched float maps equal the per-slice metric, and its gradient improves
  // a noisy prediction (one step of gradient ascent raises the SSIM).
  at::manual_seed(9);
  const at::Tensor gt = test::ellipse_phantom(24, 28).to(at::kFloat);
  const at::Tensor target = at::stack({gt, gt.flip(1)}).unsqueeze(1);  // [2, 1, 24, 28]
  at::Tensor pred = (target + 0.1 * at::randn(target.sizes())).requires_grad_(true);
  const at::Tensor map = ssim_map(target, pred, 1.0);
  ASSERT_EQ(map.sizes(), (at::IntArrayRef{2, 1, 18, 22}));
  for (int64_t i = 0; i < 2; ++i) EXPECT_NEAR(map[i].mean().item<double>(), ssim_slice(target[i][0], pred.detach()[i][0], 1.0), 1e-5);
  const at::Tensor s = map.mean();
  s.backward();
  ASSERT_TRUE(at::isfinite(pred.grad()).all().item<bool>());
  const at::Tensor stepped = pred.detach() + 0.5 * pred.grad() / pred.grad().abs().max();
  EXPECT_GT(ssim_map(target, stepped, 1.0).mean().item<double>(), s.item<double>());
  EXPECT_THROW(ssim_map(target, pred.detach()[0], 1.0), Error);
}

}  // namespace
}  // namespace qs::mri
