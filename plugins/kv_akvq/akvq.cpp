// Plugin kv_akvq: AKVQ-VL's attention-aware policy (Su et al. 2025). Per layer either
//   TSA (text-salient): the 128 most recent tokens in full precision, other text tokens 4-bit
//       (clip 1.0), image tokens 2-bit; or
//   PSA (pivot-salient): the recent window plus 15 pivot tokens (largest max |h| of the layer
//       input, found in the prompt) in full precision, the rest 2-bit (clip 0.8).
// Keys and queries get a per-head Hadamard after RoPE, values a per-head Hadamard (W_v/W_o fold);
// groups of 128. The runtime has no vision tower, so every token is text: TSA layers hold text at
// 4 bits. Which layers are TSA: --kv-opt tsa=0+1 (from `quantiscope kv-analyze`); default none.
// Options: tsa=, window=, pivots=, group=, meta=.
#include <set>
#include <sstream>

#include "core/common/error.h"
#include "core/kv/codec_options.h"

namespace {

std::set<int64_t> tsa_layers(const qs::KvShape& shape) {
  std::set<int64_t> out;
  std::stringstream ss(shape.options.get("tsa", ""));
  std::string item;
  while (std::getline(ss, item, '+')) {
    if (item.empty()) continue;
    char* end = nullptr;
    const long long l = std::strtoll(item.c_str(), &end, 10);
    if (*end || l < 0 || l >= shape.n_layers)
      qs::fail(qs::ErrorKind::kInvalidArgument, "--kv-opt tsa=" + shape.options.get("tsa", "") + ": '" + item + "' is not a layer (0.." + std::to_string(shape.n_layers - 1) + ")");
    out.insert(l);
  }
  return out;
}

qs::SideConfig side(const qs::KvShape& shape, qs::KvRole) {
  const std::set<int64_t> tsa = tsa_layers(shape);
  const int64_t window = shape.options.get_int("window", 128), pivots = shape.options.get_int("pivots", 15);
  if (window < 0 || pivots < 0) qs::fail(qs::ErrorKind::kInvalidArgument, "akvq-2: window and pivots must not be negative");
  qs::SideConfig s;
  s.basis = qs::KvBasis::kHeadHadamard;
  for (int64_t l = 0; l < shape.n_layers; ++l) {
    qs::TokenPolicy p;
    p.window = window;
    if (tsa.count(l)) {
      p.quant = qs::asymmetric_spec(shape, 4, 1.0, "akvq-2");
    } else {
      p.quant = qs::asymmetric_spec(shape, 2, 0.8, "akvq-2");
      p.sinks = qs::SinkRule::kTopTokens;
      p.sink_count = pivots;
    }
    s.layers.push_back(p);
  }
  s.summary = "akvq-2: per-head Hadamard, " + std::to_string(tsa.size()) + " TSA layers (text 4-bit), " + std::to_string(shape.n_layers - int64_t(tsa.size())) +
              " PSA layers (2-bit, " + std::to_string(pivots) + " pivots), recent " + std::to_string(window) + " in fp16";
  return s;
}

const bool registered = [] {
  qs::kv_side_registry().add("akvq-2", "AKVQ-VL 2-bit: TSA/PSA layers, recent 128 + 15 pivots in fp16, per-head Hadamard", side);
  return true;
}();

}  // namespace
