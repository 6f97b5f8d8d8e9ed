#include "core/kv/kv_cache.h"

#include <cmath>
#include <limits>

#include <algorithm>

#include "core/common/error.h"
#include "core/common/torch_compat.h"
#include "core/kv/full_precision_cache.h"
#include "core/kv/kv_side.h"
#include "core/kv/quantized_cache.h"

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
    case Tap::kKStored: return "k_stored";
    case Tap::kVStored: return "v_stored";
    case Tap::kFinalHidden: return "final_hidden";
  }
  return "?";
}

std::unique_ptr<KvCache> create_kv_cache(const KvShape& shape, const std::string& k_type, const std::string& v_type) {
  for (const std::string& t : {k_type, v_type})
    if (!kv_side_registry().contains(t)) {
      std::string known;
      for (const auto& n : kv_cache_types()) known += (known.empty() ? "" : ", ") + n;
      fail(ErrorKind::kInvalidArgument, "unknown KV cache type '" + t + "'; available: " + known);
    }
  SideConfig k = kv_side_registry().get(k_type).factory(shape, KvRole::kKey);
  SideConfig v = kv_side_registry().get(v_type).factory(shape, KvRole::kValue);
  shape.options.check_all_used(k_type, v_type);
  auto plain_fp = [](const SideConfig& s) {
    return s.basis == KvBasis::kPlain && std::all_of(s.layers.begin(), s.layers.end(), [](const TokenPolicy& p) { return p.full_precision; });
  };
  if (plain_fp(k) && plain_fp(v)) return std::make_unique<FullPrecisionCache>(shape, k.fp_dtype, v.fp_dtype, k_type, v_type);
  return std::make_unique<QuantizedCache>(shape, std::move(k), std::move(v), k_type, v_type);
}

std::vector<std::string> kv_cache_types() { return kv_side_registry().names(); }

std::string kv_cache_description(const std::string& type) { return kv_side_registry().get(type).description; }

bool kv_cache_needs_reorder(const KvShape& shape, const std::string& type) {
  return kv_side_registry().get(type).factory(with_identity_reorder(shape), KvRole::kKey).reorder;
}

std::string smallest_runnable_kv_type(const KvShape& shape, bool reorder_available) {
  std::string best;
  int64_t best_bytes = std::numeric_limits<int64_t>::max();
  for (const auto& t : kv_cache_types()) {
    if (!reorder_available && kv_cache_needs_reorder(shape, t)) continue;
    const KvFootprint f = kv_footprint(shape, t, t);
    if (f.full_precision) continue;
    if (f.k.bytes + f.v.bytes < best_bytes) best = t, best_bytes = f.k.bytes + f.v.bytes;
  }
  return best;
}

void check_append(const KvShape& shape, int64_t start, const AttentionInput& in) {
  const int64_t T = in.k_pre.size(2);
  if (start + T > shape.max_tokens)
    fail(ErrorKind::kInvalidArgument, "context full: " + std::to_string(start + T) + " tokens exceed the limit of " + std::to_string(shape.max_tokens));
  if (in.k_pre.size(0) != shape.batch) fail(ErrorKind::kInvalidArgument, "KV cache built for batch " + std::to_string(shape.batch) + " got " + std::to_string(in.k_pre.size(0)));
}

at::Tensor reference_attention(int layer, const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                               const at::Tensor& positions, TapObserver* taps) {
  const int64_t B = q.size(0), Hq = q.size(1), T = q.size(2), hd = q.size(3);
  const int64_t Hkv = k.size(1), S = k.size(2), G = Hq / Hkv;
  // Prefill where LibTorch has fused attention: no [T, S] score matrix. Not for one query token
  // (its scores are [S] per head): with SDPA there the 7B decode step measured 53-90 ms against
  // 19-28 ms for this path on the H200 (probably a kernel choice made per shape, and the length
  // changes every step). The taps' probabilities need the explicit path below.
  if (compat::kHasSdpa && q.is_cuda() && T > 1 && !(taps && taps->wants(Tap::kAttnProbs, layer))) {
    at::Tensor mask;
    const bool from_start = S == T;  // the prompt of an empty cache: the plain causal mask
    if (!from_start) mask = at::arange(S, positions.options()).unsqueeze(0) <= positions.unsqueeze(1);
    return compat::scaled_dot_product_attention(q, k, v, mask, from_start);
  }
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
