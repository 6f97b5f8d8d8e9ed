#include "core/mri/diffusion/sketch.h"

#include "core/common/error.h"
#include "core/mri/fft.h"

namespace qs::mri {

UnetConfig sketch_config(int64_t base_channels, int64_t levels, int64_t groups) {
  UnetConfig c;
  c.latent_channels = 1, c.base_channels = base_channels, c.levels = levels, c.groups = groups, c.conditioned = false;
  c.channel_mult.clear();
  for (int64_t i = 0; i < levels; ++i) c.channel_mult.push_back(std::min<int64_t>(int64_t(1) << i, 4));
  c.validate();
  return c;
}

at::Tensor apply_sketch(LatentUnet& net, const at::Tensor& zf) {
  if (net->config().conditioned || net->config().latent_channels != 1) fail(ErrorKind::kInvalidArgument, "sketch: the network must be a one-channel unconditioned UNet");
  return zf + net->forward(zf, at::zeros({zf.size(0)}, zf.options().dtype(at::kLong)), at::Tensor());
}

namespace {

Undersampled undersample_with(const at::Tensor& images, const std::vector<MaskSpec>& specs) {
  if (images.dim() != 4 || images.size(1) != 1 || images.is_complex()) fail(ErrorKind::kInvalidArgument, "undersample: images must be real [B, 1, H, W]");
  const int64_t H = images.size(2), W = images.size(3);
  std::vector<at::Tensor> masks;
  for (const MaskSpec& s : specs) {
    if (s.type == "gaussian2d") fail(ErrorKind::kInvalidArgument, "undersample: LDPM's training pairs use 1-D Cartesian masks (random, equispaced)");
    masks.push_back(make_mask(s, H, W));
  }
  const at::Tensor mask = at::stack(masks).to(images.device());
  const at::Tensor y = fft2c(images.select(1, 0)) * mask;
  return Undersampled{y, mask, at::abs(ifft2c(y)).unsqueeze(1).to(images.scalar_type())};
}

}  // namespace

Undersampled undersample(const at::Tensor& images, const std::vector<MaskSpec>& choices, at::Generator& gen) {
  if (choices.empty()) fail(ErrorKind::kInvalidArgument, "undersample: no mask choices");
  std::vector<MaskSpec> specs;
  for (int64_t b = 0; b < images.size(0); ++b) {
    MaskSpec s = choices[size_t(at::randint(int64_t(choices.size()), {1}, gen).item<int64_t>())];
    s.seed = uint64_t(at::randint(int64_t(1) << 40, {1}, gen).item<int64_t>());
    specs.push_back(s);
  }
  return undersample_with(images, specs);
}

Undersampled undersample(const at::Tensor& images, const MaskSpec& spec) { return undersample_with(images, std::vector<MaskSpec>(size_t(images.size(0)), spec)); }

std::vector<MaskSpec> mask_choices(const std::vector<std::string>& types, const std::vector<double>& accelerations) {
  std::vector<MaskSpec> out;
  for (const auto& t : types) {
    if (t != "random" && t != "equispaced") fail(ErrorKind::kInvalidArgument, "mask type '" + t + "': LDPM trains on random or equispaced masks");
    for (double a : accelerations) {
      if (!(a >= 1)) fail(ErrorKind::kInvalidArgument, "acceleration " + std::to_string(a) + " is below 1");
      MaskSpec s;
      s.type = t, s.acceleration = a;
      out.push_back(s);
    }
  }
  if (out.empty()) fail(ErrorKind::kInvalidArgument, "no mask types or accelerations");
  return out;
}

}  // namespace qs::mri
