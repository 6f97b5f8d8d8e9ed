#include "core/mri/operators/finite_difference.h"

#include <cmath>

#include "core/mri/fft.h"

namespace qs::mri {

at::Tensor forward_difference(const at::Tensor& x) {
  return at::stack({at::roll(x, {-1}, {-2}) - x, at::roll(x, {-1}, {-1}) - x}, 0);
}

at::Tensor forward_difference_adjoint(const at::Tensor& g) {
  return (at::roll(g[0], {1}, {-2}) - g[0]) + (at::roll(g[1], {1}, {-1}) - g[1]);
}

at::Tensor gradient_normal_eigenvalues(int64_t h, int64_t w, const at::TensorOptions& options) {
  const auto o = options.dtype(at::kFloat);
  const at::Tensor ky = at::arange(h, o), kx = at::arange(w, o);
  const at::Tensor ly = 4.0 * at::sin(ky * (M_PI / static_cast<double>(h))).pow(2);
  const at::Tensor lx = 4.0 * at::sin(kx * (M_PI / static_cast<double>(w))).pow(2);
  return fftshift2(ly.view({h, 1}) + lx.view({1, w}));
}

at::Tensor shrink_isotropic(const at::Tensor& g, double t) {
  const at::Tensor mag = at::sqrt((g.is_complex() ? at::abs(g).pow(2) : g.pow(2)).sum(0, /*keepdim=*/true));
  return g * at::clamp_min(1.0 - t / mag.clamp_min(1e-30), 0.0);
}

}  // namespace qs::mri
