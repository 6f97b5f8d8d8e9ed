// Training LDPM's VAE on slices of one volume (issue "LDPM"; `quantiscope mri train-vae`).
// Batches are random crops of the split's training slices, each slice scaled to [0, 1] by the
// volume's maximum, drawn with the reparameterisation noise from a generator seeded by
// (seed, step): a resumed run equals the uninterrupted one. Adam; loss as VaeImpl::loss.
// Evaluation: round-trip PSNR / SSIM of the held-out slices (fastMRI's per-volume metrics on the
// centre crop whose sides are multiples of the downsampling), never seen in training.
#pragma once
#include <ATen/ATen.h>

#include <memory>
#include <string>
#include <vector>

#include "core/mri/diffusion/vae.h"
#include "core/mri/metrics.h"

namespace qs::mri {

struct VaeTrainOptions {
  int64_t batch = 16, crop = 64;
  double lr = 2e-4, kl_weight = 1e-6;
  uint64_t seed = 1;
  at::Device device = at::Device(at::kCPU);
};

class VaeTrainer {
 public:
  // slices (S, H, W) real; train / heldout index into them (disjoint: checked).
  VaeTrainer(const VaeConfig& config, const VaeTrainOptions& options, const at::Tensor& slices, std::vector<int64_t> train, std::vector<int64_t> heldout);
  ~VaeTrainer();
  double step();  // one Adam step; returns the loss; Error(kFormat) when it is not finite
  int64_t steps_done() const;
  VolumeMetrics evaluate() const;  // on the held-out slices
  Vae& vae();
  void save_checkpoint(const std::string& path) const;  // weights, optimizer, step (resume)
  void load_checkpoint(const std::string& path);

 private:
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace qs::mri
