// LDPM's Dual-Stage Sampler (issue "LDPM"): spaced DDPM sampling in the VAE's latent space,
// conditioned on the sketch's latent, with k-space data consistency in its second stage.
//
//   s     = respace(base, space_timesteps(T, steps))             (N kept steps, index N-1 .. 0)
//   c     = image_to_latent(sketch)  (s * mean of encode)         (the condition latent)
//   z     = q_sample(s, c, start, noise)   or pure noise          (start_from_condition)
//   for i = start .. 0:
//     z0  = predict_x0(s, z, i, UNet(z, t_i, c))
//     stage B (i <= switch_index, every dc_every-th step):
//       x0 = latent_to_image(z0);  x_dc = |DC(x0, y, M)| (hard projection or a soft step of eta)
//       z0 = w image_to_latent(x_dc) + (1 - w) z0
//     z   = posterior_step(s, z0, z, i, noise_i)
//   x = latent_to_image(z), then one more DC step in pixel space of weight final_dc (1: the hard
//   projection, 0: none; between: k <- k - w M (k - y), trading PSNR for SSIM)
// Images are magnitudes [B, 1, H, W] (the networks' domain); DC treats them as real images whose
// measured lines are replaced, and keeps the magnitude. Seeded; progress per step; cancellable.
#pragma once
#include <ATen/ATen.h>

#include <cstdint>

#include "core/common/cancel.h"
#include "core/mri/diffusion/latent_unet.h"
#include "core/mri/diffusion/vae.h"

namespace qs::mri {

enum class DcMode { kNone, kHard, kSoft };

struct DualStageOptions {
  int64_t steps = 50;                 // kept steps of the base schedule
  int64_t start = -1;                 // first index (-1: steps - 1, pure noise level)
  int64_t switch_index = -1;          // stage B from this index down (-1: steps / 2)
  int64_t dc_every = 1;
  DcMode dc = DcMode::kHard;
  double dc_weight = 1.0, soft_eta = 0.5;
  bool start_from_condition = true;
  double final_dc = 1.0;  // weight of the final pixel-space DC step, in [0, 1]
  uint64_t seed = 0;
};

// sketch [B, 1, H, W]; y [B, h, w] complex measured k-space (zero off the mask), h <= H and
// w <= W: the measured image is the centre of the networks' padded size (the border is free);
// mask [w] or [B, h, w]. Returns the magnitude image [B, 1, H, W]. Throws Error(kCancelled) when cancelled.
at::Tensor dual_stage_sample(Vae& vae, LatentUnet& unet, const NoiseSchedule& base, const at::Tensor& sketch, const at::Tensor& y, const at::Tensor& mask,
                             const DualStageOptions& options, const ProgressFn& progress = nullptr, const CancelToken& cancel = CancelToken());

}  // namespace qs::mri
