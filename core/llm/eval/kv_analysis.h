// Per-layer measurements behind the codec choices: how outlying the key/value channels are before
// and after each rotation (max_c m_c / mean_c m_c with m_c = max over tokens of |x_c|), how large
// the massive activations are, and where attention goes (AKVQ-VL's TSA/PSA analysis: average
// attention per text vs per image token, excluding the first 5 tokens).
#pragma once
#include <string>
#include <vector>

#include "core/common/cancel.h"
#include "core/llm/model/transformer.h"

namespace qs {

struct LayerKvStats {
  double k_pre_rope = 0, k_post_rope = 0;      // outlier ratio of plain keys
  double k_grouped_hadamard = 0;               // pre-RoPE, Hadamard over the RotateKV head group
  double k_head_hadamard = 0;                  // post-RoPE, per-head Hadamard
  double v_plain = 0, v_head_hadamard = 0;
  double massive_ratio = 0;                    // max |h| / median |h| of the layer input
  double score_std = 0, score_max = 0;         // attention logits q.k/sqrt(hd) over causal pairs
  double attn_first5 = 0;                      // share of attention on the first 5 tokens
  double attn_top15 = 0;                       // share on the 15 keys that receive most
  double attn_per_text = 0, attn_per_image = 0;  // mean probability per key token (first 5 excluded)
  bool tsa = false;                            // attn_per_text > attn_per_image (only with image tokens)
};

struct KvAnalysisOptions {
  int64_t ctx = 256;
  int64_t max_tokens = 4096;
  int64_t image_begin = -1, image_end = -1;  // positions treated as image tokens inside each window
};

struct KvAnalysis {
  std::vector<LayerKvStats> layers;
  int64_t tokens = 0, windows = 0;
  bool has_image_tokens = false;
};

KvAnalysis analyze_kv(const Transformer& model, const std::vector<int32_t>& tokens, const KvAnalysisOptions& options,
                      const ProgressFn& progress, const CancelToken& cancel);

// max_c m_c / mean_c m_c for m_c the per-channel max |x| ([..., C] rows).
double channel_outlier_ratio(const at::Tensor& channel_max);

}  // namespace qs
