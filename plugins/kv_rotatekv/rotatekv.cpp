// Plugin kv_rotatekv: RotateKV (Su et al., IJCAI'25) as the authors' code does it, with a packed
// cache instead of fake quantization.
//   keys:   before RoPE, a Walsh-Hadamard over groups of min(4, Hkv) consecutive KV heads, then the
//           calibrated per-layer channel permutation (rotate first, then reorder; it spans all KV
//           heads of the layer). Read back: dequantize, un-permute, Hadamard, RoPE per position.
//   values: a per-head Hadamard (the W_v / W_o fold, applied inside the cache).
//   both:   per-token asymmetric groups of 128 channels (or the whole row when smaller), clip 0.8
//           at 2 bits and 1.0 at 3-4 bits, no recent window; tokens holding the top-20 |h| entries
//           of the layer input in the prompt keep full-precision K and V.
// rotatekv-post-2 (ours): the Hadamard after RoPE per head on q and k, the reorder within a head.
// Options: group=, clip=, sinks= (0 disables), meta=f16|fp8, reorder=none (rotation only).
#include "core/common/error.h"
#include "core/kv/channel_reorder.h"
#include "core/kv/codec_options.h"

namespace {

std::shared_ptr<const qs::ChannelReorder> reorder_table(const qs::KvShape& shape, const std::string& codec) {
  if (!shape.options.reorder_source)
    qs::fail(qs::ErrorKind::kInvalidArgument, codec + " needs this model's channel-reorder file: run `quantiscope calibrate --model M --data TEXT`, pass --kv-reorder FILE, or use --kv-opt reorder=none");
  auto table = shape.options.reorder_source();
  if (!table) qs::fail(qs::ErrorKind::kInvalidArgument, codec + ": no channel-reorder file was found");
  if (table->n_layers != shape.n_layers || table->n_kv_heads != shape.n_kv_heads || table->head_dim != shape.head_dim)
    qs::fail(qs::ErrorKind::kInvalidArgument, codec + ": the channel-reorder file's shape does not match the model");
  return table;
}

qs::KvSideFactory side(int bits, bool post_rope, std::string codec) {
  return [bits, post_rope, codec](const qs::KvShape& shape, qs::KvRole role) {
    qs::TokenPolicy p;
    p.quant = qs::asymmetric_spec(shape, bits, bits == 2 ? 0.8 : 1.0, codec);
    p.sinks = qs::SinkRule::kTopEntries;
    p.sink_count = shape.options.get_int("sinks", 20);
    if (p.sink_count < 0) qs::fail(qs::ErrorKind::kInvalidArgument, codec + ": sinks must not be negative");
    qs::SideConfig s;
    s.layers = qs::same_for_all_layers(shape, p);
    if (role == qs::KvRole::kValue) {
      s.basis = qs::KvBasis::kHeadHadamard;
      s.summary = codec + " values: per-head Hadamard, " + p.quant.describe();
      return s;
    }
    s.basis = post_rope ? qs::KvBasis::kHeadHadamard : qs::KvBasis::kPreRopeGrouped;
    s.head_group = post_rope ? 1 : qs::rotation_head_group(shape.n_kv_heads);
    const std::string reorder = shape.options.get("reorder", "calibrated");
    if (reorder != "none" && reorder != "calibrated") qs::fail(qs::ErrorKind::kInvalidArgument, "--kv-opt reorder=" + reorder + ": expected none");
    s.reorder = reorder != "none";
    if (s.reorder) s.reorder_table = reorder_table(shape, codec);
    s.summary = codec + " keys: " + (post_rope ? "per-head Hadamard after RoPE" : "Hadamard over " + std::to_string(s.head_group) + " KV heads before RoPE") +
                (s.reorder ? " + calibrated reorder, " : ", no reorder, ") + p.quant.describe();
    return s;
  };
}

const bool registered = [] {
  auto& r = qs::kv_side_registry();
  r.add("rotatekv-2", "RotateKV 2-bit: pre-RoPE grouped-head Hadamard + calibrated reorder, sinks in fp16", side(2, false, "rotatekv-2"));
  r.add("rotatekv-3", "RotateKV 3-bit", side(3, false, "rotatekv-3"));
  r.add("rotatekv-4", "RotateKV 4-bit", side(4, false, "rotatekv-4"));
  r.add("rotatekv-post-2", "ours: RotateKV-2 with the Hadamard after RoPE per head (q and k), reorder within a head", side(2, true, "rotatekv-post-2"));
  return true;
}();

}  // namespace
