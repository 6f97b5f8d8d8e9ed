// Data consistency: the hard operator is a projection onto the measurements (applying it twice
// equals once; the result reproduces the measured k-space), a soft step of eta shrinks the
// residual by (1 - eta) and equals the projection at eta = 1; masks of the wrong width are refused.
#include <gtest/gtest.h>

#include "core/common/error.h"
#include "core/mri/diffusion/data_consistency.h"
#include "core/mri/fft.h"

namespace qs::mri {
namespace {

struct Problem {
  at::Tensor truth, y, mask, guess;
};

Problem problem() {
  at::manual_seed(3);
  Problem p;
  p.truth = at::randn({2, 64, 48}, at::kDouble);
  p.mask = (at::rand({48}, at::kDouble) < 0.3).to(at::kDouble);
  p.mask.narrow(0, 20, 8).fill_(1);  // the centre lines
  p.y = p.mask * fft2c(p.truth);
  p.guess = at::randn({2, 64, 48}, at::kDouble);
  return p;
}

TEST(DataConsistency, TheHardOperatorIsAProjectionOntoTheMeasurements) {
  const Problem p = problem();
  const at::Tensor once = hard_data_consistency(p.guess, p.y, p.mask);
  const at::Tensor twice = hard_data_consistency(once, p.y, p.mask);
  EXPECT_TRUE(at::allclose(at::view_as_real(twice), at::view_as_real(once), 1e-5, 1e-5));
  EXPECT_LT(data_residual(once, p.y, p.mask), 1e-6);
  EXPECT_GT(data_residual(p.guess, p.y, p.mask), 0.5);
  // The truth is a fixed point.
  EXPECT_TRUE(at::allclose(at::real(hard_data_consistency(p.truth, p.y, p.mask)), p.truth, 1e-5, 1e-5));
}

TEST(DataConsistency, ASoftStepShrinksTheResidualByOneMinusEta) {
  const Problem p = problem();
  const double r0 = data_residual(p.guess, p.y, p.mask);
  for (double eta : {0.25, 0.5, 0.9}) EXPECT_NEAR(data_residual(soft_data_consistency(p.guess, p.y, p.mask, eta), p.y, p.mask), (1 - eta) * r0, 1e-5 * r0) << eta;
  EXPECT_TRUE(at::allclose(at::view_as_real(soft_data_consistency(p.guess, p.y, p.mask, 1.0)), at::view_as_real(hard_data_consistency(p.guess, p.y, p.mask)), 1e-5, 1e-5));
  EXPECT_THROW(soft_data_consistency(p.guess, p.y, p.mask, 0.0), Error);
  EXPECT_THROW(hard_data_consistency(p.guess, p.y, at::ones({47})), Error);  // a mask of the wrong width
}

}  // namespace
}  // namespace qs::mri
