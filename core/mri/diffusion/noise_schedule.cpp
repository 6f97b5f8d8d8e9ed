#include "core/mri/diffusion/noise_schedule.h"

#include <cmath>
#include <set>
#include <sstream>

#include "core/common/error.h"

namespace qs::mri {
namespace {

double at_index(const at::Tensor& t, int64_t i) { return t[i].item<double>(); }

void check_step(const NoiseSchedule& s, int64_t t) {
  if (t < 0 || t >= s.size()) fail(ErrorKind::kInvalidArgument, "diffusion: step " + std::to_string(t) + " outside 0.." + std::to_string(s.size() - 1));
}

}  // namespace

NoiseSchedule schedule_from_betas(const at::Tensor& betas_in) {
  at::Tensor b = betas_in.to(at::kDouble).contiguous();
  if (b.dim() != 1 || b.numel() < 1 || !(b.gt(0).all().item<bool>() && b.le(1).all().item<bool>()))
    fail(ErrorKind::kInvalidArgument, "diffusion: betas must be a non-empty 1-D tensor in (0, 1]");
  NoiseSchedule s;
  s.betas = b;
  s.alphas_cumprod = at::cumprod(1 - b, 0);
  s.alphas_cumprod_prev = at::cat({at::ones({1}, at::kDouble), s.alphas_cumprod.narrow(0, 0, b.size(0) - 1)});
  const at::Tensor one_minus = 1 - s.alphas_cumprod;
  s.posterior_variance = b * (1 - s.alphas_cumprod_prev) / one_minus;
  s.posterior_mean_coef1 = b * at::sqrt(s.alphas_cumprod_prev) / one_minus;
  s.posterior_mean_coef2 = (1 - s.alphas_cumprod_prev) * at::sqrt(1 - b) / one_minus;
  s.timesteps.resize(size_t(b.size(0)));
  for (int64_t i = 0; i < b.size(0); ++i) s.timesteps[size_t(i)] = i;
  return s;
}

NoiseSchedule linear_schedule(int64_t T) {
  if (T < 2) fail(ErrorKind::kInvalidArgument, "diffusion: a schedule needs at least 2 steps");
  const double scale = 1000.0 / double(T);
  return schedule_from_betas(at::linspace(scale * 1e-4, scale * 0.02, T, at::kDouble));
}

std::vector<int64_t> space_timesteps(int64_t T, const std::string& counts) {
  std::set<int64_t> out;
  if (counts.rfind("ddim", 0) == 0) {
    const int64_t n = std::stoll(counts.substr(4));
    for (int64_t stride = 1; stride < T; ++stride)
      if ((T + stride - 1) / stride == n) {
        for (int64_t t = 0; t < T; t += stride) out.insert(t);
        return {out.begin(), out.end()};
      }
    fail(ErrorKind::kInvalidArgument, "diffusion: no stride gives exactly " + std::to_string(n) + " of " + std::to_string(T) + " steps");
  }
  std::vector<int64_t> sections;
  std::stringstream in(counts);
  for (std::string part; std::getline(in, part, ',');) sections.push_back(std::stoll(part));
  if (sections.empty()) fail(ErrorKind::kInvalidArgument, "diffusion: no section counts in '" + counts + "'");
  const int64_t per = T / int64_t(sections.size()), extra = T % int64_t(sections.size());
  int64_t start = 0;
  for (size_t i = 0; i < sections.size(); ++i) {
    const int64_t size = per + (int64_t(i) < extra ? 1 : 0), n = sections[i];
    if (n < 1 || n > size) fail(ErrorKind::kInvalidArgument, "diffusion: cannot take " + std::to_string(n) + " steps from a section of " + std::to_string(size));
    const double frac = n <= 1 ? 1.0 : double(size - 1) / double(n - 1);
    double cur = 0;
    // Python's round(): half to even, which nearbyint does in the default rounding mode.
    for (int64_t k = 0; k < n; ++k) out.insert(start + int64_t(std::nearbyint(cur))), cur += frac;
    start += size;
  }
  return {out.begin(), out.end()};
}

NoiseSchedule respace(const NoiseSchedule& base, const std::vector<int64_t>& keep) {
  if (keep.empty()) fail(ErrorKind::kInvalidArgument, "diffusion: respacing keeps no step");
  std::vector<double> betas;
  double last = 1.0;
  int64_t prev = -1;
  for (int64_t t : keep) {
    if (t <= prev || t >= base.size()) fail(ErrorKind::kInvalidArgument, "diffusion: kept steps must ascend inside 0.." + std::to_string(base.size() - 1));
    const double abar = at_index(base.alphas_cumprod, t);
    betas.push_back(1 - abar / last);
    last = abar, prev = t;
  }
  NoiseSchedule s = schedule_from_betas(at::tensor(betas, at::kDouble));
  s.timesteps = keep;
  return s;
}

at::Tensor q_sample(const NoiseSchedule& s, const at::Tensor& x0, int64_t t, const at::Tensor& noise) {
  check_step(s, t);
  const double a = at_index(s.alphas_cumprod, t);
  return x0 * std::sqrt(a) + noise * std::sqrt(1 - a);
}

at::Tensor predict_x0(const NoiseSchedule& s, const at::Tensor& xt, int64_t t, const at::Tensor& eps) {
  check_step(s, t);
  const double a = at_index(s.alphas_cumprod, t);
  return (xt - eps * std::sqrt(1 - a)) / std::sqrt(a);
}

at::Tensor posterior_step(const NoiseSchedule& s, const at::Tensor& x0, const at::Tensor& xt, int64_t t, const at::Tensor& noise) {
  check_step(s, t);
  at::Tensor mean = x0 * at_index(s.posterior_mean_coef1, t) + xt * at_index(s.posterior_mean_coef2, t);
  return t == 0 ? mean : mean + noise * std::sqrt(at_index(s.posterior_variance, t));
}

}  // namespace qs::mri
