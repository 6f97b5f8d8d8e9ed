#include "core/kv/codec_options.h"

#include <algorithm>

#include "core/common/error.h"

namespace qs {

QuantSpec asymmetric_spec(const KvShape& shape, int bits, double clip, const std::string& codec) {
  const int64_t width = shape.n_kv_heads * shape.head_dim;
  QuantSpec q;
  q.bits = bits;
  q.clip = shape.options.get_double("clip", clip);
  q.group = shape.options.get_int("group", std::min<int64_t>(128, width));
  const std::string meta = shape.options.get("meta", "f16");
  if (meta == "fp8") {
    q.meta = MetaFormat::kFp8ScaleInt8Zero;
  } else if (meta != "f16") {
    fail(ErrorKind::kInvalidArgument, "--kv-opt meta=" + meta + ": expected f16 or fp8");
  }
  if (q.group < 1 || width % q.group != 0)
    fail(ErrorKind::kInvalidArgument, codec + ": groups of " + std::to_string(q.group) + " do not divide the " + std::to_string(width) +
                                          " key/value channels of a layer (set --kv-opt group=N)");
  q.validate();
  return q;
}

std::vector<TokenPolicy> same_for_all_layers(const KvShape& shape, const TokenPolicy& p) { return std::vector<TokenPolicy>(size_t(shape.n_layers), p); }

}  // namespace qs
