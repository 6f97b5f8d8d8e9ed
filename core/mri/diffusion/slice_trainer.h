// What LDPM's trainers share (issue "LDPM": train-vae, train-sketch, train-ldm): the slices of
// one volume scaled to [0, 1] by its maximum, split into training and held-out slices that must
// not overlap; batches of random crops of the training slices (left-right flips) drawn from a
// generator seeded by (seed, step), so that a resumed run equals the uninterrupted one; Adam over
// one module; checkpoints (weights, optimizer, step) that resume; a non-finite loss refused
// before it updates anything.
#pragma once
#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/mri/diffusion/augment.h"

namespace qs::mri {

struct SliceTrainOptions {
  int64_t batch = 16, crop = 64;
  double lr = 2e-4;
  uint64_t seed = 1;
  at::Device device = at::Device(at::kCPU);
  AugmentOptions augment;  // applied to every training batch (none by default)
};

class SliceData {
 public:
  // slices (S, H, W) real; train / heldout index into them. `command` names the caller in errors.
  SliceData(const std::string& command, const at::Tensor& slices, std::vector<int64_t> train, std::vector<int64_t> heldout, const at::Device& device);
  // [B, 1, crop, crop] on the device.
  at::Tensor crops(int64_t batch, int64_t crop, at::Generator& gen) const;
  // The held-out slices' centre crops whose sides are multiples of `multiple`: [N, 1, H', W'].
  at::Tensor heldout_images(int64_t multiple) const;
  int64_t height() const { return slices_.size(1); }
  int64_t width() const { return slices_.size(2); }
  const std::string& command() const { return command_; }

 private:
  std::string command_;
  at::Tensor slices_;  // (S, H, W) f32 in [0, 1], on the device
  std::vector<int64_t> train_, heldout_;
};

class SliceTrainer {
 public:
  // loss(crops [B, 1, c, c] on the device, the step's generator) -> a scalar to minimise.
  using LossFn = std::function<at::Tensor(const at::Tensor& crops, at::Generator& gen)>;
  // The crop must be a multiple of `multiple` (the networks' downsampling) within the slices.
  SliceTrainer(std::shared_ptr<const SliceData> data, std::shared_ptr<torch::nn::Module> module, const SliceTrainOptions& options, int64_t multiple, LossFn loss);
  ~SliceTrainer();
  double step();  // one Adam step; returns the loss; Error(kFormat) when it is not finite
  int64_t steps_done() const { return step_; }
  const SliceData& data() const { return *data_; }
  void save_checkpoint(const std::string& path) const;
  void load_checkpoint(const std::string& path);

 private:
  std::shared_ptr<const SliceData> data_;
  std::shared_ptr<torch::nn::Module> module_;
  SliceTrainOptions o_;
  LossFn loss_;
  struct Optimizer;
  std::unique_ptr<Optimizer> opt_;
  int64_t step_ = 0;
};

// What the three trainers (VAE, sketch, latent denoiser) expose of the SliceTrainer they own; each
// builds trainer_ with its own network and loss.
class NetworkTrainer {
 public:
  virtual ~NetworkTrainer() = default;
  double step() { return trainer_->step(); }  // Error(kFormat) when the loss is not finite
  int64_t steps_done() const { return trainer_->steps_done(); }
  void save_checkpoint(const std::string& path) const { trainer_->save_checkpoint(path); }  // weights, optimizer, step
  void load_checkpoint(const std::string& path) { trainer_->load_checkpoint(path); }

 protected:
  std::unique_ptr<SliceTrainer> trainer_;
};

}  // namespace qs::mri
