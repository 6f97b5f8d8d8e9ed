// The generic quantized cache: any registered K side with any registered V side (kv_side.h).
// Per layer each side is a SideStore; attention reads everything back dequantized, in the order
// the codec's basis needs (RotateKV: un-permute, Hadamard, RoPE at each key's position), so the
// new tokens' queries already see their own quantized keys and values.
#pragma once
#include <vector>

#include "core/kv/kv_cache.h"
#include "core/kv/kv_side.h"
#include "core/kv/side_store.h"

namespace qs {

class QuantizedCache : public KvCache {
 public:
  QuantizedCache(const KvShape& shape, SideConfig k, SideConfig v, std::string k_name, std::string v_name);

  at::Tensor attend(int layer, const AttentionInput& in, const Rope& rope, TapObserver* taps) override;
  void append(int layer, const AttentionInput& in, const Rope& rope, TapObserver* taps) override;
  int64_t length() const override { return layers_.empty() ? 0 : layers_.back().k->length(); }
  void clear() override;
  void truncate(int64_t n) override;
  KvMemory memory() const override;
  KvMemory side_memory(KvRole role) const override;
  std::string k_type() const override { return k_name_; }
  std::string v_type() const override { return v_name_; }

  // Inspector and tests: per layer, tokens whose K / V read back in full precision [B, S].
  at::Tensor full_precision_keys(int layer) const;
  at::Tensor full_precision_values(int layer) const;
  // Bits per element a layer's side quantizes its (not full-precision) tokens to; 0 when the
  // side keeps every token in full precision.
  int quantized_bits(KvRole role, int layer) const;
  const SideStore& key_store(int layer) const { return *layers_[size_t(layer)].k; }
  const SideStore& value_store(int layer) const { return *layers_[size_t(layer)].v; }
  // Decode steps on CUDA read the packed codes with the fused kernel where one exists (default);
  // off, every step dequantizes and runs reference_attention (benchmarks and tests compare both).
  void use_fused_kernels(bool on) { fused_ = on; }
  // Single-token attention calls served by each path so far, and why the reference path last
  // served one ("" if it never did; logged once per reason).
  struct DecodePaths {
    int64_t fused = 0, reference = 0;
    std::string reason;
  };
  const DecodePaths& decode_paths() const { return paths_; }

 private:
  struct Layer {
    std::unique_ptr<SideStore> k, v;
  };
  at::Tensor keys_to_store(int layer, const AttentionInput& in, const Rope& rope) const;  // [B, T, C]
  at::Tensor keys_from_store(int layer, const at::Tensor& stored, const Rope& rope) const;  // [B, Hkv, S, hd] in the attention basis
  at::Tensor queries_for(int layer, const at::Tensor& q) const;  // the query in the keys' attention basis
  at::Tensor post_rope_keys(int layer, const at::Tensor& attn_keys) const;  // back to plain post-RoPE keys (taps)
  at::Tensor head_perm_index(int layer, bool inverse) const;  // [Hkv, hd]
  bool wants_dequantized(int layer, TapObserver* taps) const;  // taps that need the reference path
  at::Tensor to_tokens(const at::Tensor& x) const;            // [B, H, T, hd] -> [B, T, H*hd]
  at::Tensor to_heads(const at::Tensor& x) const;             // [B, S, Hkv*hd] -> [B, Hkv, S, hd]

  KvShape shape_;
  SideConfig kcfg_, vcfg_;
  std::string k_name_, v_name_;
  std::vector<Layer> layers_;
  at::Tensor pre_perm_, pre_inverse_;  // [L, C] on the device (kPreRopeGrouped + reorder)
  bool fused_ = true;
  DecodePaths paths_;
};

// Builds a QuantizedCache from the side registry (both names must be registered sides).
std::unique_ptr<KvCache> make_side_cache(const KvShape& shape, const std::string& k_type, const std::string& v_type);

}  // namespace qs
