// Centred orthonormal 2-D FFT over the last two axes, exactly as fastMRI's fftc.py defines it:
//   fft2c(x)  = fftshift(FFT2(ifftshift(x))) / sqrt(H W)
//   ifft2c(k) = fftshift(IFFT2_unnormalised(ifftshift(k))) / sqrt(H W)
// fftshift rolls by n/2 and ifftshift by (n+1)/2 per axis: they differ for odd n.
#pragma once
#include <ATen/ATen.h>

namespace qs::mri {

at::Tensor fftshift2(const at::Tensor& x);
at::Tensor ifftshift2(const at::Tensor& x);
at::Tensor fft2c(const at::Tensor& x);   // complex or real input, complex output
at::Tensor ifft2c(const at::Tensor& k);

}  // namespace qs::mri
