// The VAE of LDPM's latent space (issue "LDPM"), AutoencoderKL-style: residual blocks with group
// norm and SiLU, downsampling by strided 3x3 convolutions, a latent of `latent_channels` with mean
// and log-variance, upsampling by nearest x2 + 3x3 convolution. One magnitude channel in and out.
//
//   encode: x [B, 1, H, W] -> (mean, logvar) [B, zc, H/f, W/f],  f = 2^(levels - 1)
//   decode: z [B, zc, H/f, W/f] -> x' [B, 1, H, W]
//   loss:   L1(x', x) + ssim * (1 - SSIM(x', x)) + kspace * L1(F x', F x) + kl * KL(N(mean, exp(logvar)) || N(0, I)),
//           each averaged over elements; SSIM as fastMRI's (data range 1: slices are in [0, 1]),
//           F the orthonormal 2-D DFT (the k-space-domain loss the issue names)
//   latent: z = s * mean(encode(x)) for the diffusion prior (s: the latent scale buffer)
// H and W must be multiples of f (the sampler pads or refuses before calling).
#pragma once
#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/normalization.h>

#include <string>
#include <vector>

#include "core/mri/metrics.h"

namespace qs::mri {

// The weights of the VAE's training loss beside its L1 term (see `loss` above).
struct VaeLossWeights {
  double kl = 1e-6, ssim = 0.2, kspace = 0;
  void validate() const;  // throws Error(kInvalidArgument) unless each is finite and >= 0
};

struct VaeConfig {
  int64_t in_channels = 1, base_channels = 32, latent_channels = 4, levels = 3, groups = 8;
  std::vector<int64_t> channel_mult = {1, 2, 2};  // one per level
  int64_t downsampling() const { return int64_t(1) << (levels - 1); }
  void validate() const;  // throws Error(kInvalidArgument) naming the bad field
};

class ResBlockImpl : public torch::nn::Module {
 public:
  ResBlockImpl(int64_t in, int64_t out, int64_t groups);
  at::Tensor forward(const at::Tensor& x);

 private:
  torch::nn::GroupNorm norm1_{nullptr}, norm2_{nullptr};
  torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr}, skip_{nullptr};
};
TORCH_MODULE(ResBlock);

class VaeImpl : public torch::nn::Module {
 public:
  explicit VaeImpl(const VaeConfig& config);
  std::pair<at::Tensor, at::Tensor> encode(const at::Tensor& x);
  at::Tensor decode(const at::Tensor& z);
  // The training loss of a batch (reparameterised sample with `noise`, [B, zc, h, w]).
  at::Tensor loss(const at::Tensor& x, const at::Tensor& noise, const VaeLossWeights& weights);
  const VaeConfig& config() const { return config_; }

  // The diffusion prior's latent: mean(encode(x)) * s, with s chosen after training so that these
  // latents have unit standard deviation (Stable Diffusion's scaling factor); latent_to_image
  // inverts it. s is a buffer saved with the weights (1 until set).
  at::Tensor image_to_latent(const at::Tensor& x);
  at::Tensor latent_to_image(const at::Tensor& z);
  double latent_scale() const;
  void set_latent_scale(double s);  // Error(kInvalidArgument) unless finite and > 0

 private:
  VaeConfig config_;
  torch::nn::Sequential encoder_{nullptr}, decoder_{nullptr};
  at::Tensor latent_scale_;
};
TORCH_MODULE(Vae);

// Weights and config in one file (torch::save archive). load_vae builds the file's architecture;
// with `expected` it refuses a file of another one, naming both. Error(kFormat) for a file that
// is no VAE, is truncated or whose weights do not fit its configuration.
// Round trip decode(mean(encode(x))) of images [N, 1, H, W] in [0, 1] (H, W multiples of the
// downsampling), clamped to [0, 1], scored with fastMRI's per-volume metrics; one image at a time.
VolumeMetrics round_trip_metrics(Vae& vae, const at::Tensor& images);

void save_vae(Vae& vae, const std::string& path);
Vae load_vae(const std::string& path, const VaeConfig* expected = nullptr);
std::string describe(const VaeConfig& c);

}  // namespace qs::mri
