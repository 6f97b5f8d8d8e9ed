// Hyper-parameters of a Llama-family decoder (Llama 1/2/3, Mistral, Qwen2), whatever file
// they came from. Loaders fill it; the transformer only reads it.
#pragma once
#include <cstdint>
#include <map>
#include <string>

#include "core/nn/rope_params.h"

namespace qs {

struct ModelConfig {
  std::string arch = "llama";     // llama, mistral, qwen2
  int64_t dim = 0;
  int64_t n_layers = 0;
  int64_t n_heads = 0;
  int64_t n_kv_heads = 0;
  int64_t head_dim = 0;
  int64_t ffn_dim = 0;
  int64_t vocab = 0;
  int64_t context_length = 0;
  double norm_eps = 1e-5;
  double rope_theta = 10000.0;
  RopeStyle rope_style = RopeStyle::kAdjacent;
  RopeScaling rope_scaling;
  bool qkv_bias = false;
  bool tied_output = false;

  RopeParams rope_params() const { return {head_dim, rope_theta, rope_style, rope_scaling}; }
  // Throws Error(kFormat) when the numbers cannot describe a working model.
  void validate() const;
  int64_t group_size() const { return n_heads / n_kv_heads; }
  // Parameter count implied by the shapes (embeddings counted once when tied).
  int64_t parameter_count() const;
};

}  // namespace qs
