#include "core/mri/diffusion/data_consistency.h"

#include "core/common/error.h"
#include "core/mri/fft.h"

namespace qs::mri {
namespace {

at::Tensor checked_mask(const at::Tensor& x, const at::Tensor& y, const at::Tensor& mask) {
  if (x.dim() < 2 || y.sizes() != x.sizes()) fail(ErrorKind::kInvalidArgument, "data consistency: k-space and image must have one shape [..., H, W]");
  if (mask.size(-1) != x.size(-1) || (mask.dim() >= 2 && mask.size(-2) != x.size(-2) && mask.size(-2) != 1))
    fail(ErrorKind::kInvalidArgument, "data consistency: the mask is " + std::to_string(mask.size(-1)) + " wide for k-space " + std::to_string(x.size(-1)) + " wide");
  return mask.to(y.device(), at::kFloat);
}

}  // namespace

at::Tensor hard_data_consistency(const at::Tensor& x, const at::Tensor& y, const at::Tensor& mask) {
  const at::Tensor m = checked_mask(x, y, mask);
  const at::Tensor k = fft2c(x);
  return ifft2c(m * y + (1 - m) * k);
}

at::Tensor soft_data_consistency(const at::Tensor& x, const at::Tensor& y, const at::Tensor& mask, double eta) {
  if (!(eta > 0 && eta <= 1)) fail(ErrorKind::kInvalidArgument, "data consistency: the step eta must be in (0, 1]");
  const at::Tensor m = checked_mask(x, y, mask);
  const at::Tensor xc = x.is_complex() ? x : at::complex(x, at::zeros_like(x));
  return xc - eta * ifft2c(m * fft2c(x) - y);
}

double data_residual(const at::Tensor& x, const at::Tensor& y, const at::Tensor& mask) {
  const at::Tensor m = checked_mask(x, y, mask);
  const double ny = at::abs(y).norm().item<double>();
  return at::abs(m * fft2c(x) - y).norm().item<double>() / (ny > 0 ? ny : 1.0);
}

}  // namespace qs::mri
