// Rotary position embedding for both pair layouts, with linear and llama3 frequency scaling: a
// primitive below both the model (queries, keys) and the KV caches (keys rotated on read).
#pragma once
#include <ATen/ATen.h>

#include "core/nn/rope_params.h"

namespace qs {

// cos/sin of every (position, frequency) for one set of positions, computed once per forward
// and shared by all layers.
struct RopeTable {
  at::Tensor cos, sin;  // [T, hd/2] float32
};

class Rope {
 public:
  // freq_factors: GGUF rope_freqs (divides each frequency), may be undefined.
  Rope(const RopeParams& params, const at::Tensor& freq_factors, at::Device device);
  RopeTable table(const at::Tensor& positions) const;
  // x: [B, H, T, hd]; positions: [T] int64 on x's device. Computed in float32, returned in x's dtype.
  at::Tensor apply(const at::Tensor& x, const at::Tensor& positions) const;
  at::Tensor apply(const at::Tensor& x, const RopeTable& table) const;
  // Same as apply with the rotation reversed (codecs that store post-RoPE keys use it in tests).
  at::Tensor invert(const at::Tensor& x, const at::Tensor& positions) const;
  const at::Tensor& inv_freq() const { return inv_freq_; }
  RopeStyle style() const { return style_; }

 private:
  at::Tensor rotate(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin) const;
  at::Tensor inv_freq_;  // [hd/2] float32
  RopeStyle style_;
  double position_scale_ = 1.0;
};

}  // namespace qs
