// K-space simulation from magnitude images: k = fft2c(image * phase * coil map), with an
// optional smooth synthetic phase and synthetic coil sensitivities; RSS coil combination and
// fastMRI's centre crop.
#pragma once
#include <cstdint>

#include <ATen/ATen.h>

#include "core/mri/volume.h"

namespace qs::mri {

struct SimulationOptions {
  int64_t coils = 1;           // 1: single-coil (ESC target); > 1: multi-coil (RSS target)
  bool phase = false;          // smooth synthetic phase (a low-order polynomial, up to ~pi)
  uint64_t seed = 0;
};

// (S, H, W) real or complex image -> Scan with kspace (S, C, H, W), the magnitude target
// (reconstruction_esc single-coil, reconstruction_rss multi-coil) and its `max` attribute.
Scan simulate_scan(const at::Tensor& image, const SimulationOptions& options);

// Smooth phase map (H, W), values in radians.
at::Tensor synthetic_phase(int64_t height, int64_t width, uint64_t seed, const at::TensorOptions& options);
// Coil sensitivities (C, H, W) complex: Gaussian fall-off from C points on an ellipse around
// the field of view, each with its own constant phase, normalised so sum_c |S_c|^2 = 1.
at::Tensor synthetic_coil_maps(int64_t coils, int64_t height, int64_t width, const at::TensorOptions& options);

// sqrt(sum over `dim` of |x|^2).
at::Tensor rss(const at::Tensor& x, int64_t dim);
// Centre crop of the last two axes as fastMRI does: from = (size - target) / 2. Errors when
// the image is smaller than the target.
at::Tensor center_crop(const at::Tensor& x, int64_t height, int64_t width);
// Crops where larger and zero-pads (centred) where smaller.
at::Tensor center_crop_or_pad(const at::Tensor& x, int64_t height, int64_t width);

}  // namespace qs::mri
