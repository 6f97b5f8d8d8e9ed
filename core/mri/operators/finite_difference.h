// Periodic forward differences over the last two axes, the TV operator's building block.
// Periodic boundaries make D^H D circulant, hence diagonal in Fourier space (closed-form
// ADMM x-updates for single-coil data).
#pragma once
#include <ATen/ATen.h>

namespace qs::mri {

// x (..., H, W) -> (2, ..., H, W): differences along H then along W.
at::Tensor forward_difference(const at::Tensor& x);
// The adjoint D^H of forward_difference (minus the divergence).
at::Tensor forward_difference_adjoint(const at::Tensor& g);
// Eigenvalues of D^H D in centred k-space (the fft2c layout): (H, W) float.
at::Tensor gradient_normal_eigenvalues(int64_t height, int64_t width, const at::TensorOptions& options);
// Isotropic shrinkage of the 2-vectors (dim 0) by t: g * max(|g| - t, 0) / |g|.
at::Tensor shrink_isotropic(const at::Tensor& g, double t);

}  // namespace qs::mri
