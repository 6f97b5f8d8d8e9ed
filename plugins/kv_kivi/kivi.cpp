// Plugin kv_kivi: KIVI (Liu et al. 2024). Keys per channel in groups of G = 32 tokens, values per
// token in groups of 32 channels, f16 scale and min, a full-precision residual of R = 128 recent
// tokens. Keys leave the residual R at a time when it fills (a key is never quantized alone, which
// would keep it exact); values leave it one by one. Options: residual=R, group=G.
#include "core/common/error.h"
#include "core/kv/codec_options.h"

namespace {

qs::KvSideFactory side(int bits) {
  return [bits](const qs::KvShape& shape, qs::KvRole role) {
    const int64_t width = shape.n_kv_heads * shape.head_dim;
    qs::TokenPolicy p;
    p.quant.bits = bits;
    p.quant.group = shape.options.get_int("group", 32);
    p.quant.zero = qs::ZeroKind::kMin;
    p.window = shape.options.get_int("residual", 128);
    p.quant.validate();
    if (p.window <= 0) qs::fail(qs::ErrorKind::kInvalidArgument, "kivi: residual must be positive");
    if (role == qs::KvRole::kKey) {
      p.per_channel = true;
      if (p.window % p.quant.group != 0)
        qs::fail(qs::ErrorKind::kInvalidArgument, "kivi: the residual (" + std::to_string(p.window) + ") must be a multiple of the group (" + std::to_string(p.quant.group) + ")");
    } else if (width % p.quant.group != 0) {
      qs::fail(qs::ErrorKind::kUnsupported, "kivi: values are grouped by " + std::to_string(p.quant.group) + " channels, which does not divide " + std::to_string(width));
    }
    qs::SideConfig s;
    s.layers = qs::same_for_all_layers(shape, p);
    s.summary = "kivi-" + std::to_string(bits) + (role == qs::KvRole::kKey ? " keys: per channel" : " values: per token") + ", groups of " +
                std::to_string(p.quant.group) + ", residual " + std::to_string(p.window);
    return s;
  };
}

const bool registered = [] {
  auto& r = qs::kv_side_registry();
  r.add("kivi-2", "KIVI 2-bit: keys per channel, values per token, G=32, fp16 residual R=128", side(2));
  r.add("kivi-4", "KIVI 4-bit: keys per channel, values per token, G=32, fp16 residual R=128", side(4));
  return true;
}();

}  // namespace
