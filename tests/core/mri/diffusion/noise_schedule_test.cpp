// Noise schedules, respacing and one DDPM step against closed-form values and guided diffusion's
// space_timesteps rules (Python's half-to-even rounding included).
#include <gtest/gtest.h>

#include <cmath>

#include "core/common/error.h"
#include "core/mri/diffusion/noise_schedule.h"

namespace qs::mri {
namespace {

double v(const at::Tensor& t, int64_t i) { return t[i].item<double>(); }

TEST(NoiseSchedule, LinearScheduleMatchesTheClosedForms) {
  const NoiseSchedule s = linear_schedule(1000);
  ASSERT_EQ(s.size(), 1000);
  EXPECT_DOUBLE_EQ(v(s.betas, 0), 1e-4);
  EXPECT_NEAR(v(s.betas, 999), 0.02, 1e-15);
  double abar = 1;
  for (int64_t t = 0; t < 1000; ++t) {
    const double beta = 1e-4 + (0.02 - 1e-4) * double(t) / 999.0;
    EXPECT_NEAR(v(s.betas, t), beta, 1e-15);
    const double prev = abar;
    abar *= 1 - beta;
    if (t % 97 == 1) {
      EXPECT_NEAR(v(s.alphas_cumprod, t), abar, 1e-13 * abar) << t;
      EXPECT_NEAR(v(s.posterior_variance, t), beta * (1 - prev) / (1 - abar), 1e-12) << t;
      EXPECT_NEAR(v(s.posterior_mean_coef1, t), beta * std::sqrt(prev) / (1 - abar), 1e-12) << t;
      EXPECT_NEAR(v(s.posterior_mean_coef2, t), (1 - prev) * std::sqrt(1 - beta) / (1 - abar), 1e-12) << t;
    }
  }
  EXPECT_DOUBLE_EQ(v(s.posterior_variance, 0), 0.0);  // abar_{-1} = 1
  // Guided diffusion's scaling for other lengths.
  EXPECT_NEAR(v(linear_schedule(250).betas, 249), 0.08, 1e-15);
}

TEST(NoiseSchedule, SpaceTimestepsFollowsGuidedDiffusion) {
  std::vector<int64_t> ten;
  for (int64_t i = 0; i < 10; ++i) ten.push_back(111 * i);
  EXPECT_EQ(space_timesteps(1000, "10"), ten);
  std::vector<int64_t> ddim;
  for (int64_t t = 0; t < 1000; t += 20) ddim.push_back(t);
  EXPECT_EQ(space_timesteps(1000, "ddim50"), ddim);
  EXPECT_EQ(space_timesteps(6, "3"), (std::vector<int64_t>{0, 2, 5}));  // round(2.5) == 2 in Python
  EXPECT_EQ(space_timesteps(8, "3,3"), (std::vector<int64_t>{0, 2, 3, 4, 6, 7}));
  EXPECT_EQ(space_timesteps(9, "2,1"), (std::vector<int64_t>{0, 4, 5}));  // sections of 5 and 4
  EXPECT_THROW(space_timesteps(10, "11"), Error);
  EXPECT_THROW(space_timesteps(1000, "ddim999"), Error);  // no stride gives 999 of 1000
}

TEST(NoiseSchedule, RespacingKeepsTheBaseCumulativeProducts) {
  const NoiseSchedule base = linear_schedule(1000);
  const std::vector<int64_t> keep = space_timesteps(1000, "50");
  const NoiseSchedule s = respace(base, keep);
  ASSERT_EQ(s.size(), 50);
  EXPECT_EQ(s.timesteps, keep);
  for (int64_t i = 0; i < 50; ++i) {
    EXPECT_NEAR(v(s.alphas_cumprod, i), v(base.alphas_cumprod, keep[size_t(i)]), 1e-14) << i;
    EXPECT_GT(v(s.betas, i), 0.0);
  }
  EXPECT_THROW(respace(base, {5, 3}), Error);
}

TEST(NoiseSchedule, OneStepIsTheHandComputation) {
  const NoiseSchedule s = linear_schedule(1000);
  const int64_t t = 10;
  const at::Tensor x0 = at::full({2, 3}, 0.5, at::kDouble), noise = at::full({2, 3}, 0.3, at::kDouble), eps = at::full({2, 3}, -0.7, at::kDouble);
  double abar = 1, prev = 1, beta = 0;
  for (int64_t i = 0; i <= t; ++i) beta = 1e-4 + (0.02 - 1e-4) * double(i) / 999.0, prev = abar, abar *= 1 - beta;
  const at::Tensor xt = q_sample(s, x0, t, eps);
  EXPECT_NEAR(xt[0][0].item<double>(), std::sqrt(abar) * 0.5 - std::sqrt(1 - abar) * 0.7, 1e-13);
  EXPECT_TRUE(at::allclose(predict_x0(s, xt, t, eps), x0, 1e-12, 1e-12));
  const double mean = beta * std::sqrt(prev) / (1 - abar) * 0.5 + (1 - prev) * std::sqrt(1 - beta) / (1 - abar) * xt[0][0].item<double>();
  const double var = beta * (1 - prev) / (1 - abar);
  EXPECT_NEAR(posterior_step(s, x0, xt, t, noise)[1][2].item<double>(), mean + std::sqrt(var) * 0.3, 1e-12);
  // At t = 0 the step is the posterior mean, with no noise.
  EXPECT_TRUE(at::allclose(posterior_step(s, x0, q_sample(s, x0, 0, eps), 0, noise), x0 * v(s.posterior_mean_coef1, 0) + q_sample(s, x0, 0, eps) * v(s.posterior_mean_coef2, 0)));
  EXPECT_THROW(q_sample(s, x0, 1000, eps), Error);
}

}  // namespace
}  // namespace qs::mri
