// LDPM's latent denoiser (issue "LDPM"): a UNet that predicts the noise eps in a noised latent
// z_t, conditioned on the sketch's latent by channel concatenation, with a sinusoidal timestep
// embedding added inside every residual block.
//
//   forward(z_t [B, zc, h, w], t [B] (int64 base steps), cond [B, zc, h, w]) -> eps [B, zc, h, w]
//   training loss: mean (eps - UNet(sqrt(abar_t) z0 + sqrt(1 - abar_t) eps, t, cond))^2
// h and w must be multiples of 2^(levels - 1).
#pragma once
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include <string>
#include <vector>

#include "core/mri/diffusion/noise_schedule.h"

namespace qs::mri {

struct UnetConfig {
  int64_t latent_channels = 4, base_channels = 64, levels = 3, groups = 8;
  std::vector<int64_t> channel_mult = {1, 2, 2};
  bool conditioned = true;  // the sketch latent is concatenated to the input
  int64_t downsampling() const { return int64_t(1) << (levels - 1); }  // h and w must be multiples of it
  void validate() const;
};

class TimeResBlockImpl : public torch::nn::Module {
 public:
  TimeResBlockImpl(int64_t in, int64_t out, int64_t emb, int64_t groups);
  at::Tensor forward(const at::Tensor& x, const at::Tensor& emb);

 private:
  torch::nn::GroupNorm norm1_{nullptr}, norm2_{nullptr};
  torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr}, skip_{nullptr};
  torch::nn::Linear time_{nullptr};
};
TORCH_MODULE(TimeResBlock);

class LatentUnetImpl : public torch::nn::Module {
 public:
  explicit LatentUnetImpl(const UnetConfig& config);
  at::Tensor forward(const at::Tensor& z, const at::Tensor& t, const at::Tensor& cond);
  // The epsilon-prediction loss of one batch at the given schedule indices.
  at::Tensor loss(const NoiseSchedule& s, const at::Tensor& z0, const at::Tensor& t, const at::Tensor& noise, const at::Tensor& cond);
  const UnetConfig& config() const { return config_; }

 private:
  UnetConfig config_;
  int64_t emb_dim_ = 0;
  torch::nn::Linear time1_{nullptr}, time2_{nullptr};
  torch::nn::Conv2d in_{nullptr}, out_{nullptr};
  torch::nn::GroupNorm out_norm_{nullptr};
  torch::nn::ModuleList down_blocks_{nullptr}, downsample_{nullptr}, up_blocks_{nullptr}, upsample_{nullptr};
  TimeResBlock mid_{nullptr};
};
TORCH_MODULE(LatentUnet);

// Sinusoidal embedding of integer steps t [B] into [B, dim] (dim even), as in DDPM.
at::Tensor timestep_embedding(const at::Tensor& t, int64_t dim);

// Weights and configuration in one file (weight_file.h). load_unet builds the file's
// architecture; with `expected` it refuses a file of another one, naming both; Error(kFormat) for
// a file that is no UNet, is truncated or whose weights do not fit its configuration.
void save_unet(LatentUnet& unet, const std::string& path);
LatentUnet load_unet(const std::string& path, const UnetConfig* expected = nullptr);
std::string describe(const UnetConfig& c);

}  // namespace qs::mri
