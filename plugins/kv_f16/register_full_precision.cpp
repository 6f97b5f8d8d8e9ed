// Plugin kv_f16: the full-precision reference sides f32, f16 and bf16. Both sides full precision
// gives the runtime's FullPrecisionCache; paired with a quantized side (-ctk f16 -ctv q4_0) they
// keep that side unquantized inside a QuantizedCache.
#include "core/kv/codec_options.h"

namespace {

qs::KvSideFactory side(at::ScalarType dtype, const char* name) {
  return [dtype, name](const qs::KvShape& shape, qs::KvRole) {
    qs::SideConfig s;
    s.fp_dtype = dtype;
    qs::TokenPolicy p;
    p.full_precision = true;
    s.layers = qs::same_for_all_layers(shape, p);
    s.summary = std::string(name) + ", unquantized";
    return s;
  };
}

const bool registered = [] {
  auto& r = qs::kv_side_registry();
  r.add("f32", "full precision, 32-bit floats", side(at::kFloat, "f32"));
  r.add("f16", "full precision, IEEE half (the reference)", side(at::kHalf, "f16"));
  r.add("bf16", "full precision, bfloat16", side(at::kBFloat16, "bf16"));
  return true;
}();

}  // namespace
