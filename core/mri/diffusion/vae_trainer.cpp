#include "core/mri/diffusion/vae_trainer.h"

#include <torch/optim/adam.h>

#include <cmath>
#include <set>

#include "core/common/error.h"
#include "core/common/torch_archive.h"

namespace qs::mri {

struct VaeTrainer::State {
  VaeConfig config;
  VaeTrainOptions o;
  at::Tensor slices;  // (S, H, W) f32 in [0, 1], on the device
  std::vector<int64_t> train, heldout;
  Vae vae{nullptr};
  std::unique_ptr<torch::optim::Adam> opt;
  int64_t step = 0;
};

VaeTrainer::VaeTrainer(const VaeConfig& config, const VaeTrainOptions& o, const at::Tensor& slices, std::vector<int64_t> train, std::vector<int64_t> heldout)
    : s_(std::make_unique<State>()) {
  config.validate();
  if (slices.dim() != 3 || slices.is_complex()) fail(ErrorKind::kInvalidArgument, "train-vae: slices must be a real (S, H, W) stack");
  const int64_t f = config.downsampling();
  if (o.crop < f || o.crop % f || o.crop > slices.size(1) || o.crop > slices.size(2))
    fail(ErrorKind::kInvalidArgument, "train-vae: the crop must be a multiple of " + std::to_string(f) + " no larger than the slices");
  if (o.batch < 1 || !(o.lr > 0) || o.kl_weight < 0) fail(ErrorKind::kInvalidArgument, "train-vae: batch >= 1, lr > 0, kl weight >= 0");
  const std::set<int64_t> held(heldout.begin(), heldout.end());
  for (int64_t t : train) {
    if (t < 0 || t >= slices.size(0)) fail(ErrorKind::kInvalidArgument, "train-vae: training slice " + std::to_string(t) + " outside the volume");
    if (held.count(t)) fail(ErrorKind::kInvalidArgument, "train-vae: slice " + std::to_string(t) + " is both a training and a held-out slice");
  }
  for (int64_t h : heldout)
    if (h < 0 || h >= slices.size(0)) fail(ErrorKind::kInvalidArgument, "train-vae: held-out slice " + std::to_string(h) + " outside the volume");
  if (train.empty()) fail(ErrorKind::kInvalidArgument, "train-vae: no training slices");
  const at::Tensor x = slices.to(at::kFloat);
  const double peak = x.max().item<double>();
  if (!std::isfinite(peak) || !(peak > 0)) fail(ErrorKind::kFormat, "train-vae: the volume is empty or holds NaN/Inf");
  State& s = *s_;
  s.config = config, s.o = o, s.train = std::move(train), s.heldout = std::move(heldout);
  s.slices = (x / peak).clamp(0, 1).to(o.device);
  torch::manual_seed(o.seed);
  s.vae = Vae(config);
  s.vae->to(o.device);
  s.opt = std::make_unique<torch::optim::Adam>(s.vae->parameters(), torch::optim::AdamOptions(o.lr));
}

VaeTrainer::~VaeTrainer() = default;
int64_t VaeTrainer::steps_done() const { return s_->step; }
Vae& VaeTrainer::vae() { return s_->vae; }

double VaeTrainer::step() {
  State& s = *s_;
  at::Generator gen = at::detail::createCPUGenerator(s.o.seed * 1000003ull + uint64_t(s.step));
  const int64_t H = s.slices.size(1), W = s.slices.size(2), c = s.o.crop;
  std::vector<at::Tensor> crops;
  for (int64_t b = 0; b < s.o.batch; ++b) {
    const int64_t pick = at::randint(int64_t(s.train.size()), {1}, gen).item<int64_t>();
    const int64_t y = at::randint(H - c + 1, {1}, gen).item<int64_t>(), x = at::randint(W - c + 1, {1}, gen).item<int64_t>();
    at::Tensor crop = s.slices[s.train[size_t(pick)]].narrow(0, y, c).narrow(1, x, c);
    if (at::randint(2, {1}, gen).item<int64_t>()) crop = crop.flip({1});  // left-right flip
    crops.push_back(crop.unsqueeze(0));
  }
  const at::Tensor batch = at::stack(crops);
  const int64_t f = s.config.downsampling();
  const at::Tensor noise = at::randn({s.o.batch, s.config.latent_channels, c / f, c / f}, gen).to(batch.device());
  s.opt->zero_grad();
  at::Tensor loss = s.vae->loss(batch, noise, s.o.kl_weight);
  const double value = loss.item<double>();
  if (!std::isfinite(value)) fail(ErrorKind::kFormat, "train-vae: the loss became " + std::to_string(value) + " at step " + std::to_string(s.step + 1) + "; nothing was updated");
  loss.backward();
  s.opt->step();
  ++s.step;
  return value;
}

VolumeMetrics VaeTrainer::evaluate() const {
  State& s = *s_;  // the modules' forward is not const
  if (s.heldout.empty()) fail(ErrorKind::kInvalidArgument, "train-vae: no held-out slices to evaluate");
  torch::NoGradGuard no_grad;
  const int64_t f = s.config.downsampling(), H = s.slices.size(1) / f * f, W = s.slices.size(2) / f * f;
  const int64_t y0 = (s.slices.size(1) - H) / 2, x0 = (s.slices.size(2) - W) / 2;
  std::vector<at::Tensor> target, pred;
  for (int64_t h : s.heldout) {
    const at::Tensor x = s.slices[h].narrow(0, y0, H).narrow(1, x0, W).view({1, 1, H, W});
    target.push_back(x[0][0].cpu());
    pred.push_back(s.vae->decode(s.vae->encode(x).first)[0][0].clamp(0, 1).cpu());
  }
  return evaluate_volume(at::stack(target), at::stack(pred));
}

void VaeTrainer::save_checkpoint(const std::string& path) const {
  const State& s = *s_;
  torch::serialize::OutputArchive a, weights, opt;
  s.vae->save(weights);
  s.opt->save(opt);
  a.write("weights", weights);
  a.write("optimizer", opt);
  a.write("step", at::tensor(std::vector<int64_t>{s.step}));
  save_archive_atomically(a, path);
}

void VaeTrainer::load_checkpoint(const std::string& path) {
  State& s = *s_;
  torch::serialize::InputArchive a, weights, opt;
  at::Tensor step;
  load_archive(a, path, "train-vae checkpoint");
  try {
    if (!a.try_read("weights", weights) || !a.try_read("optimizer", opt) || !a.try_read("step", step)) fail_format("'" + path + "' is not a train-vae checkpoint");
    s.vae->load(weights);
    s.opt->load(opt);
  } catch (const c10::Error& e) {
    fail_format("'" + path + "' does not fit this VAE configuration or is damaged: " + torch_reason(e));
  }
  s.step = step.item<int64_t>();
}

}  // namespace qs::mri
