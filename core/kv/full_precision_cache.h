// The reference cache: keys stored after RoPE and values, unquantized, in a storage dtype
// (f32, f16 or bf16). Buffers grow by doubling up to the context limit.
#pragma once
#include <vector>

#include "core/kv/kv_cache.h"

namespace qs {

class FullPrecisionCache : public KvCache {
 public:
  FullPrecisionCache(const KvShape& shape, at::ScalarType k_storage, at::ScalarType v_storage, std::string k_name, std::string v_name);

  at::Tensor attend(int layer, const AttentionInput& in, const Rope& rope, TapObserver* taps) override;
  void append(int layer, const AttentionInput& in, const Rope& rope, TapObserver* taps) override;
  int64_t length() const override { return lengths_.empty() ? 0 : lengths_.back(); }
  void clear() override;
  void truncate(int64_t n) override;
  KvMemory memory() const override;
  KvMemory side_memory(KvRole role) const override;
  std::string k_type() const override { return k_name_; }
  std::string v_type() const override { return v_name_; }

 private:
  void reserve(int layer, int64_t needed);
  KvShape shape_;
  at::ScalarType k_storage_, v_storage_;
  std::string k_name_, v_name_;
  std::vector<at::Tensor> k_, v_;   // per layer [B, Hkv, capacity, hd]
  std::vector<int64_t> lengths_;    // per layer
};

// "f32", "f16", "bf16" -> storage dtype; throws for other names.
at::ScalarType full_precision_dtype(const std::string& name);

}  // namespace qs
