#include "core/mri/fft.h"

namespace qs::mri {

at::Tensor fftshift2(const at::Tensor& x) {
  const int64_t h = x.size(-2), w = x.size(-1);
  return at::roll(x, {h / 2, w / 2}, {-2, -1});
}

at::Tensor ifftshift2(const at::Tensor& x) {
  const int64_t h = x.size(-2), w = x.size(-1);
  return at::roll(x, {(h + 1) / 2, (w + 1) / 2}, {-2, -1});
}

at::Tensor fft2c(const at::Tensor& x) {
  at::Tensor c = x.is_complex() ? x : x.to(at::kComplexFloat);
  return fftshift2(at::fft_fft2(ifftshift2(c), c10::nullopt, {-2, -1}, "ortho"));
}

at::Tensor ifft2c(const at::Tensor& k) {
  at::Tensor c = k.is_complex() ? k : k.to(at::kComplexFloat);
  return fftshift2(at::fft_ifft2(ifftshift2(c), c10::nullopt, {-2, -1}, "ortho"));
}

}  // namespace qs::mri
