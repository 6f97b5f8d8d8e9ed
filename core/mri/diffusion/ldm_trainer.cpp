#include "core/mri/diffusion/ldm_trainer.h"

#include <torch/torch.h>

#include "core/common/error.h"

namespace qs::mri {
namespace {

void freeze(torch::nn::Module& m) {
  m.eval();
  for (auto& p : m.parameters()) p.set_requires_grad(false);
}

// (z0, c) of a batch of images, with no gradient through the frozen networks.
std::pair<at::Tensor, at::Tensor> latents(Vae& vae, LatentUnet& sketch, const at::Tensor& x, const Undersampled& u) {
  torch::NoGradGuard no_grad;
  return {vae->image_to_latent(x), vae->image_to_latent(apply_sketch(sketch, u.zero_filled))};
}

}  // namespace

LdmTrainer::LdmTrainer(const UnetConfig& config, const SliceTrainOptions& o, std::vector<MaskSpec> choices, Vae vae, LatentUnet sketch, int64_t schedule_steps,
                       const at::Tensor& slices, std::vector<int64_t> train, std::vector<int64_t> heldout)
    : vae_(std::move(vae)), sketch_(std::move(sketch)), schedule_(linear_schedule(schedule_steps)) {
  config.validate();
  if (!config.conditioned) fail(ErrorKind::kInvalidArgument, "train-ldm: the denoiser is conditioned on the sketch latent");
  if (config.latent_channels != vae_->config().latent_channels)
    fail(ErrorKind::kInvalidArgument, "train-ldm: the UNet has " + std::to_string(config.latent_channels) + " latent channels, the VAE " + std::to_string(vae_->config().latent_channels));
  if (choices.empty()) fail(ErrorKind::kInvalidArgument, "train-ldm: no mask choices");
  const int64_t f = vae_->config().downsampling() * config.downsampling();
  const int64_t fs = sketch_->config().downsampling();
  if (f % fs) fail(ErrorKind::kInvalidArgument, "train-ldm: the sketch network's downsampling does not divide the crop multiple");
  auto data = std::make_shared<const SliceData>("train-ldm", slices, std::move(train), std::move(heldout), o.device);
  vae_->to(o.device), sketch_->to(o.device);
  freeze(*vae_), freeze(*sketch_);
  torch::manual_seed(o.seed);
  net_ = LatentUnet(config);
  LatentUnet net = net_;
  Vae v = vae_;
  LatentUnet sk = sketch_;
  auto loss = [net, v, sk, s = schedule_, choices = std::move(choices)](const at::Tensor& batch, at::Generator& gen) mutable {
    const Undersampled u = undersample(batch, choices, gen);
    const auto [z0, c] = latents(v, sk, batch, u);
    const at::Tensor t = at::randint(int64_t(s.timesteps.size()), {batch.size(0)}, gen);
    const at::Tensor noise = at::randn(z0.sizes(), gen).to(z0.device());
    return net->loss(s, z0, t, noise, c);
  };
  trainer_ = std::make_unique<SliceTrainer>(data, net_.ptr(), o, f, loss);
}

LdmTrainer::~LdmTrainer() = default;

double LdmTrainer::heldout_loss(const MaskSpec& mask) const {
  torch::NoGradGuard no_grad;
  LatentUnet net = net_;
  Vae v = vae_;
  LatentUnet sk = sketch_;
  const int64_t f = v->config().downsampling() * net->config().downsampling();
  const at::Tensor x = trainer_->data().heldout_images(f);
  at::Generator gen = at::detail::createCPUGenerator(0xe7a1);
  double sum = 0;
  const int64_t T = int64_t(schedule_.timesteps.size());
  for (int64_t i = 0; i < x.size(0); ++i) {
    const at::Tensor xi = x.narrow(0, i, 1);
    const auto [z0, c] = latents(v, sk, xi, undersample(xi, mask));
    for (int64_t k = 0; k < 4; ++k) {  // four fixed noise levels per slice
      const at::Tensor t = at::full({1}, (2 * k + 1) * T / 8, at::kLong);
      sum += net->loss(schedule_, z0, t, at::randn(z0.sizes(), gen).to(z0.device()), c).item<double>();
    }
  }
  return sum / double(4 * x.size(0));
}

}  // namespace qs::mri
