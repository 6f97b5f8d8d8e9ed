// Per-layer measurements behind the codec choices: how outlying the key/value channels are before
// and after each rotation (max_c m_c / mean_c m_c with m_c = max over tokens of |x_c|), how large
// the massive activations are, and where attention goes (AKVQ-VL's TSA/PSA analysis: average
// attention per text vs per image token, excluding the first 5 tokens), and the attention sinks
// per head (Gu et al., ICLR 2025: a head sinks on token 0 when its mean attention there exceeds
// epsilon = 0.3).
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
  double massive_value = 0;                    // the largest |h| of the layer input
  int64_t massive_position = -1;               // where it is: position inside its window,
  int64_t massive_channel = -1;                // hidden channel,
  int32_t massive_token = -1;                  // and the token id there
  double score_std = 0, score_max = 0;         // attention logits q.k/sqrt(hd) over causal pairs
  double attn_first5 = 0;                      // share of attention on the first 5 tokens
  double attn_top15 = 0;                       // share on the 15 keys that receive most
  double attn_per_text = 0, attn_per_image = 0;  // mean probability per key token (first 5 excluded)
  bool tsa = false;                            // attn_per_text > attn_per_image (only with image tokens)
  // Per query head, mean over windows and query rows: attention on token 0 (the sink), and the
  // largest share any one key receives (mean over queries of its column).
  std::vector<double> head_attn_token0, head_attn_top_key;
};

struct KvAnalysisOptions {
  int64_t ctx = 256;
  int64_t max_tokens = 4096;
  int64_t image_begin = -1, image_end = -1;  // positions treated as image tokens inside each window
  // Every window starts with this token (then ctx - 1 text tokens), as Llama-style models are
  // trained; -1: windows are plain slices of the token stream (only the first starts with BOS).
  int32_t window_bos = -1;
};

// Gu et al.'s sink threshold on a head's mean attention to token 0.
constexpr double kSinkEpsilon = 0.3;

struct KvAnalysis {
  std::vector<LayerKvStats> layers;
  int64_t tokens = 0, windows = 0;
  bool has_image_tokens = false;
  // Share of (layer, head) pairs whose mean attention on token 0 exceeds kSinkEpsilon.
  double sink_rate() const;
};

KvAnalysis analyze_kv(const Transformer& model, const std::vector<int32_t>& tokens, const KvAnalysisOptions& options,
                      const ProgressFn& progress, const CancelToken& cancel);

// max_c m_c / mean_c m_c for m_c the per-channel max |x| ([..., C] rows).
double channel_outlier_ratio(const at::Tensor& channel_max);

}  // namespace qs
