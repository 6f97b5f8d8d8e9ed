#include "core/kv/kv_side.h"

#include <algorithm>

#include "core/kv/bit_pack.h"
#include "core/kv/channel_reorder.h"

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

KvShape with_identity_reorder(const KvShape& base) {
  KvShape s = base;
  if (!s.options.reorder_source)
    s.options.reorder_source = [l = base.n_layers, h = base.n_kv_heads, d = base.head_dim]() {
      auto r = std::make_shared<ChannelReorder>();
      r->n_layers = l, r->n_kv_heads = h, r->head_dim = d;
      r->pre = at::arange(h * d, at::kLong).repeat({l, 1});
      r->post = at::arange(d, at::kLong).repeat({l, h, 1});
      return std::shared_ptr<const ChannelReorder>(r);
    };
  return s;
}

KvFootprint kv_footprint(const KvShape& base, const std::string& k_type, const std::string& v_type) {
  KvShape s = with_identity_reorder(base);
  const SideConfig k = kv_side_registry().get(k_type).factory(s, KvRole::kKey);
  const SideConfig v = kv_side_registry().get(v_type).factory(s, KvRole::kValue);
  const int64_t width = s.n_kv_heads * s.head_dim;
  KvFootprint f;
  f.unused_options = s.options.unused();
  f.k = side_footprint(k, s.max_tokens, width);
  f.v = side_footprint(v, s.max_tokens, width);
  auto fp = [](const SideConfig& c) { return std::all_of(c.layers.begin(), c.layers.end(), [](const TokenPolicy& p) { return p.full_precision; }); };
  f.full_precision = fp(k) && fp(v);
  return f;
}

}  // namespace qs
