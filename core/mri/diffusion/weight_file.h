// The weight files of LDPM's networks: one torch archive per network holding its configuration
// as an int64 vector under a key naming the kind of network ("vae_config", "unet_config", so that
// one network's file is never read as another's) and its parameters, written whole or not at all. Each
// network's save/load pair (save_vae, save_unet) encodes its own configuration through these.
// Tensors are written from the CPU and read onto the CPU whatever device they were saved from
// (files trained on the GPU machine load on machines without CUDA); callers move the network.
#pragma once
#include <torch/nn/module.h>
#include <torch/serialize.h>

#include <string>
#include <vector>

namespace qs::mri {

void save_weight_file(torch::nn::Module& module, const std::string& config_key, const std::vector<int64_t>& config, const std::string& path);

// Opens `path` and returns its configuration vector (at least min_size entries). Error(kFormat)
// naming the file and `what` ("VAE weight file") when it is unreadable or has no configuration.
std::vector<int64_t> read_weight_config(torch::serialize::InputArchive& archive, const std::string& path, const std::string& what,
                                        const std::string& config_key, size_t min_size);

// Loads the parameters into a module built from that configuration; Error(kFormat) when they do
// not fit it (another architecture, a truncated or edited file).
void load_weight_parameters(torch::nn::Module& module, torch::serialize::InputArchive& archive, const std::string& path);

}  // namespace qs::mri
