// fastMRI's evaluation metrics (fastmri/evaluate.py), in float64:
//   NMSE = ||gt - pred||^2 / ||gt||^2 over the whole volume
//   PSNR = 10 log10(R^2 / mean((gt - pred)^2)), R = gt.max() over the volume
//   SSIM = mean over slices of scikit-image's SSIM (7x7 uniform window, K1 0.01, K2 0.03,
//          sample covariance, valid region only) with data range R.
// Per-slice values use the same volume R, for the viewer.
#pragma once
#include <vector>

#include <ATen/ATen.h>

namespace qs::mri {

struct SliceMetrics {
  double nmse = 0, psnr = 0, ssim = 0;
};

struct VolumeMetrics {
  double nmse = 0, psnr = 0, ssim = 0, mse = 0, data_range = 0;
  std::vector<SliceMetrics> slices;
};

// target and prediction: (S, H, W) real (magnitudes); same shape; finite.
VolumeMetrics evaluate_volume(const at::Tensor& target, const at::Tensor& prediction);

// fastMRI's / scikit-image's SSIM map: 7x7 uniform windows at valid positions, sample
// covariance, K1 = 0.01, K2 = 0.03. target, prediction [..., H, W] (H, W >= 7), one shape, real;
// returns [..., H - 6, W - 6] in their dtype, differentiable (the VAE's SSIM loss uses it).
at::Tensor ssim_map(const at::Tensor& target, const at::Tensor& prediction, double data_range);

// One slice's SSIM map mean (H, W >= 7) with the given data range; float64.
double ssim_slice(const at::Tensor& target, const at::Tensor& prediction, double data_range);

}  // namespace qs::mri
