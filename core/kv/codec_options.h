// Option handling the codec plugins share (--kv-opt group=, clip=, meta=).
#pragma once
#include <string>

#include "core/kv/kv_cache.h"
#include "core/kv/kv_side.h"

namespace qs {

// Asymmetric per-token spec: groups of min(128, width) unless group= says otherwise; meta=f16|fp8.
QuantSpec asymmetric_spec(const KvShape& shape, int bits, double clip, const std::string& codec);

// One policy for every layer.
std::vector<TokenPolicy> same_for_all_layers(const KvShape& shape, const TokenPolicy& p);

}  // namespace qs
