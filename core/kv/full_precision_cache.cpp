#include "core/kv/full_precision_cache.h"

#include <algorithm>

#include "core/common/error.h"
#include "core/nn/rope.h"

namespace qs {

at::ScalarType full_precision_dtype(const std::string& name) {
  if (name == "f32") return at::kFloat;
  if (name == "f16") return at::kHalf;
  if (name == "bf16") return at::kBFloat16;
  fail(ErrorKind::kInvalidArgument, "'" + name + "' is not a full-precision cache type (f32, f16, bf16)");
}

FullPrecisionCache::FullPrecisionCache(const KvShape& shape, at::ScalarType k_storage, at::ScalarType v_storage, std::string k_name, std::string v_name)
    : shape_(shape), k_storage_(k_storage), v_storage_(v_storage), k_name_(std::move(k_name)), v_name_(std::move(v_name)) {
  k_.resize(size_t(shape.n_layers));
  v_.resize(size_t(shape.n_layers));
  lengths_.assign(size_t(shape.n_layers), 0);
}

void FullPrecisionCache::reserve(int layer, int64_t needed) {
  at::Tensor& k = k_[size_t(layer)];
  int64_t cap = k.defined() ? k.size(2) : 0;
  if (needed <= cap) return;
  int64_t new_cap = std::min(shape_.max_tokens, std::max<int64_t>(needed, std::max<int64_t>(64, 2 * cap)));
  auto grow = [&](at::Tensor& t, at::ScalarType dt) {
    at::Tensor n = at::zeros({shape_.batch, shape_.n_kv_heads, new_cap, shape_.head_dim}, at::TensorOptions().dtype(dt).device(shape_.device));
    if (t.defined() && lengths_[size_t(layer)] > 0) n.narrow(2, 0, lengths_[size_t(layer)]).copy_(t.narrow(2, 0, lengths_[size_t(layer)]));
    t = n;
  };
  grow(k_[size_t(layer)], k_storage_);
  grow(v_[size_t(layer)], v_storage_);
}

void FullPrecisionCache::append(int layer, const AttentionInput& in, const Rope& rope, TapObserver* taps) {
  const int64_t T = in.k_pre.size(2);
  const int64_t start = lengths_[size_t(layer)];
  check_append(shape_, start, in);
  reserve(layer, start + T);
  at::Tensor k_post = rope.apply(in.k_pre, in.rope_table);
  emit_tap(taps, Tap::kKPostRope, layer, k_post);
  k_[size_t(layer)].narrow(2, start, T).copy_(k_post);
  v_[size_t(layer)].narrow(2, start, T).copy_(in.v);
  lengths_[size_t(layer)] = start + T;
}

at::Tensor FullPrecisionCache::attend(int layer, const AttentionInput& in, const Rope& rope, TapObserver* taps) {
  append(layer, in, rope, taps);
  const int64_t S = lengths_[size_t(layer)];
  at::Tensor k = k_[size_t(layer)].narrow(2, 0, S).to(in.q.scalar_type());
  at::Tensor v = v_[size_t(layer)].narrow(2, 0, S).to(in.q.scalar_type());
  emit_tap(taps, Tap::kKDequant, layer, k);
  emit_tap(taps, Tap::kVDequant, layer, v);
  return reference_attention(layer, in.q, k, v, in.positions, taps);
}

void FullPrecisionCache::clear() { std::fill(lengths_.begin(), lengths_.end(), 0); }

void FullPrecisionCache::truncate(int64_t n) {
  for (auto& l : lengths_) l = std::min(l, std::max<int64_t>(0, n));
}

KvMemory FullPrecisionCache::side_memory(KvRole role) const {
  KvMemory m;
  const int64_t size = int64_t(c10::elementSize(role == KvRole::kKey ? k_storage_ : v_storage_));
  for (int64_t len : lengths_) m.full_precision += shape_.batch * shape_.n_kv_heads * len * shape_.head_dim * size;
  return m;
}

KvMemory FullPrecisionCache::memory() const {
  KvMemory m = side_memory(KvRole::kKey);
  return m += side_memory(KvRole::kValue);
}

}  // namespace qs
