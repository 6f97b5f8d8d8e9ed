// Plugin kv_f16: the full-precision reference caches f32, f16 and bf16 (K and V may differ,
// e.g. -ctk f16 -ctv f32).
#include "core/common/error.h"
#include "core/kv/full_precision_cache.h"

namespace {

std::unique_ptr<qs::KvCache> make(const qs::KvShape& shape, const std::string& k, const std::string& v) {
  at::ScalarType kt = qs::full_precision_dtype(k);
  if (v != "f32" && v != "f16" && v != "bf16")
    qs::fail(qs::ErrorKind::kInvalidArgument, "cache type -ctk " + k + " pairs only with full-precision -ctv (f32, f16, bf16), not '" + v + "'");
  return std::make_unique<qs::FullPrecisionCache>(shape, kt, qs::full_precision_dtype(v), k, v);
}

const bool registered = [] {
  auto& r = qs::kv_cache_registry();
  r.add("f32", "full precision, 32-bit floats", make);
  r.add("f16", "full precision, IEEE half (the reference)", make);
  r.add("bf16", "full precision, bfloat16", make);
  return true;
}();

}  // namespace
