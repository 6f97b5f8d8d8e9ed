#include "core/mri/diffusion/vae_trainer.h"

#include <torch/torch.h>

#include "core/common/error.h"

namespace qs::mri {

VaeTrainer::VaeTrainer(const VaeConfig& config, const VaeTrainOptions& o, const at::Tensor& slices, std::vector<int64_t> train, std::vector<int64_t> heldout) {
  config.validate();
  o.loss.validate();
  auto data = std::make_shared<const SliceData>("train-vae", slices, std::move(train), std::move(heldout), o.device);
  torch::manual_seed(o.seed);
  vae_ = Vae(config);
  const int64_t f = config.downsampling();
  Vae vae = vae_;
  auto loss = [vae, o, f](const at::Tensor& batch, at::Generator& gen) mutable {
    const at::Tensor noise = at::randn({batch.size(0), vae->config().latent_channels, batch.size(2) / f, batch.size(3) / f}, gen).to(batch.device());
    return vae->loss(batch, noise, o.loss);
  };
  trainer_ = std::make_unique<SliceTrainer>(data, vae_.ptr(), o, f, loss);
}

VaeTrainer::~VaeTrainer() = default;

VolumeMetrics VaeTrainer::evaluate() const {
  Vae vae = vae_;  // the modules' forward is not const
  return round_trip_metrics(vae, trainer_->data().heldout_images(vae->config().downsampling()));
}

double VaeTrainer::set_latent_scale_from_training(int64_t n) {
  if (n < 2) fail(ErrorKind::kInvalidArgument, "train-vae: the latent scale needs at least 2 crops");
  torch::NoGradGuard no_grad;
  at::Generator gen = at::detail::createCPUGenerator(0x5ca1e);
  const int64_t crop = std::min<int64_t>(128, std::min(trainer_->data().height(), trainer_->data().width())) / vae_->config().downsampling() * vae_->config().downsampling();
  std::vector<at::Tensor> means;
  for (int64_t done = 0; done < n; done += 16) means.push_back(vae_->encode(trainer_->data().crops(std::min<int64_t>(16, n - done), crop, gen)).first.flatten());
  const double sd = at::cat(means).std().item<double>();
  if (!std::isfinite(sd) || !(sd > 0)) fail(ErrorKind::kFormat, "train-vae: the latents have no spread (std " + std::to_string(sd) + ")");
  vae_->set_latent_scale(1.0 / sd);
  return 1.0 / sd;
}

}  // namespace qs::mri
