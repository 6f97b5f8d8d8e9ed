// Training LDPM's VAE on slices of one volume (issue "LDPM"; `quantiscope mri train-vae`):
// SliceTrainer's crops and loop, the reparameterisation noise drawn from the step's generator
// after the crops; loss as VaeImpl::loss.
// Evaluation: round-trip PSNR / SSIM of the held-out slices (fastMRI's per-volume metrics on the
// centre crop whose sides are multiples of the downsampling), never seen in training.
#pragma once
#include <ATen/ATen.h>

#include <memory>
#include <string>
#include <vector>

#include "core/mri/diffusion/slice_trainer.h"
#include "core/mri/diffusion/vae.h"
#include "core/mri/metrics.h"

namespace qs::mri {

struct VaeTrainOptions : SliceTrainOptions {
  VaeLossWeights loss;
};

class VaeTrainer : public NetworkTrainer {
 public:
  // slices (S, H, W) real; train / heldout index into them (disjoint: checked).
  VaeTrainer(const VaeConfig& config, const VaeTrainOptions& options, const at::Tensor& slices, std::vector<int64_t> train, std::vector<int64_t> heldout);
  ~VaeTrainer();
  VolumeMetrics evaluate() const;  // on the held-out slices
  // Sets the VAE's latent scale to 1 / std of the latent means of n training crops (drawn from
  // their own seeded generator, not the training stream) and returns it.
  double set_latent_scale_from_training(int64_t n);
  Vae& vae() { return vae_; }

 private:
  Vae vae_{nullptr};
};

}  // namespace qs::mri
