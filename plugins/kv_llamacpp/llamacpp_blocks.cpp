// Plugin kv_llamacpp: llama.cpp's q8_0 and q4_0 cache types. As in llama.cpp, a token's row is
// all KV heads of the layer (Hkv*hd, keys after RoPE) cut into blocks of 32 with one f16 scale:
// 8.5 and 4.5 bits per element.
#include "core/common/error.h"
#include "core/kv/codec_options.h"

namespace {

qs::KvSideFactory side(qs::QuantScheme scheme, int bits, const char* name) {
  return [scheme, bits, name](const qs::KvShape& shape, qs::KvRole) {
    const int64_t width = shape.n_kv_heads * shape.head_dim;
    if (width % 32 != 0)
      qs::fail(qs::ErrorKind::kUnsupported, std::string(name) + " needs the " + std::to_string(width) + " KV channels of a layer to be a multiple of its block of 32");
    qs::TokenPolicy p;
    p.quant.scheme = scheme;
    p.quant.bits = bits;
    p.quant.group = 32;
    qs::SideConfig s;
    s.layers = qs::same_for_all_layers(shape, p);
    s.summary = std::string(name) + ": symmetric blocks of 32 along the row, f16 scale";
    return s;
  };
}

const bool registered = [] {
  auto& r = qs::kv_side_registry();
  r.add("q8_0", "llama.cpp q8_0: int8 blocks of 32, f16 scale (8.5 bits)", side(qs::QuantScheme::kLlamaQ8_0, 8, "q8_0"));
  r.add("q4_0", "llama.cpp q4_0: 4-bit blocks of 32, f16 scale (4.5 bits)", side(qs::QuantScheme::kLlamaQ4_0, 4, "q4_0"));
  return true;
}();

}  // namespace
