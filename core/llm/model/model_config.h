// Hyper-parameters of a Llama-family decoder (Llama 1/2/3, Mistral, Qwen2), whatever file
// they came from. Loaders fill it; the transformer only reads it.
#pragma once
#include <cstdint>
#include <map>
#include <string>

namespace qs {

enum class RopeStyle {
  kAdjacent,  // rotate pairs (2i, 2i+1): llama2.c, GGUF "llama" (weights pre-permuted)
  kHalf,      // rotate pairs (i, i + d/2): Hugging Face "rotate_half", GGUF qwen2
};

struct RopeScaling {
  std::string type = "none";  // "none", "linear", "llama3"
  double factor = 1.0;
  double low_freq_factor = 1.0;
  double high_freq_factor = 4.0;
  int64_t original_context = 8192;
};

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

  // Throws Error(kFormat) when the numbers cannot describe a working model.
  void validate() const;
  int64_t group_size() const { return n_heads / n_kv_heads; }
  // Parameter count implied by the shapes (embeddings counted once when tied).
  int64_t parameter_count() const;
};

}  // namespace qs
