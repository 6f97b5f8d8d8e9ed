#include "core/mri/operators/sense_operator.h"

#include <cmath>

#include "core/common/error.h"
#include "core/mri/fft.h"
#include "core/mri/simulate.h"

namespace qs::mri {

SenseOperator::SenseOperator(at::Tensor mask, at::Tensor maps) : mask_(std::move(mask)), maps_(std::move(maps)) {}

at::Tensor SenseOperator::forward(const at::Tensor& x) const {
  const at::Tensor coil_images = single_coil() ? x.unsqueeze(1) : x.unsqueeze(1) * maps_;
  return at::where(mask_, fft2c(coil_images), at::zeros({}, coil_images.options()));
}

at::Tensor SenseOperator::adjoint(const at::Tensor& k) const {
  const at::Tensor img = ifft2c(at::where(mask_, k, at::zeros({}, k.options())));
  if (single_coil()) return img.squeeze(1);
  return (img * maps_.conj()).sum(1);
}

at::Tensor SenseOperator::replace_measured(const at::Tensor& x, const at::Tensor& measured) const {
  if (!single_coil()) fail(ErrorKind::kInternal, "hard data consistency is defined for single-coil data only");
  return ifft2c(at::where(mask_, measured.squeeze(1), fft2c(x)));
}

at::Tensor estimate_coil_maps(const at::Tensor& kspace, const at::Tensor& mask) {
  const int64_t w = kspace.size(-1), h = kspace.size(-2);
  // The contiguous run of sampled columns through the centre is the calibration region.
  const at::Tensor cols = mask.to(at::kCPU).to(at::kBool).any(0);
  const auto* c = cols.data_ptr<bool>();
  int64_t lo = w / 2, hi = w / 2;
  if (!c[w / 2]) fail(ErrorKind::kInvalidArgument, "coil maps need a fully sampled centre in k-space");
  while (lo > 0 && c[lo - 1]) --lo;
  while (hi + 1 < w && c[hi + 1]) ++hi;
  const int64_t n = hi - lo + 1;
  const auto fo = kspace.options().dtype(at::kFloat);
  at::Tensor window = at::zeros({w}, fo);
  window.narrow(0, lo, n).copy_(at::hann_window(n + 2, /*periodic=*/false, fo).narrow(0, 1, n));
  // Rows: the same relative width, so the low-resolution images are smooth in both axes.
  const int64_t nh = std::max<int64_t>(3, static_cast<int64_t>(std::llround(static_cast<double>(n) * h / w)));
  at::Tensor wrow = at::zeros({h}, fo);
  wrow.narrow(0, (h - std::min(nh, h)) / 2, std::min(nh, h)).copy_(at::hann_window(std::min(nh, h) + 2, false, fo).narrow(0, 1, std::min(nh, h)));
  const at::Tensor low = ifft2c(kspace * (wrow.view({h, 1}) * window.view({1, w})));
  const at::Tensor norm = rss(low, 1).unsqueeze(1);
  const double floor = 1e-3 * norm.max().item<double>();
  return low / norm.clamp_min(floor);
}

}  // namespace qs::mri
