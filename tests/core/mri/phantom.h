// A synthetic test image for engine unit tests that must run without ITK or data files
// (the GPU machine): ellipses of different intensities, like the Shepp-Logan phantom.
// Real-data tests (Colin27, EPI) live in the host-only suite.
#pragma once
#include <ATen/ATen.h>

namespace qs::mri::test {

inline at::Tensor ellipse_phantom(int64_t h, int64_t w) {
  const at::Tensor y = at::linspace(-1.0, 1.0, h).view({h, 1});
  const at::Tensor x = at::linspace(-1.0, 1.0, w).view({1, w});
  at::Tensor img = at::zeros({h, w});
  struct E { double cx, cy, ax, ay, v; };
  for (const E& e : {E{0, 0, 0.69, 0.92, 1.0}, E{0, -0.02, 0.62, 0.87, -0.6}, E{0.22, 0, 0.11, 0.31, 0.3}, E{-0.22, 0, 0.16, 0.41, 0.3},
                     E{0, 0.35, 0.21, 0.25, 0.2}, E{0, 0.1, 0.046, 0.046, 0.4}, E{-0.08, -0.6, 0.046, 0.023, 0.4}, E{0.06, -0.6, 0.023, 0.046, 0.4}})
    img = img + e.v * (((x - e.cx) / e.ax).pow(2) + ((y - e.cy) / e.ay).pow(2) <= 1).to(at::kFloat);
  return img;
}

}  // namespace qs::mri::test
