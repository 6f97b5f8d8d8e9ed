#include "core/mri/diffusion/slice_trainer.h"

#include <torch/optim/adam.h>

#include <cmath>
#include <set>

#include "core/common/error.h"
#include "core/common/torch_archive.h"

namespace qs::mri {

SliceData::SliceData(const std::string& command, const at::Tensor& slices, std::vector<int64_t> train, std::vector<int64_t> heldout, const at::Device& device)
    : command_(command), train_(std::move(train)), heldout_(std::move(heldout)) {
  if (slices.dim() != 3 || slices.is_complex()) fail(ErrorKind::kInvalidArgument, command + ": slices must be a real (S, H, W) stack");
  const std::set<int64_t> held(heldout_.begin(), heldout_.end());
  for (int64_t t : train_) {
    if (t < 0 || t >= slices.size(0)) fail(ErrorKind::kInvalidArgument, command + ": training slice " + std::to_string(t) + " outside the volume");
    if (held.count(t)) fail(ErrorKind::kInvalidArgument, command + ": slice " + std::to_string(t) + " is both a training and a held-out slice");
  }
  for (int64_t h : heldout_)
    if (h < 0 || h >= slices.size(0)) fail(ErrorKind::kInvalidArgument, command + ": held-out slice " + std::to_string(h) + " outside the volume");
  if (train_.empty()) fail(ErrorKind::kInvalidArgument, command + ": no training slices");
  const at::Tensor x = slices.to(at::kFloat);
  const double peak = x.max().item<double>();
  if (!std::isfinite(peak) || !(peak > 0)) fail(ErrorKind::kFormat, command + ": the volume is empty or holds NaN/Inf");
  slices_ = (x / peak).clamp(0, 1).to(device);
}

at::Tensor SliceData::crops(int64_t batch, int64_t c, at::Generator& gen) const {
  const int64_t H = height(), W = width();
  std::vector<at::Tensor> out;
  for (int64_t b = 0; b < batch; ++b) {
    const int64_t pick = at::randint(int64_t(train_.size()), {1}, gen).item<int64_t>();
    const int64_t y = at::randint(H - c + 1, {1}, gen).item<int64_t>(), x = at::randint(W - c + 1, {1}, gen).item<int64_t>();
    at::Tensor crop = slices_[train_[size_t(pick)]].narrow(0, y, c).narrow(1, x, c);
    if (at::randint(2, {1}, gen).item<int64_t>()) crop = crop.flip({1});  // left-right flip
    out.push_back(crop.unsqueeze(0));
  }
  return at::stack(out);
}

at::Tensor SliceData::heldout_images(int64_t f) const {
  if (heldout_.empty()) fail(ErrorKind::kInvalidArgument, command_ + ": no held-out slices to evaluate");
  const int64_t H = height() / f * f, W = width() / f * f, y0 = (height() - H) / 2, x0 = (width() - W) / 2;
  std::vector<at::Tensor> out;
  for (int64_t h : heldout_) out.push_back(slices_[h].narrow(0, y0, H).narrow(1, x0, W).unsqueeze(0));
  return at::stack(out);
}

struct SliceTrainer::Optimizer {
  torch::optim::Adam adam;
};

SliceTrainer::SliceTrainer(std::shared_ptr<const SliceData> data, std::shared_ptr<torch::nn::Module> module, const SliceTrainOptions& o, int64_t f, LossFn loss)
    : data_(std::move(data)), module_(std::move(module)), o_(o), loss_(std::move(loss)) {
  const std::string& cmd = data_->command();
  if (o.crop < f || o.crop % f || o.crop > data_->height() || o.crop > data_->width())
    fail(ErrorKind::kInvalidArgument, cmd + ": the crop must be a multiple of " + std::to_string(f) + " no larger than the slices");
  if (o.batch < 1 || !(o.lr > 0)) fail(ErrorKind::kInvalidArgument, cmd + ": batch >= 1 and lr > 0");
  o.augment.validate();
  module_->to(o.device);
  opt_ = std::make_unique<Optimizer>(Optimizer{torch::optim::Adam(module_->parameters(), torch::optim::AdamOptions(o.lr))});
}

SliceTrainer::~SliceTrainer() = default;

double SliceTrainer::step() {
  at::Generator gen = at::detail::createCPUGenerator(o_.seed * 1000003ull + uint64_t(step_));
  const at::Tensor batch = augment(data_->crops(o_.batch, o_.crop, gen), o_.augment, gen);
  opt_->adam.zero_grad();
  at::Tensor loss = loss_(batch, gen);
  const double value = loss.item<double>();
  if (!std::isfinite(value))
    fail(ErrorKind::kFormat, data_->command() + ": the loss became " + std::to_string(value) + " at step " + std::to_string(step_ + 1) + "; nothing was updated");
  loss.backward();
  opt_->adam.step();
  ++step_;
  return value;
}

void SliceTrainer::save_checkpoint(const std::string& path) const {
  torch::serialize::OutputArchive a, weights, opt;
  module_->save(weights);
  opt_->adam.save(opt);
  a.write("weights", weights);
  a.write("optimizer", opt);
  a.write("step", at::tensor(std::vector<int64_t>{step_}));
  save_archive_atomically(a, path);
}

void SliceTrainer::load_checkpoint(const std::string& path) {
  const std::string& cmd = data_->command();
  torch::serialize::InputArchive a, weights, opt;
  at::Tensor step;
  load_archive(a, path, cmd + " checkpoint");
  try {
    if (!a.try_read("weights", weights) || !a.try_read("optimizer", opt) || !a.try_read("step", step)) fail_format("'" + path + "' is not a " + cmd + " checkpoint");
    module_->load(weights);
    opt_->adam.load(opt);
  } catch (const c10::Error& e) {
    fail_format("'" + path + "' does not fit this " + cmd + " configuration or is damaged: " + torch_reason(e));
  }
  step_ = step.item<int64_t>();
}

}  // namespace qs::mri
