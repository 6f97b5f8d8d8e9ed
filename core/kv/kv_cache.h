// The KV cache seam (ARCHITECTURE.md). The transformer never stores keys and values: per layer
// it hands the cache the pre-RoPE keys, the values, the token positions and the layer's input
// hidden states, and asks it for the attention output of its (post-RoPE) queries. A codec owns
// its storage layout and its attention computation; K and V codecs are named separately.
#pragma once
#include <ATen/ATen.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/kv/kv_options.h"
#include "core/kv/taps.h"

namespace qs {

class Rope;
struct RopeTable;

// Shapes a cache is built for.
struct KvShape {
  int64_t n_layers = 0;
  int64_t n_heads = 0;     // query heads
  int64_t n_kv_heads = 0;
  int64_t head_dim = 0;
  int64_t max_tokens = 0;  // context limit per sequence
  int64_t batch = 1;
  at::Device device = at::Device(at::kCPU);
  at::ScalarType compute_dtype = at::kFloat;
  KvOptions options;       // --kv-opt values and the reorder source
};

// What one layer hands the cache for T new tokens of B sequences.
struct AttentionInput {
  const at::Tensor& q;          // [B, Hq, T, hd], RoPE applied
  const at::Tensor& k_pre;      // [B, Hkv, T, hd], before RoPE
  const at::Tensor& v;          // [B, Hkv, T, hd]
  const at::Tensor& positions;  // [T] int64, absolute positions of the new tokens
  const at::Tensor& hidden;     // [B, T, dim], the layer's input hidden states
  const RopeTable& rope_table;  // cos/sin at `positions`, shared by all layers of the step
};

// Memory a cache holds, in bytes.
struct KvMemory {
  int64_t packed = 0;          // quantized codes
  int64_t metadata = 0;        // scales, zero points, sink positions
  int64_t full_precision = 0;  // residual windows, sinks, or the whole cache for f16/f32
  int64_t tables = 0;          // held once per cache whatever its batch: channel permutations
  int64_t total() const { return packed + metadata + full_precision + tables; }
  KvMemory& operator+=(const KvMemory& o) {
    packed += o.packed, metadata += o.metadata, full_precision += o.full_precision, tables += o.tables;
    return *this;
  }
};

enum class KvRole { kKey, kValue };

class KvCache {
 public:
  virtual ~KvCache() = default;
  // Appends the new tokens of `layer` and returns the attention output [B, Hq, T, hd] in the
  // compute dtype. Queries attend causally to every stored token at a position <= their own.
  // `rope` rotates keys at any position (codecs that store pre-RoPE keys apply it on read).
  virtual at::Tensor attend(int layer, const AttentionInput& in, const Rope& rope, TapObserver* taps) = 0;
  // Stores the new tokens of `layer` as attend would, without computing attention (in.q is not
  // read): benchmarks fill long contexts with it.
  virtual void append(int layer, const AttentionInput& in, const Rope& rope, TapObserver* taps) = 0;
  // Tokens stored per sequence (after every layer has seen the same step).
  virtual int64_t length() const = 0;
  virtual void clear() = 0;
  // Drops tokens at positions >= n (regenerate, edit history).
  virtual void truncate(int64_t n) = 0;
  virtual KvMemory memory() const = 0;
  virtual KvMemory side_memory(KvRole role) const = 0;  // the keys' or the values' share
  virtual std::string k_type() const = 0;
  virtual std::string v_type() const = 0;
};

// Cache types are the names codec plugins register in the side registry (kv_side.h): f16,
// q8_0, kivi-2, rotatekv-2 ... Any K type pairs with any V type. When both are full-precision
// plain sides the runtime's reference FullPrecisionCache is used; otherwise a QuantizedCache.
// Throws Error(kInvalidArgument) naming an unknown type or an unused --kv-opt.
std::unique_ptr<KvCache> create_kv_cache(const KvShape& shape, const std::string& k_type, const std::string& v_type);
std::vector<std::string> kv_cache_types();
std::string kv_cache_description(const std::string& type);
// Whether the type's key side applies a calibrated channel reorder at this shape (RotateKV's):
// such a cache needs the model's reorder file (or reorder=none) before it can run.
bool kv_cache_needs_reorder(const KvShape& shape, const std::string& type);
// The registered quantizing type with the smallest K+V footprint at shape.max_tokens among those
// that need no reorder (or all, with reorder_available): a default that runs on any model as it
// is. "" when none is registered.
std::string smallest_runnable_kv_type(const KvShape& shape, bool reorder_available);

// Throws when the new tokens of `in` do not fit after `start` stored ones, or the batch differs.
void check_append(const KvShape& shape, int64_t start, const AttentionInput& in);

// Reference attention shared by codecs that hold dequantized K/V: q [B,Hq,T,hd] against
// k, v [B,Hkv,S,hd] where the new queries sit at positions `positions` and key s is at position
// s. Grouped-query heads share K/V. Probabilities go to the AttnProbs tap when wanted.
at::Tensor reference_attention(int layer, const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                               const at::Tensor& positions, TapObserver* taps);

}  // namespace qs
