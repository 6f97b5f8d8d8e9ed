#include "core/mri/diffusion/weight_file.h"

#include "core/common/error.h"
#include "core/common/torch_archive.h"

namespace qs::mri {

void save_weight_file(torch::nn::Module& module, const std::string& key, const std::vector<int64_t>& config, const std::string& path) {
  // Written from the CPU, so that a file trained on the GPU machine loads where there is no CUDA.
  const auto params = module.parameters();
  const c10::Device device = params.empty() ? c10::Device(c10::kCPU) : params.front().device();
  module.to(c10::kCPU);
  torch::serialize::OutputArchive a;
  a.write(key, at::tensor(config));
  module.save(a);
  module.to(device);
  save_archive_atomically(a, path);
}

std::vector<int64_t> read_weight_config(torch::serialize::InputArchive& a, const std::string& path, const std::string& what, const std::string& key,
                                        size_t min_size) {
  load_archive(a, path, what, c10::Device(c10::kCPU));  // weights load on the CPU; callers move them
  at::Tensor cfg;
  if (!a.try_read(key, cfg) || cfg.dim() != 1 || cfg.scalar_type() != at::kLong || size_t(cfg.numel()) < min_size)
    fail_format("'" + path + "' has no " + what + " configuration");
  const at::Tensor c = cfg.contiguous();
  return std::vector<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
}

void load_weight_parameters(torch::nn::Module& module, torch::serialize::InputArchive& a, const std::string& path) {
  try {
    module.load(a);
  } catch (const c10::Error& e) {
    fail_format("'" + path + "': weights do not match its configuration: " + torch_reason(e));
  }
}

}  // namespace qs::mri
