#include "core/nn/rope.h"

#include <cmath>
#include <vector>

namespace qs {

Rope::Rope(const RopeParams& c, const at::Tensor& freq_factors, at::Device device) : style_(c.style) {
  const int64_t half = c.head_dim / 2;
  std::vector<double> f(size_t(half), 0.0);
  for (int64_t i = 0; i < half; ++i) f[size_t(i)] = 1.0 / std::pow(c.theta, double(2 * i) / double(c.head_dim));
  const RopeScaling& s = c.scaling;
  if (s.type == "llama3" && !freq_factors.defined()) {
    // Long wavelengths are slowed by `factor`, short ones kept, the band between blended.
    const double low_wavelen = double(s.original_context) / s.low_freq_factor;
    const double high_wavelen = double(s.original_context) / s.high_freq_factor;
    for (double& fr : f) {
      double wavelen = 2.0 * M_PI / fr;
      if (wavelen < high_wavelen) continue;
      if (wavelen > low_wavelen) {
        fr /= s.factor;
      } else {
        double smooth = (double(s.original_context) / wavelen - s.low_freq_factor) / (s.high_freq_factor - s.low_freq_factor);
        fr = (1.0 - smooth) * fr / s.factor + smooth * fr;
      }
    }
  }
  if (s.type == "linear") position_scale_ = 1.0 / s.factor;
  at::Tensor t = at::empty({half}, at::TensorOptions().dtype(at::kDouble));
  for (int64_t i = 0; i < half; ++i) t[i] = f[size_t(i)];
  if (freq_factors.defined()) t = t / freq_factors.to(at::kCPU, at::kDouble).reshape({half});
  inv_freq_ = t.to(at::kFloat).to(device);
}

RopeTable Rope::table(const at::Tensor& positions) const {
  at::Tensor pos = positions.to(at::kDouble) * position_scale_;
  at::Tensor angles = (pos.unsqueeze(1) * inv_freq_.to(at::kDouble).unsqueeze(0)).to(at::kFloat);  // [T, half]
  return RopeTable{angles.cos(), angles.sin()};
}

at::Tensor Rope::rotate(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin) const {
  const int64_t hd = x.size(-1), half = hd / 2;
  at::Tensor xf = x.to(at::kFloat);
  at::Tensor out;
  if (style_ == RopeStyle::kAdjacent) {
    at::Tensor pairs = xf.reshape({x.size(0), x.size(1), x.size(2), half, 2});
    at::Tensor x0 = pairs.select(-1, 0), x1 = pairs.select(-1, 1);
    out = at::stack({x0 * cos - x1 * sin, x0 * sin + x1 * cos}, -1).reshape(x.sizes());
  } else {
    at::Tensor x1 = xf.narrow(-1, 0, half), x2 = xf.narrow(-1, half, half);
    out = at::cat({x1 * cos - x2 * sin, x2 * cos + x1 * sin}, -1);
  }
  return out.to(x.scalar_type());
}

at::Tensor Rope::apply(const at::Tensor& x, const RopeTable& t) const { return rotate(x, t.cos, t.sin); }
at::Tensor Rope::apply(const at::Tensor& x, const at::Tensor& positions) const { return apply(x, table(positions)); }
at::Tensor Rope::invert(const at::Tensor& x, const at::Tensor& positions) const {
  RopeTable t = table(positions);
  return rotate(x, t.cos, -t.sin);
}

}  // namespace qs
