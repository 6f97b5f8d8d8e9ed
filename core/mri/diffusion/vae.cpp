#include "core/mri/diffusion/vae.h"

#include <torch/nn/functional/activation.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/upsampling.h>
#include <torch/torch.h>

#include <cmath>

#include "core/common/error.h"
#include "core/mri/diffusion/weight_file.h"
#include "core/mri/metrics.h"
#include "core/mri/volume.h"

namespace qs::mri {
namespace {

torch::nn::Conv2d conv3(int64_t in, int64_t out, int64_t stride = 1) { return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).stride(stride).padding(1)); }

torch::nn::GroupNorm group_norm(int64_t groups, int64_t channels) { return torch::nn::GroupNorm(torch::nn::GroupNormOptions(std::min(groups, channels), channels).eps(1e-6)); }

std::vector<int64_t> config_vector(const VaeConfig& c) {
  std::vector<int64_t> v = {c.in_channels, c.base_channels, c.latent_channels, c.levels, c.groups};
  v.insert(v.end(), c.channel_mult.begin(), c.channel_mult.end());
  return v;
}

}  // namespace

void VaeConfig::validate() const {
  if (in_channels < 1 || base_channels < 1 || latent_channels < 1 || groups < 1) fail(ErrorKind::kInvalidArgument, "vae: channel counts and groups must be positive");
  if (levels < 1 || levels > 6) fail(ErrorKind::kInvalidArgument, "vae: levels must be 1..6");
  if (int64_t(channel_mult.size()) != levels) fail(ErrorKind::kInvalidArgument, "vae: channel_mult needs one entry per level (" + std::to_string(levels) + ")");
  for (int64_t m : channel_mult)
    if (m < 1 || (base_channels * m) % std::min(groups, base_channels * m) != 0) fail(ErrorKind::kInvalidArgument, "vae: every level's channels must be a positive multiple of the groups");
}

ResBlockImpl::ResBlockImpl(int64_t in, int64_t out, int64_t groups) {
  norm1_ = register_module("norm1", group_norm(groups, in));
  conv1_ = register_module("conv1", conv3(in, out));
  norm2_ = register_module("norm2", group_norm(groups, out));
  conv2_ = register_module("conv2", conv3(out, out));
  if (in != out) skip_ = register_module("skip", torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 1)));
}

at::Tensor ResBlockImpl::forward(const at::Tensor& x) {
  at::Tensor h = conv1_->forward(torch::silu(norm1_->forward(x)));
  h = conv2_->forward(torch::silu(norm2_->forward(h)));
  return (skip_ ? skip_->forward(x) : x) + h;
}

VaeImpl::VaeImpl(const VaeConfig& c) : config_(c) {
  c.validate();
  torch::nn::Sequential enc;
  int64_t ch = c.base_channels;
  enc->push_back(conv3(c.in_channels, ch));
  for (int64_t i = 0; i < c.levels; ++i) {
    const int64_t out = c.base_channels * c.channel_mult[size_t(i)];
    enc->push_back(ResBlock(ch, out, c.groups));
    ch = out;
    if (i + 1 < c.levels) enc->push_back(conv3(ch, ch, 2));
  }
  enc->push_back(ResBlock(ch, ch, c.groups));
  enc->push_back(group_norm(c.groups, ch));
  enc->push_back(torch::nn::SiLU());
  enc->push_back(conv3(ch, 2 * c.latent_channels));
  encoder_ = register_module("encoder", enc);

  torch::nn::Sequential dec;
  dec->push_back(conv3(c.latent_channels, ch));
  dec->push_back(ResBlock(ch, ch, c.groups));
  for (int64_t i = c.levels - 1; i >= 0; --i) {
    const int64_t out = c.base_channels * c.channel_mult[size_t(i)];
    dec->push_back(ResBlock(ch, out, c.groups));
    ch = out;
    if (i > 0) {
      dec->push_back(torch::nn::Upsample(torch::nn::UpsampleOptions().scale_factor(std::vector<double>{2.0, 2.0}).mode(torch::kNearest)));
      dec->push_back(conv3(ch, ch));
    }
  }
  dec->push_back(group_norm(c.groups, ch));
  dec->push_back(torch::nn::SiLU());
  dec->push_back(conv3(ch, c.in_channels));
  decoder_ = register_module("decoder", dec);
  latent_scale_ = register_buffer("latent_scale", at::ones({1}));
}

at::Tensor VaeImpl::image_to_latent(const at::Tensor& x) { return encode(x).first * latent_scale_; }
at::Tensor VaeImpl::latent_to_image(const at::Tensor& z) { return decode(z / latent_scale_); }
double VaeImpl::latent_scale() const { return latent_scale_.item<double>(); }

void VaeImpl::set_latent_scale(double s) {
  if (!std::isfinite(s) || !(s > 0)) fail(ErrorKind::kInvalidArgument, "vae: the latent scale must be finite and positive");
  torch::NoGradGuard no_grad;
  latent_scale_.fill_(s);
}

std::pair<at::Tensor, at::Tensor> VaeImpl::encode(const at::Tensor& x) {
  const int64_t f = config_.downsampling();
  if (x.dim() != 4 || x.size(1) != config_.in_channels || x.size(2) % f || x.size(3) % f)
    fail(ErrorKind::kInvalidArgument, "vae: images must be [B, " + std::to_string(config_.in_channels) + ", H, W] with H and W multiples of " + std::to_string(f));
  at::Tensor h = encoder_->forward(x);
  auto parts = h.chunk(2, 1);
  return {parts[0], parts[1].clamp(-30.0, 20.0)};
}

at::Tensor VaeImpl::decode(const at::Tensor& z) {
  if (z.dim() != 4 || z.size(1) != config_.latent_channels) fail(ErrorKind::kInvalidArgument, "vae: latents must be [B, " + std::to_string(config_.latent_channels) + ", h, w]");
  return decoder_->forward(z);
}

void VaeLossWeights::validate() const {
  for (auto [name, v] : {std::pair<const char*, double>{"kl", kl}, {"ssim", ssim}, {"kspace", kspace}})
    if (!std::isfinite(v) || v < 0) fail(ErrorKind::kInvalidArgument, std::string("vae: the ") + name + " loss weight must be finite and >= 0");
}

at::Tensor VaeImpl::loss(const at::Tensor& x, const at::Tensor& noise, const VaeLossWeights& w) {
  auto [mean, logvar] = encode(x);
  const at::Tensor z = mean + at::exp(0.5 * logvar) * noise;
  const at::Tensor recon = decode(z);
  const at::Tensor kl = 0.5 * (mean.pow(2) + logvar.exp() - 1 - logvar).mean();
  at::Tensor total = (recon - x).abs().mean() + w.kl * kl;
  if (w.ssim > 0) total = total + w.ssim * (1 - ssim_map(x.select(1, 0), recon.select(1, 0), 1.0).mean());
  if (w.kspace > 0) {
    const at::Tensor k_err = at::fft_fft2(recon.select(1, 0), c10::nullopt, {-2, -1}, "ortho") - at::fft_fft2(x.select(1, 0), c10::nullopt, {-2, -1}, "ortho");
    total = total + w.kspace * k_err.abs().mean();
  }
  return total;
}

VolumeMetrics round_trip_metrics(Vae& vae, const at::Tensor& x) {
  torch::NoGradGuard no_grad;
  if (x.dim() != 4 || x.size(1) != 1) fail(ErrorKind::kInvalidArgument, "vae round trip: images must be [N, 1, H, W]; got " + shape_string(x));
  std::vector<at::Tensor> pred;
  for (int64_t i = 0; i < x.size(0); ++i) pred.push_back(vae->decode(vae->encode(x.narrow(0, i, 1)).first)[0][0].clamp(0, 1).cpu());
  return evaluate_volume(x.select(1, 0).cpu(), at::stack(pred));
}

void save_vae(Vae& vae, const std::string& path) { save_weight_file(*vae, "vae_config", config_vector(vae->config()), path); }

std::string describe(const VaeConfig& c) {
  std::string mult;
  for (int64_t m : c.channel_mult) mult += (mult.empty() ? "" : ",") + std::to_string(m);
  return std::to_string(c.levels) + " levels (x" + mult + ") of " + std::to_string(c.base_channels) + " channels, latent " + std::to_string(c.latent_channels) +
         ", groups " + std::to_string(c.groups) + ", " + std::to_string(c.in_channels) + " input channel(s)";
}

Vae load_vae(const std::string& path, const VaeConfig* expected) {
  torch::serialize::InputArchive a;
  const std::vector<int64_t> v = read_weight_config(a, path, "VAE weight file", "vae_config", 6);
  VaeConfig c;
  c.in_channels = v[0], c.base_channels = v[1], c.latent_channels = v[2], c.levels = v[3], c.groups = v[4];
  c.channel_mult.assign(v.begin() + 5, v.end());
  try {
    c.validate();
  } catch (const Error& e) {
    fail_format("'" + path + "' holds an impossible VAE configuration: " + e.what());
  }
  if (expected && config_vector(*expected) != config_vector(c))
    fail(ErrorKind::kInvalidArgument, "'" + path + "' holds a VAE of " + describe(c) + ", not the expected " + describe(*expected));
  Vae vae(c);
  load_weight_parameters(*vae, a, path);
  return vae;
}

}  // namespace qs::mri
