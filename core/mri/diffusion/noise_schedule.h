// DDPM noise schedules and their respacing (issue "LDPM"), in float64, as Ho et al. (2020) and
// guided diffusion (Nichol & Dhariwal 2021, SpacedDiffusion) define them.
//
//   forward    q(x_t | x_0) = N(sqrt(abar_t) x_0, (1 - abar_t) I),  abar_t = prod_{s<=t} (1 - beta_s)
//   posterior  q(x_{t-1} | x_t, x_0) = N(c1_t x_0 + c2_t x_t, var_t)
//              c1_t = beta_t sqrt(abar_{t-1}) / (1 - abar_t),  c2_t = (1 - abar_{t-1}) sqrt(alpha_t) / (1 - abar_t)
//              var_t = beta_t (1 - abar_{t-1}) / (1 - abar_t)   (abar_{-1} = 1)
//   x_0 from the predicted noise:  x_0 = (x_t - sqrt(1 - abar_t) eps) / sqrt(abar_t)
// Respacing keeps a subset S of the T steps and sets, for consecutive kept steps s' < s,
// beta'_s = 1 - abar_s / abar_{s'} (the first kept step: 1 - abar_s), so the respaced chain has
// exactly the base abar at every kept step.
#pragma once
#include <ATen/ATen.h>

#include <string>
#include <vector>

namespace qs::mri {

struct NoiseSchedule {
  at::Tensor betas, alphas_cumprod, alphas_cumprod_prev;  // [T] f64
  at::Tensor posterior_variance, posterior_mean_coef1, posterior_mean_coef2;
  std::vector<int64_t> timesteps;  // the base step each index stands for (0..T-1 unless respaced)
  int64_t size() const { return betas.size(0); }
};

// From betas in (0, 1); throws Error(kInvalidArgument) otherwise.
NoiseSchedule schedule_from_betas(const at::Tensor& betas);
// DDPM's linear schedule, scaled as guided diffusion does for T != 1000: beta from
// 1e-4 * 1000/T to 0.02 * 1000/T.
NoiseSchedule linear_schedule(int64_t T = 1000);

// Guided diffusion's space_timesteps: "N" or "a,b,c" (section counts, each section of T split
// evenly, endpoints included) or "ddimN" (every T/N-th step from 0). Returns the kept base
// steps, ascending. Throws for counts that do not fit.
std::vector<int64_t> space_timesteps(int64_t T, const std::string& counts);
NoiseSchedule respace(const NoiseSchedule& base, const std::vector<int64_t>& keep);

// x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) noise, for schedule index t.
at::Tensor q_sample(const NoiseSchedule& s, const at::Tensor& x0, int64_t t, const at::Tensor& noise);
at::Tensor predict_x0(const NoiseSchedule& s, const at::Tensor& xt, int64_t t, const at::Tensor& eps);
// One ancestral step x_t -> x_{t-1} from a predicted clean sample: the posterior mean plus
// sqrt(var_t) noise (no noise at t = 0).
at::Tensor posterior_step(const NoiseSchedule& s, const at::Tensor& x0, const at::Tensor& xt, int64_t t, const at::Tensor& noise);

}  // namespace qs::mri
