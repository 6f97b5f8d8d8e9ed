// The trainers' augmentations: off changes nothing, each transform changes the crops within
// [0, 1], the contrast remap keeps the intensity order, the same generator seed repeats a batch,
// and bad strengths are refused.
#include "core/mri/diffusion/augment.h"

#include <gtest/gtest.h>

#include "core/common/error.h"

namespace qs::mri {
namespace {

at::Tensor ramp_crops() {
  // Two 16 x 16 crops: a horizontal ramp and its mirror, every value in [0, 1].
  const at::Tensor r = at::linspace(0, 1, 16).view({1, 16}).expand({16, 16});
  return at::stack({r, r.flip(1)}).unsqueeze(1).contiguous();
}

at::Tensor run(const AugmentOptions& o, uint64_t seed) {
  at::Generator gen = at::detail::createCPUGenerator(seed);
  return augment(ramp_crops(), o, gen);
}

TEST(Augment, OffIsTheIdentityAndEachTransformActs) {
  const at::Tensor x = ramp_crops();
  EXPECT_TRUE(at::equal(run(AugmentOptions{}, 1), x));
  for (AugmentOptions o : {AugmentOptions{0.5, 0, 0, 0}, AugmentOptions{0, 0.3, 0, 0}, AugmentOptions{0, 0, 2.0, 0}, AugmentOptions{0, 0, 0, 0.05}}) {
    const at::Tensor y = run(o, 1);
    ASSERT_EQ(y.sizes(), x.sizes());
    EXPECT_GT((y - x).abs().max().item<double>(), 1e-3) << o.contrast << " " << o.bias << " " << o.deform << " " << o.noise;
    EXPECT_GE(y.min().item<double>(), 0.0);
    EXPECT_LE(y.max().item<double>(), 1.0);
    EXPECT_TRUE(at::equal(run(o, 1), y));     // the same draws from the same seed
    EXPECT_FALSE(at::equal(run(o, 2), y));    // other draws from another
  }
}

TEST(Augment, ContrastKeepsTheOrderAndTheEnds) {
  AugmentOptions o;
  o.contrast = 1.0, o.bands = 5;
  const at::Tensor y = run(o, 3);
  for (int64_t b = 0; b < 2; ++b) {
    const at::Tensor row = b == 0 ? y[b][0][0] : y[b][0][0].flip(0);  // increasing input along the row
    EXPECT_TRUE((row.slice(0, 1) >= row.slice(0, 0, -1) - 1e-6).all().item<bool>());
    EXPECT_NEAR(row[0].item<double>(), 0.0, 1e-6);
    EXPECT_NEAR(row[-1].item<double>(), 1.0, 1e-5);
  }
}

TEST(Augment, RefusesBadStrengths) {
  at::Generator gen = at::detail::createCPUGenerator(0);
  AugmentOptions o;
  o.bias = -1;
  EXPECT_THROW(augment(ramp_crops(), o, gen), Error);
  o.bias = 0, o.bands = 0, o.contrast = 0.1;
  EXPECT_THROW(augment(ramp_crops(), o, gen), Error);
  EXPECT_THROW(augment(at::rand({2, 16, 16}), AugmentOptions{0.1, 0, 0, 0}, gen), Error);  // not [B, 1, c, c]
}

}  // namespace
}  // namespace qs::mri
