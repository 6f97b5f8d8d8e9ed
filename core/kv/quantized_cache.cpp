#include "core/kv/quantized_cache.h"

#include "core/common/error.h"
#include "core/common/log.h"
#include "core/kv/channel_reorder.h"
#include "core/kv/fused_kernels.h"
#include "core/kv/hadamard.h"
#include "core/nn/rope.h"

namespace qs {

QuantizedCache::QuantizedCache(const KvShape& shape, SideConfig k, SideConfig v, std::string k_name, std::string v_name)
    : shape_(shape), kcfg_(std::move(k)), vcfg_(std::move(v)), k_name_(std::move(k_name)), v_name_(std::move(v_name)) {
  const int64_t C = shape.n_kv_heads * shape.head_dim;
  for (const SideConfig* s : {&kcfg_, &vcfg_})
    if (int64_t(s->layers.size()) != shape.n_layers) fail(ErrorKind::kInternal, "KV cache: a side has no policy for every layer");
  for (const auto* side : {&kcfg_, &vcfg_})
    if (side->basis != KvBasis::kPlain && !is_power_of_two(shape.head_dim))
      fail(ErrorKind::kUnsupported, "cache type " + (side == &kcfg_ ? k_name_ : v_name_) + " needs a power-of-two head_dim for its Walsh-Hadamard, not " +
                                        std::to_string(shape.head_dim));
  if (vcfg_.basis == KvBasis::kPreRopeGrouped) fail(ErrorKind::kInvalidArgument, "cache type " + v_name_ + " is a key-only method");
  if (kcfg_.reorder) {
    if (!kcfg_.reorder_table) fail(ErrorKind::kInternal, "KV cache: reorder requested without a table");
    if (kcfg_.basis == KvBasis::kPreRopeGrouped) {
      pre_perm_ = kcfg_.reorder_table->pre.to(shape.device);
      pre_inverse_ = pre_perm_.argsort(int64_t(1));
    }
  }
  for (int64_t l = 0; l < shape.n_layers; ++l) {
    Layer layer;
    layer.k = std::make_unique<SideStore>(kcfg_.layers[size_t(l)], C, kcfg_.fp_dtype, shape.max_tokens, shape.n_kv_heads);
    layer.v = std::make_unique<SideStore>(vcfg_.layers[size_t(l)], C, vcfg_.fp_dtype, shape.max_tokens, shape.n_kv_heads);
    layers_.push_back(std::move(layer));
  }
}

at::Tensor QuantizedCache::to_tokens(const at::Tensor& x) const {
  return x.transpose(1, 2).reshape({x.size(0), x.size(2), x.size(1) * x.size(3)});
}

at::Tensor QuantizedCache::to_heads(const at::Tensor& x) const {
  return x.view({x.size(0), x.size(1), shape_.n_kv_heads, shape_.head_dim}).transpose(1, 2);
}

at::Tensor QuantizedCache::head_perm_index(int layer, bool inverse) const {
  at::Tensor p = kcfg_.reorder_table->post[layer].to(shape_.device);  // [Hkv, hd]
  return inverse ? p.argsort(int64_t(1)) : p;
}

at::Tensor QuantizedCache::keys_to_store(int layer, const AttentionInput& in, const Rope& rope) const {
  const int64_t hd = shape_.head_dim;
  switch (kcfg_.basis) {
    case KvBasis::kPlain:
      return to_tokens(rope.apply(in.k_pre, in.rope_table));
    case KvBasis::kHeadHadamard: {
      at::Tensor k = fwht(rope.apply(in.k_pre, in.rope_table));  // [B, Hkv, T, hd]
      if (kcfg_.reorder) {
        at::Tensor idx = head_perm_index(layer, false).view({1, shape_.n_kv_heads, 1, hd}).expand_as(k);
        k = k.gather(-1, idx);
      }
      return to_tokens(k);
    }
    case KvBasis::kPreRopeGrouped: {
      at::Tensor k = fwht_blocks(to_tokens(in.k_pre), kcfg_.head_group * hd);
      return kcfg_.reorder ? k.index_select(-1, pre_perm_[layer]) : k;
    }
  }
  return at::Tensor();
}

at::Tensor QuantizedCache::keys_from_store(int layer, const at::Tensor& stored, const Rope& rope) const {
  if (kcfg_.basis != KvBasis::kPreRopeGrouped) return to_heads(stored);
  at::Tensor k = kcfg_.reorder ? stored.index_select(-1, pre_inverse_[layer]) : stored;
  k = to_heads(fwht_blocks(k, kcfg_.head_group * shape_.head_dim));
  at::Tensor positions = at::arange(k.size(2), at::TensorOptions().dtype(at::kLong).device(k.device()));
  return rope.apply(k, positions);
}

at::Tensor QuantizedCache::queries_for(int layer, const at::Tensor& q) const {
  if (kcfg_.basis != KvBasis::kHeadHadamard) return q;
  at::Tensor qh = fwht(q);  // [B, Hq, T, hd]
  if (!kcfg_.reorder) return qh;
  const int64_t G = shape_.n_heads / shape_.n_kv_heads;
  at::Tensor idx = head_perm_index(layer, false).repeat_interleave(G, 0);  // query head h uses KV head h / G
  return qh.gather(-1, idx.view({1, shape_.n_heads, 1, shape_.head_dim}).expand_as(qh));
}

at::Tensor QuantizedCache::post_rope_keys(int layer, const at::Tensor& k) const {
  if (kcfg_.basis != KvBasis::kHeadHadamard) return k;
  at::Tensor x = k;
  if (kcfg_.reorder) x = x.gather(-1, head_perm_index(layer, true).view({1, shape_.n_kv_heads, 1, shape_.head_dim}).expand_as(x));
  return fwht(x);
}

void QuantizedCache::append(int layer, const AttentionInput& in, const Rope& rope, TapObserver* taps) {
  Layer& L = layers_[size_t(layer)];
  const int64_t T = in.k_pre.size(2), start = L.k->length();
  check_append(shape_, start, in);
  if (taps && taps->wants(Tap::kKPostRope, layer)) taps->on_tap(Tap::kKPostRope, layer, rope.apply(in.k_pre, in.rope_table));
  // Sinks are looked for in the prompt (the first call) and in every multi-token call.
  const bool detect_sinks = T > 1 || start == 0;
  at::Tensor k_new = keys_to_store(layer, in, rope);
  at::Tensor v_new = to_tokens(in.v);
  if (vcfg_.basis == KvBasis::kHeadHadamard) v_new = fwht_blocks(v_new, shape_.head_dim);
  emit_tap(taps, Tap::kKStored, layer, k_new);
  emit_tap(taps, Tap::kVStored, layer, v_new);
  L.k->append(k_new, in.hidden, detect_sinks);
  L.v->append(v_new, in.hidden, detect_sinks);
}

at::Tensor QuantizedCache::attend(int layer, const AttentionInput& in, const Rope& rope, TapObserver* taps) {
  append(layer, in, rope, taps);
  Layer& L = layers_[size_t(layer)];
  const int64_t T = in.k_pre.size(2);
  if (T == 1) {
    std::string why = !fused_ ? "fused kernels switched off" : "";
    if (why.empty() && wants_dequantized(layer, taps)) why = "taps want the dequantized cache or the probabilities";
    if (why.empty() && kcfg_.basis == KvBasis::kPreRopeGrouped) why = "pre-RoPE keys need a per-key inverse transform and RoPE on read";
    if (why.empty()) why = fused_decode_unsupported(shape_, *L.k, *L.v, in.q);  // before the query is transformed
    if (why.empty()) {
      ++paths_.fused;
      at::Tensor out = at::empty_like(in.q, at::MemoryFormat::Contiguous);
      fused_decode_attention(shape_, *L.k, *L.v, queries_for(layer, in.q), out);
      return vcfg_.basis == KvBasis::kHeadHadamard ? fwht(out) : out;
    }
    ++paths_.reference;
    if (in.q.is_cuda() && fused_ && paths_.reason != why) QS_WARN("KV cache " << k_name_ << "/" << v_name_ << ": no fused decode kernel (" << why << "); using the reference path");
    paths_.reason = why;
  }
  const at::ScalarType dt = in.q.scalar_type();
  at::Tensor k = keys_from_store(layer, L.k->read(dt), rope);
  at::Tensor v = to_heads(L.v->read(dt));
  if (taps && taps->wants(Tap::kKDequant, layer)) taps->on_tap(Tap::kKDequant, layer, post_rope_keys(layer, k));
  if (taps && taps->wants(Tap::kVDequant, layer)) taps->on_tap(Tap::kVDequant, layer, vcfg_.basis == KvBasis::kHeadHadamard ? fwht(v) : v);
  at::Tensor out = reference_attention(layer, queries_for(layer, in.q), k.contiguous(), v.contiguous(), in.positions, taps);
  return vcfg_.basis == KvBasis::kHeadHadamard ? fwht(out) : out;
}

bool QuantizedCache::wants_dequantized(int layer, TapObserver* taps) const {
  return taps && (taps->wants(Tap::kKDequant, layer) || taps->wants(Tap::kVDequant, layer) || taps->wants(Tap::kAttnProbs, layer));
}

void QuantizedCache::clear() {
  for (auto& l : layers_) l.k->clear(), l.v->clear();
}

void QuantizedCache::truncate(int64_t n) {
  for (auto& l : layers_) l.k->truncate(n), l.v->truncate(n);
}

KvMemory QuantizedCache::side_memory(KvRole role) const {
  KvMemory m;
  for (const auto& l : layers_) m += (role == KvRole::kKey ? l.k : l.v)->memory();
  if (role == KvRole::kKey && kcfg_.reorder) m.tables += shape_.n_layers * shape_.n_kv_heads * shape_.head_dim * 4;  // 32-bit indices
  return m;
}

KvMemory QuantizedCache::memory() const {
  KvMemory m = side_memory(KvRole::kKey);
  return m += side_memory(KvRole::kValue);
}

at::Tensor QuantizedCache::full_precision_keys(int layer) const {
  return layers_[size_t(layer)].k->full_precision_mask(shape_.batch, at::TensorOptions().device(shape_.device));
}

at::Tensor QuantizedCache::full_precision_values(int layer) const {
  return layers_[size_t(layer)].v->full_precision_mask(shape_.batch, at::TensorOptions().device(shape_.device));
}

int QuantizedCache::quantized_bits(KvRole role, int layer) const {
  const TokenPolicy& p = (role == KvRole::kKey ? kcfg_ : vcfg_).layers.at(size_t(layer));
  return p.full_precision ? 0 : p.quant.bits;
}

}  // namespace qs
