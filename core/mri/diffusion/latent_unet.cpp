#include "core/mri/diffusion/latent_unet.h"

#include <torch/nn/functional/activation.h>
#include <torch/nn/functional/upsampling.h>

#include <cmath>

#include "core/common/error.h"
#include "core/mri/diffusion/weight_file.h"

namespace qs::mri {
namespace {

torch::nn::Conv2d conv3(int64_t in, int64_t out, int64_t stride = 1) { return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).stride(stride).padding(1)); }
torch::nn::GroupNorm group_norm(int64_t groups, int64_t ch) { return torch::nn::GroupNorm(torch::nn::GroupNormOptions(std::min(groups, ch), ch).eps(1e-6)); }

std::vector<int64_t> config_vector(const UnetConfig& c) {
  std::vector<int64_t> v = {c.latent_channels, c.base_channels, c.levels, c.groups, c.conditioned ? 1 : 0};
  v.insert(v.end(), c.channel_mult.begin(), c.channel_mult.end());
  return v;
}

}  // namespace

void UnetConfig::validate() const {
  if (latent_channels < 1 || base_channels < 1 || groups < 1 || levels < 1 || levels > 5 || int64_t(channel_mult.size()) != levels)
    fail(ErrorKind::kInvalidArgument, "unet: positive channels and groups, 1..5 levels and one channel multiplier per level");
  for (int64_t m : channel_mult)
    if (m < 1 || (base_channels * m) % std::min(groups, base_channels * m) != 0) fail(ErrorKind::kInvalidArgument, "unet: every level's channels must be a multiple of the groups");
}

at::Tensor timestep_embedding(const at::Tensor& t, int64_t dim) {
  const int64_t half = dim / 2;
  const at::Tensor freqs = at::exp(-std::log(10000.0) * at::arange(half, t.options().dtype(at::kFloat)) / double(half));
  const at::Tensor args = t.to(at::kFloat).unsqueeze(1) * freqs.unsqueeze(0);
  return at::cat({at::cos(args), at::sin(args)}, 1);
}

TimeResBlockImpl::TimeResBlockImpl(int64_t in, int64_t out, int64_t emb, int64_t groups) {
  norm1_ = register_module("norm1", group_norm(groups, in));
  conv1_ = register_module("conv1", conv3(in, out));
  time_ = register_module("time", torch::nn::Linear(emb, out));
  norm2_ = register_module("norm2", group_norm(groups, out));
  conv2_ = register_module("conv2", conv3(out, out));
  if (in != out) skip_ = register_module("skip", torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 1)));
}

at::Tensor TimeResBlockImpl::forward(const at::Tensor& x, const at::Tensor& emb) {
  at::Tensor h = conv1_->forward(torch::silu(norm1_->forward(x)));
  h = h + time_->forward(torch::silu(emb)).unsqueeze(-1).unsqueeze(-1);
  h = conv2_->forward(torch::silu(norm2_->forward(h)));
  return (skip_ ? skip_->forward(x) : x) + h;
}

LatentUnetImpl::LatentUnetImpl(const UnetConfig& c) : config_(c) {
  c.validate();
  emb_dim_ = 4 * c.base_channels;
  time1_ = register_module("time1", torch::nn::Linear(c.base_channels, emb_dim_));
  time2_ = register_module("time2", torch::nn::Linear(emb_dim_, emb_dim_));
  in_ = register_module("input_conv", conv3(c.latent_channels * (c.conditioned ? 2 : 1), c.base_channels));
  down_blocks_ = register_module("down_blocks", torch::nn::ModuleList());
  downsample_ = register_module("downsample", torch::nn::ModuleList());
  up_blocks_ = register_module("up_blocks", torch::nn::ModuleList());
  upsample_ = register_module("upsample", torch::nn::ModuleList());
  std::vector<int64_t> skips;
  int64_t ch = c.base_channels;
  for (int64_t i = 0; i < c.levels; ++i) {
    const int64_t out = c.base_channels * c.channel_mult[size_t(i)];
    down_blocks_->push_back(TimeResBlock(ch, out, emb_dim_, c.groups));
    ch = out;
    skips.push_back(ch);
    if (i + 1 < c.levels) downsample_->push_back(conv3(ch, ch, 2));
  }
  mid_ = register_module("mid", TimeResBlock(ch, ch, emb_dim_, c.groups));
  for (int64_t i = c.levels - 1; i >= 0; --i) {
    const int64_t out = c.base_channels * c.channel_mult[size_t(i)];
    up_blocks_->push_back(TimeResBlock(ch + skips[size_t(i)], out, emb_dim_, c.groups));
    ch = out;
    if (i > 0) upsample_->push_back(conv3(ch, ch));
  }
  out_norm_ = register_module("out_norm", group_norm(c.groups, ch));
  out_ = register_module("out", conv3(ch, c.latent_channels));
}

at::Tensor LatentUnetImpl::forward(const at::Tensor& z, const at::Tensor& t, const at::Tensor& cond) {
  const UnetConfig& c = config_;
  const int64_t f = c.downsampling();
  if (z.dim() != 4 || z.size(1) != c.latent_channels || z.size(2) % f || z.size(3) % f)
    fail(ErrorKind::kInvalidArgument, "unet: latents must be [B, " + std::to_string(c.latent_channels) + ", h, w] with h and w multiples of " + std::to_string(f));
  if (t.dim() != 1 || t.size(0) != z.size(0)) fail(ErrorKind::kInvalidArgument, "unet: one timestep per latent");
  if (c.conditioned && (!cond.defined() || cond.sizes() != z.sizes())) fail(ErrorKind::kInvalidArgument, "unet: the condition latent must have the latent's shape");
  const at::Tensor emb = time2_->forward(torch::silu(time1_->forward(timestep_embedding(t, c.base_channels))));
  at::Tensor h = in_->forward(c.conditioned ? at::cat({z, cond}, 1) : z);
  std::vector<at::Tensor> skips;
  for (int64_t i = 0; i < c.levels; ++i) {
    h = down_blocks_[size_t(i)]->as<TimeResBlock>()->forward(h, emb);
    skips.push_back(h);
    if (i + 1 < c.levels) h = downsample_[size_t(i)]->as<torch::nn::Conv2d>()->forward(h);
  }
  h = mid_->forward(h, emb);
  for (int64_t k = 0; k < c.levels; ++k) {
    const int64_t i = c.levels - 1 - k;
    h = up_blocks_[size_t(k)]->as<TimeResBlock>()->forward(at::cat({h, skips[size_t(i)]}, 1), emb);
    if (i > 0) {
      h = torch::nn::functional::interpolate(h, torch::nn::functional::InterpolateFuncOptions().scale_factor(std::vector<double>{2.0, 2.0}).mode(torch::kNearest));
      h = upsample_[size_t(k)]->as<torch::nn::Conv2d>()->forward(h);
    }
  }
  return out_->forward(torch::silu(out_norm_->forward(h)));
}

at::Tensor LatentUnetImpl::loss(const NoiseSchedule& s, const at::Tensor& z0, const at::Tensor& t, const at::Tensor& noise, const at::Tensor& cond) {
  const at::Tensor abar = s.alphas_cumprod.to(z0.device()).index_select(0, t.to(z0.device())).to(z0.scalar_type()).view({-1, 1, 1, 1});
  const at::Tensor zt = at::sqrt(abar) * z0 + at::sqrt(1 - abar) * noise;
  std::vector<int64_t> base(size_t(t.size(0)));
  const at::Tensor tc = t.to(at::kCPU, at::kLong).contiguous();
  for (int64_t i = 0; i < t.size(0); ++i) base[size_t(i)] = s.timesteps[size_t(tc[i].item<int64_t>())];
  const at::Tensor steps = at::tensor(base, at::kLong).to(z0.device());
  return (forward(zt, steps, cond) - noise).pow(2).mean();
}

void save_unet(LatentUnet& unet, const std::string& path) { save_weight_file(*unet, "unet_config", config_vector(unet->config()), path); }

std::string describe(const UnetConfig& c) {
  std::string mult;
  for (int64_t m : c.channel_mult) mult += (mult.empty() ? "" : ",") + std::to_string(m);
  return std::to_string(c.levels) + " levels (x" + mult + ") of " + std::to_string(c.base_channels) + " channels, " + std::to_string(c.latent_channels) +
         " latent channel(s), groups " + std::to_string(c.groups) + (c.conditioned ? ", conditioned" : ", unconditioned");
}

LatentUnet load_unet(const std::string& path, const UnetConfig* expected) {
  torch::serialize::InputArchive a;
  const std::vector<int64_t> v = read_weight_config(a, path, "UNet weight file", "unet_config", 6);
  UnetConfig c;
  c.latent_channels = v[0], c.base_channels = v[1], c.levels = v[2], c.groups = v[3], c.conditioned = v[4] != 0;
  c.channel_mult.assign(v.begin() + 5, v.end());
  try {
    c.validate();
  } catch (const Error& e) {
    fail_format("'" + path + "' holds an impossible UNet configuration: " + e.what());
  }
  if (expected && config_vector(*expected) != config_vector(c))
    fail(ErrorKind::kInvalidArgument, "'" + path + "' holds a UNet of " + describe(c) + ", not the expected " + describe(*expected));
  LatentUnet unet(c);
  load_weight_parameters(*unet, a, path);
  return unet;
}

}  // namespace qs::mri
