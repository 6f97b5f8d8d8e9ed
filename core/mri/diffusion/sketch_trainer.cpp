#include "core/mri/diffusion/sketch_trainer.h"

#include <torch/torch.h>

#include "core/common/error.h"

namespace qs::mri {

SketchTrainer::SketchTrainer(const UnetConfig& config, const SliceTrainOptions& o, std::vector<MaskSpec> choices, const at::Tensor& slices, std::vector<int64_t> train,
                             std::vector<int64_t> heldout) {
  config.validate();
  if (config.conditioned || config.latent_channels != 1) fail(ErrorKind::kInvalidArgument, "train-sketch: the sketch network is a one-channel unconditioned UNet");
  if (choices.empty()) fail(ErrorKind::kInvalidArgument, "train-sketch: no mask choices");
  auto data = std::make_shared<const SliceData>("train-sketch", slices, std::move(train), std::move(heldout), o.device);
  torch::manual_seed(o.seed);
  net_ = LatentUnet(config);
  LatentUnet net = net_;
  auto loss = [net, choices = std::move(choices)](const at::Tensor& batch, at::Generator& gen) mutable {
    const Undersampled u = undersample(batch, choices, gen);
    return (apply_sketch(net, u.zero_filled) - batch).abs().mean();
  };
  trainer_ = std::make_unique<SliceTrainer>(data, net_.ptr(), o, config.downsampling(), loss);
}

SketchTrainer::~SketchTrainer() = default;

SketchEvaluation SketchTrainer::evaluate(const MaskSpec& mask) const {
  torch::NoGradGuard no_grad;
  LatentUnet net = net_;
  const at::Tensor x = trainer_->data().heldout_images(net->config().downsampling());
  const Undersampled u = undersample(x, mask);
  std::vector<at::Tensor> pred;
  for (int64_t i = 0; i < x.size(0); ++i) pred.push_back(apply_sketch(net, u.zero_filled.narrow(0, i, 1))[0][0].clamp(0, 1).cpu());
  const at::Tensor target = x.select(1, 0).cpu();
  return SketchEvaluation{evaluate_volume(target, u.zero_filled.select(1, 0).cpu()), evaluate_volume(target, at::stack(pred))};
}

}  // namespace qs::mri
