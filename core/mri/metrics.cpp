#include "core/mri/metrics.h"

#include <cmath>

#include "core/common/error.h"
#include "core/mri/volume.h"

namespace qs::mri {

namespace {

constexpr int64_t kWin = 7;

// Mean over each 7x7 window at valid positions: the values scikit-image keeps after cropping
// (win - 1) / 2 pixels from each border of its uniform_filter output.
// x [N, H, W] -> [N, H - 6, W - 6]
at::Tensor box_mean(const at::Tensor& x) { return at::avg_pool2d(x.unsqueeze(1), {kWin, kWin}, {1, 1}).squeeze(1); }

}  // namespace

at::Tensor ssim_map(const at::Tensor& target, const at::Tensor& prediction, double data_range) {
  if (target.dim() < 2 || !target.sizes().equals(prediction.sizes()))
    fail(ErrorKind::kInvalidArgument, "SSIM needs two images of one shape; got " + shape_string(target) + " and " + shape_string(prediction));
  const int64_t h = target.size(-2), w = target.size(-1);
  if (h < kWin || w < kWin) fail(ErrorKind::kInvalidArgument, "SSIM needs slices of at least 7 x 7 pixels");
  std::vector<int64_t> lead(target.sizes().begin(), target.sizes().end() - 2);
  const at::Tensor x = target.reshape({-1, h, w}), y = prediction.reshape({-1, h, w});
  const double np = static_cast<double>(kWin * kWin);
  const double cov_norm = np / (np - 1.0);  // sample covariance
  const at::Tensor ux = box_mean(x), uy = box_mean(y);
  const at::Tensor uxx = box_mean(x * x), uyy = box_mean(y * y), uxy = box_mean(x * y);
  const at::Tensor vx = cov_norm * (uxx - ux * ux), vy = cov_norm * (uyy - uy * uy), vxy = cov_norm * (uxy - ux * uy);
  const double c1 = std::pow(0.01 * data_range, 2), c2 = std::pow(0.03 * data_range, 2);
  const at::Tensor a1 = 2 * ux * uy + c1, a2 = 2 * vxy + c2;
  const at::Tensor b1 = ux * ux + uy * uy + c1, b2 = vx + vy + c2;
  lead.insert(lead.end(), {h - kWin + 1, w - kWin + 1});
  return ((a1 * a2) / (b1 * b2)).reshape(lead);
}

double ssim_slice(const at::Tensor& target, const at::Tensor& prediction, double data_range) {
  return ssim_map(target.to(at::kDouble), prediction.to(at::kDouble), data_range).mean().item<double>();
}

VolumeMetrics evaluate_volume(const at::Tensor& target, const at::Tensor& prediction) {
  if (target.dim() != 3 || prediction.dim() != 3)
    fail(ErrorKind::kInvalidArgument, "metrics need (S, H, W) volumes; got target " + shape_string(target) + " and prediction " + shape_string(prediction));
  if (!target.sizes().equals(prediction.sizes()))
    fail(ErrorKind::kInvalidArgument, "target is " + shape_string(target) + " but prediction is " + shape_string(prediction));
  if (target.is_complex() || prediction.is_complex()) fail(ErrorKind::kInvalidArgument, "metrics take magnitude images, not complex ones");
  check_finite(target, "target");
  check_finite(prediction, "prediction");
  const at::Tensor gt = target.to(at::kCPU, at::kDouble), pred = prediction.to(at::kCPU, at::kDouble);
  VolumeMetrics m;
  m.data_range = gt.max().item<double>();
  const at::Tensor diff2 = (gt - pred).pow(2);
  const double gt2 = gt.pow(2).sum().item<double>();
  m.mse = diff2.mean().item<double>();
  m.nmse = diff2.sum().item<double>() / gt2;
  m.psnr = 10.0 * std::log10(m.data_range * m.data_range / m.mse);
  double ssim_sum = 0;
  for (int64_t s = 0; s < gt.size(0); ++s) {
    SliceMetrics sm;
    const at::Tensor g = gt[s], p = pred[s];
    const at::Tensor d2 = (g - p).pow(2);
    sm.nmse = d2.sum().item<double>() / g.pow(2).sum().item<double>();
    sm.psnr = 10.0 * std::log10(m.data_range * m.data_range / d2.mean().item<double>());
    sm.ssim = ssim_slice(g, p, m.data_range);
    ssim_sum += sm.ssim;
    m.slices.push_back(sm);
  }
  m.ssim = ssim_sum / static_cast<double>(gt.size(0));
  return m;
}

}  // namespace qs::mri
