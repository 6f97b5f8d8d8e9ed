// Data consistency with measured k-space (issue "LDPM", the Dual-Stage Sampler's second stage),
// for single-coil images x [..., H, W] (complex or real) with the centred orthonormal FFT F of
// core/mri/fft.h, a sampling mask M [..., H, W] or [W] (1 = measured) and measurements y = M F x*:
//   hard  x -> F^-1 (M y + (1 - M) F x)          the projection onto {x : M F x = y}
//   soft  x -> x - eta F^-1 (M (F x) - y)        one gradient step on 1/2 ||M F x - y||^2;
//                                                eta = 1 is the hard projection
#pragma once
#include <ATen/ATen.h>

namespace qs::mri {

at::Tensor hard_data_consistency(const at::Tensor& x, const at::Tensor& y, const at::Tensor& mask);
at::Tensor soft_data_consistency(const at::Tensor& x, const at::Tensor& y, const at::Tensor& mask, double eta);
// ||M F x - y|| / ||y||: how far x is from the measurements (0 when consistent).
double data_residual(const at::Tensor& x, const at::Tensor& y, const at::Tensor& mask);

}  // namespace qs::mri
