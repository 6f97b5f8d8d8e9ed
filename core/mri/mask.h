// Undersampling masks. 1-D Cartesian masks over the W (phase-encode) columns follow fastMRI's
// subsample.py rules (centre block, probabilities); 2-D variable-density masks sample single
// k-space points. One mask per volume: every slice and coil shares it.
#pragma once
#include <cstdint>
#include <string>

#include <ATen/ATen.h>

namespace qs::mri {

struct MaskSpec {
  std::string type = "random";  // random | equispaced | gaussian2d
  double acceleration = 4.0;
  double center_fraction = -1;  // < 0: fastMRI's pairing (0.08 at 4x, 0.04 at 8x, else 0.32/R)
  uint64_t seed = 0;
};

double default_center_fraction(double acceleration);
// fastMRI: round(W * fraction) with Python's round (halves to even).
int64_t center_line_count(int64_t width, double center_fraction);
// First column of the centre block: (W - n_low + 1) / 2.
int64_t center_start(int64_t width, int64_t n_low);

// Returns a float32 (H, W) mask of 0/1 on CPU; 1-D types repeat one row of columns.
at::Tensor make_mask(const MaskSpec& spec, int64_t height, int64_t width);

// Broadcasts a (W) or (H, W) mask to `kspace` (..., H, W) and zeroes unsampled entries with a
// select, so they are +0.0 (never -0.0 as k*0 can give). Checks the sizes.
at::Tensor apply_mask(const at::Tensor& kspace, const at::Tensor& mask);
// A (H, W) bool mask on kspace's device, from a (W) or (H, W) numeric mask; checks sizes.
at::Tensor expand_mask(const at::Tensor& mask, int64_t height, int64_t width, const at::Device& device);

// Sampled fraction and the acceleration it amounts to.
double sampled_fraction(const at::Tensor& mask);

}  // namespace qs::mri
