// Training LDPM's latent denoiser (issue "LDPM"; `quantiscope mri train-ldm`). With the trained
// VAE and sketch network frozen, each SliceTrainer crop x is undersampled (mask drawn per item)
// into x_zf and
//   z0 = image_to_latent(x),  c = image_to_latent(sketch(x_zf)),  t ~ U{0..T-1},  eps ~ N(0, I)
//   loss = mean (eps - UNet(sqrt(abar_t) z0 + sqrt(1 - abar_t) eps, t, c))^2
// on the base linear schedule of T steps. Evaluation: the same loss on held-out slices at fixed
// steps and noise (a curve that can be compared across runs, not a reconstruction metric).
#pragma once
#include <memory>
#include <vector>

#include "core/mri/diffusion/noise_schedule.h"
#include "core/mri/diffusion/sketch.h"
#include "core/mri/diffusion/slice_trainer.h"
#include "core/mri/diffusion/vae.h"

namespace qs::mri {

class LdmTrainer : public NetworkTrainer {
 public:
  LdmTrainer(const UnetConfig& config, const SliceTrainOptions& options, std::vector<MaskSpec> choices, Vae vae, LatentUnet sketch, int64_t schedule_steps,
             const at::Tensor& slices, std::vector<int64_t> train, std::vector<int64_t> heldout);
  ~LdmTrainer();
  double heldout_loss(const MaskSpec& mask) const;
  LatentUnet& net() { return net_; }

 private:
  LatentUnet net_{nullptr};
  Vae vae_{nullptr};
  LatentUnet sketch_{nullptr};
  NoiseSchedule schedule_;
};

}  // namespace qs::mri
