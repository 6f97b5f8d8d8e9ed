// How a codec stores one side (K or V) of the cache: the basis the vectors are kept in and, per
// layer, which tokens are quantized how. Codec plugins register one SideFactory per cache type
// name; the generic QuantizedCache (quantized_cache.h) runs any K side with any V side.
#pragma once
#include <ATen/ATen.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/common/registry.h"
#include "core/kv/kv_cache.h"
#include "core/kv/quantizer.h"

namespace qs {

struct ChannelReorder;

// The basis vectors are stored in. Values only use kPlain or kHeadHadamard.
enum class KvBasis {
  kPlain,           // keys after RoPE (llama.cpp, KIVI), values as computed
  kHeadHadamard,    // per-head Walsh-Hadamard after RoPE; queries get the same transform (QuaRot,
                    // AKVQ keys), values: out = Attn(H v) H (the fold into W_v/W_o, done in the cache)
  kPreRopeGrouped,  // keys before RoPE, Hadamard over groups of KV heads, then a channel
                    // permutation; read back as un-permute, Hadamard, RoPE (RotateKV)
};

enum class SinkRule {
  kNone,
  kTopEntries,  // tokens holding the top-k |h| entries of the layer input (RotateKV, k = 20)
  kTopTokens,   // the k tokens with the largest max |h| (AKVQ-VL pivots, k = 15)
};

// Which tokens of one layer are stored how.
struct TokenPolicy {
  bool full_precision = false;  // keep every token in fp_dtype (f16/f32/bf16 sides)
  QuantSpec quant;              // for the others
  bool per_channel = false;     // KIVI keys: groups along tokens, quantized `window` tokens at a time
  int64_t window = 0;           // most recent tokens kept in full precision (per_channel: the residual R)
  SinkRule sinks = SinkRule::kNone;
  int64_t sink_count = 0;
};

struct SideConfig {
  KvBasis basis = KvBasis::kPlain;
  bool reorder = false;                        // apply the calibrated channel permutation
  std::shared_ptr<const ChannelReorder> reorder_table;  // set when reorder
  int64_t head_group = 1;                      // KV heads per Hadamard block (kPreRopeGrouped)
  at::ScalarType fp_dtype = at::kHalf;         // storage of everything kept in full precision
  std::vector<TokenPolicy> layers;             // one per layer
  std::string summary;                         // one line for reports
};

using KvSideFactory = std::function<SideConfig(const KvShape&, KvRole)>;
using KvSideRegistry = Registry<KvSideFactory>;
KvSideRegistry& kv_side_registry();

// Average bits per element of one side over a context of n tokens per sequence: the quantized
// part (codes + metadata) and everything held in full precision; sinks counted at their maximum.
struct SideFootprint {
  double bits_quantized = 0;  // per element of the quantized part, metadata included (0 if none)
  double avg_bits = 0;        // over all n tokens
  int64_t bytes = 0;          // for batch 1, all layers, n tokens
};
SideFootprint side_footprint(const SideConfig& side, int64_t n_tokens, int64_t width);

// Both sides of a cache type pair at shape.max_tokens tokens (batch 1), from the policies alone
// (a reorder permutation's values do not change sizes: an identity stands in when none is set).
// Throws for unknown types; option keys neither side reads are listed, not refused.
struct KvFootprint {
  SideFootprint k, v;
  bool full_precision = false;  // neither side quantizes anything
  std::vector<std::string> unused_options;
};
KvFootprint kv_footprint(const KvShape& shape, const std::string& k_type, const std::string& v_type);
// The shape with an identity permutation as its reorder source when it has none: for building a
// side's configuration where only its policies matter (sizes, whether it reorders).
KvShape with_identity_reorder(const KvShape& shape);

}  // namespace qs
