#include "core/mri/diffusion/dual_stage_sampler.h"

#include <string>

#include "core/common/error.h"
#include "core/mri/diffusion/data_consistency.h"
#include "core/mri/simulate.h"

namespace qs::mri {
namespace {

// |DC(x)| for magnitude images [B, 1, H, W]. When the measurements are smaller ([B, h, w]: the
// networks' size padded to their multiple), the centre h x w is made consistent and the border
// keeps the network's values.
at::Tensor consistent_magnitude(const at::Tensor& x, const at::Tensor& y, const at::Tensor& mask, DcMode mode, double eta) {
  const int64_t h = y.size(1), w = y.size(2);
  const bool padded = x.size(2) != h || x.size(3) != w;
  const at::Tensor img = (padded ? center_crop(x, h, w) : x).squeeze(1).to(at::kFloat);
  const at::Tensor dc = mode == DcMode::kSoft ? soft_data_consistency(img, y, mask, eta) : hard_data_consistency(img, y, mask);
  const at::Tensor m = at::abs(dc).unsqueeze(1).to(x.scalar_type());
  if (!padded) return m;
  at::Tensor out = x.clone();
  out.narrow(2, (x.size(2) - h) / 2, h).narrow(3, (x.size(3) - w) / 2, w).copy_(m);
  return out;
}

}  // namespace

at::Tensor dual_stage_sample(Vae& vae, LatentUnet& unet, const NoiseSchedule& base, const at::Tensor& sketch, const at::Tensor& y, const at::Tensor& mask,
                             const DualStageOptions& o, const ProgressFn& progress, const CancelToken& cancel) {
  if (sketch.dim() != 4 || sketch.size(1) != 1) fail(ErrorKind::kInvalidArgument, "ldpm: the sketch must be [B, 1, H, W]");
  if (y.dim() != 3 || y.size(0) != sketch.size(0) || y.size(1) > sketch.size(2) || y.size(2) > sketch.size(3))
    fail(ErrorKind::kInvalidArgument, "ldpm: k-space must be [B, h, w] with h, w no larger than the sketch's [B, 1, H, W]");
  if (!at::isfinite(at::view_as_real(y.is_complex() ? y : at::complex(y, at::zeros_like(y)))).all().item<bool>())
    fail(ErrorKind::kFormat, "ldpm: the k-space holds NaN or Inf values");
  const NoiseSchedule s = respace(base, space_timesteps(base.size(), std::to_string(o.steps)));
  const int64_t n = s.size(), start = o.start < 0 ? n - 1 : o.start, switch_at = o.switch_index < 0 ? n / 2 : o.switch_index;
  if (start >= n || o.dc_every < 1 || !(o.dc_weight >= 0 && o.dc_weight <= 1) || !(o.final_dc >= 0 && o.final_dc <= 1))
    fail(ErrorKind::kInvalidArgument, "ldpm: start below the step count, dc_every >= 1 and DC weights in [0, 1]");
  torch::NoGradGuard no_grad;
  at::Generator gen = at::detail::createCPUGenerator(o.seed);
  const at::Tensor cond = vae->image_to_latent(sketch);
  auto noise_like = [&](const at::Tensor& t) { return at::randn(t.sizes(), gen, at::TensorOptions().dtype(t.scalar_type())).to(t.device()); };
  at::Tensor z = o.start_from_condition ? q_sample(s, cond, start, noise_like(cond)) : noise_like(cond);
  for (int64_t i = start; i >= 0; --i) {
    cancel.check();
    const at::Tensor t = at::full({z.size(0)}, s.timesteps[size_t(i)], at::TensorOptions().dtype(at::kLong).device(z.device()));
    at::Tensor z0 = predict_x0(s, z, i, unet->forward(z, t, cond));
    if (o.dc != DcMode::kNone && i <= switch_at && (start - i) % o.dc_every == 0) {
      const at::Tensor x_dc = consistent_magnitude(vae->latent_to_image(z0), y, mask, o.dc, o.soft_eta);
      z0 = o.dc_weight * vae->image_to_latent(x_dc) + (1 - o.dc_weight) * z0;
    }
    z = posterior_step(s, z0, z, i, noise_like(z));
    if (progress) progress(start - i + 1, start + 1);
  }
  at::Tensor x = vae->latent_to_image(z);
  if (o.final_dc >= 1) x = consistent_magnitude(x, y, mask, DcMode::kHard, 1.0);
  else if (o.final_dc > 0) x = consistent_magnitude(x, y, mask, DcMode::kSoft, o.final_dc);
  return x;
}

}  // namespace qs::mri
