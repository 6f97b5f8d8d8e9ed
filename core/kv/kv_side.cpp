#include "core/kv/kv_side.h"

#include <algorithm>

#include "core/kv/bit_pack.h"

namespace qs {

KvSideRegistry& kv_side_registry() {
  static KvSideRegistry registry;
  return registry;
}

SideFootprint side_footprint(const SideConfig& side, int64_t n, int64_t width) {
  SideFootprint f;
  if (side.layers.empty() || n <= 0 || width <= 0) return f;
  const int64_t fp_bytes = int64_t(c10::elementSize(side.fp_dtype));
  double bits_sum = 0;
  int64_t quantized_layers = 0;
  for (const TokenPolicy& p : side.layers) {
    if (p.full_precision) {
      f.bytes += n * width * fp_bytes;
      continue;
    }
    const QuantSpec& q = p.quant;
    int64_t quantized = 0, bytes = 0;
    if (p.per_channel) {
      const int64_t chunks = n / p.window;
      quantized = chunks * p.window;
      bytes = chunks * width * (packed_bytes(p.window, q.bits) + (p.window / q.group) * q.meta_bits_per_group() / 8);
    } else {
      quantized = std::max<int64_t>(0, n - p.window);
      bytes = quantized * (packed_bytes(width, q.bits) + (width / q.group) * q.meta_bits_per_group() / 8);
    }
    bytes += (n - quantized) * width * fp_bytes;
    if (p.sinks != SinkRule::kNone) bytes += std::min(p.sink_count, n) * (width * fp_bytes + 4);  // at most k sinks
    f.bytes += bytes;
    bits_sum += q.bits_per_element();
    ++quantized_layers;
  }
  if (side.reorder) f.bytes += int64_t(side.layers.size()) * width * 4;
  f.bits_quantized = quantized_layers ? bits_sum / double(quantized_layers) : 8.0 * double(fp_bytes);  // all full precision: its width
  f.avg_bits = 8.0 * double(f.bytes) / (double(n) * double(width) * double(side.layers.size()));
  return f;
}

}  // namespace qs
