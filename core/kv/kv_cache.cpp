#include "core/kv/kv_cache.h"

#include <cmath>
#include <limits>

#include "core/common/error.h"

namespace qs {

const char* tap_name(Tap t) {
  switch (t) {
    case Tap::kLayerInput: return "layer_input";
    case Tap::kKPreRope: return "k_pre_rope";
    case Tap::kKPostRope: return "k_post_rope";
    case Tap::kV: return "v";
    case Tap::kQPostRope: return "q_post_rope";
    case Tap::kAttnProbs: return "attn_probs";
    case Tap::kAttnOutput: return "attn_output";
    case Tap::kKDequant: return "k_dequant";
    case Tap::kVDequant: return "v_dequant";
    case Tap::kFinalHidden: return "final_hidden";
  }
  return "?";
}

KvCacheRegistry& kv_cache_registry() {
  static KvCacheRegistry registry;
  return registry;
}

std::unique_ptr<KvCache> create_kv_cache(const KvShape& shape, const std::string& k_type, const std::string& v_type) {
  if (!kv_cache_registry().contains(k_type))
    fail(ErrorKind::kInvalidArgument, "unknown KV cache type '" + k_type + "'; available: " + [] {
      std::string s;
      for (const auto& n : kv_cache_types()) s += (s.empty() ? "" : ", ") + n;
      return s;
    }());
  return kv_cache_registry().get(k_type).factory(shape, k_type, v_type);
}

std::vector<std::string> kv_cache_types() { return kv_cache_registry().names(); }

at::Tensor reference_attention(int layer, const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                               const at::Tensor& positions, TapObserver* taps) {
  const int64_t B = q.size(0), Hq = q.size(1), T = q.size(2), hd = q.size(3);
  const int64_t Hkv = k.size(1), S = k.size(2), G = Hq / Hkv;
  // Group the query heads that share a KV head: [B, Hkv, G*T, hd].
  at::Tensor qg = q.reshape({B, Hkv, G * T, hd});
  at::Tensor scores = at::matmul(qg, k.transpose(-1, -2)).to(at::kFloat) * (1.0 / std::sqrt(double(hd)));
  scores = scores.view({B, Hkv, G, T, S});
  if (T > 1) {  // a single new token sees every stored key: no mask needed
    // Causal mask over absolute positions: key s is visible to a query at position p iff s <= p.
    at::Tensor key_pos = at::arange(S, positions.options());
    at::Tensor hidden = key_pos.unsqueeze(0) > positions.unsqueeze(1);  // [T, S]
    scores = scores.masked_fill(hidden, -std::numeric_limits<float>::infinity());
  }
  at::Tensor probs = at::softmax(scores, -1);  // float32
  if (taps && taps->wants(Tap::kAttnProbs, layer)) taps->on_tap(Tap::kAttnProbs, layer, probs.view({B, Hq, T, S}));
  at::Tensor out = at::matmul(probs.to(v.scalar_type()).view({B, Hkv, G * T, S}), v);
  return out.view({B, Hq, T, hd});
}

}  // namespace qs
