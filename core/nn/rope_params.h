// What a rotary position embedding is made of (no LibTorch: model configs and parsers use it).
// The model fills it from its config; the KV caches receive the Rope built from it.
#pragma once
#include <cstdint>
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

// Frequencies theta^(-2i/head_dim), i < head_dim/2, then the scaling.
struct RopeParams {
  int64_t head_dim = 0;
  double theta = 10000.0;
  RopeStyle style = RopeStyle::kAdjacent;
  RopeScaling scaling;
};

}  // namespace qs
