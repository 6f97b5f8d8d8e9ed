#include "core/mri/simulate.h"

#include <cmath>
#include <random>

#include "core/common/error.h"
#include "core/mri/fft.h"

namespace qs::mri {

at::Tensor synthetic_phase(int64_t h, int64_t w, uint64_t seed, const at::TensorOptions& options) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  const at::Tensor y = at::linspace(-1.0, 1.0, h, options.dtype(at::kFloat)).view({h, 1});
  const at::Tensor x = at::linspace(-1.0, 1.0, w, options.dtype(at::kFloat)).view({1, w});
  // Linear (shift-like) and quadratic (off-resonance-like) terms: smooth, at most ~pi in range.
  const double a = u(rng), b = u(rng), c = u(rng), d = u(rng), e = u(rng);
  return (M_PI / 3.0) * (a * x + b * y + c * x * x + d * y * y + e * x * y);
}

at::Tensor synthetic_coil_maps(int64_t coils, int64_t h, int64_t w, const at::TensorOptions& options) {
  if (coils < 1) fail(ErrorKind::kInvalidArgument, "coil count must be >= 1");
  const auto fo = options.dtype(at::kFloat);
  const at::Tensor y = at::linspace(-1.0, 1.0, h, fo).view({1, h, 1});
  const at::Tensor x = at::linspace(-1.0, 1.0, w, fo).view({1, 1, w});
  std::vector<float> cy(coils), cx(coils), ph(coils);
  for (int64_t c = 0; c < coils; ++c) {
    const double angle = 2.0 * M_PI * static_cast<double>(c) / static_cast<double>(coils);
    cy[c] = static_cast<float>(1.2 * std::sin(angle));
    cx[c] = static_cast<float>(1.2 * std::cos(angle));
    ph[c] = static_cast<float>(angle);
  }
  const at::Tensor py = at::tensor(cy, fo).view({coils, 1, 1});
  const at::Tensor px = at::tensor(cx, fo).view({coils, 1, 1});
  const at::Tensor pp = at::tensor(ph, fo).view({coils, 1, 1});
  const at::Tensor dist2 = (y - py).pow(2) + (x - px).pow(2);
  const at::Tensor mag = at::exp(-dist2 / (2.0 * 0.8 * 0.8));
  at::Tensor maps = at::polar(mag, pp.expand_as(mag).contiguous());
  return maps / rss(maps, 0).unsqueeze(0);
}

at::Tensor rss(const at::Tensor& x, int64_t dim) {
  return at::sqrt((x.is_complex() ? at::abs(x).pow(2) : x.pow(2)).sum(dim));
}

at::Tensor center_crop(const at::Tensor& x, int64_t height, int64_t width) {
  const int64_t h = x.size(-2), w = x.size(-1);
  if (height > h || width > w)
    fail(ErrorKind::kInvalidArgument, "cannot crop " + std::to_string(h) + " x " + std::to_string(w) + " to " +
                                          std::to_string(height) + " x " + std::to_string(width));
  return x.narrow(-2, (h - height) / 2, height).narrow(-1, (w - width) / 2, width);
}

at::Tensor center_crop_or_pad(const at::Tensor& x, int64_t height, int64_t width) {
  at::Tensor t = x;
  const int64_t h = t.size(-2), w = t.size(-1);
  if (h > height || w > width) t = center_crop(t, std::min(h, height), std::min(w, width));
  const int64_t ph = height - t.size(-2), pw = width - t.size(-1);
  if (ph == 0 && pw == 0) return t;
  auto sizes = t.sizes().vec();
  sizes[sizes.size() - 2] = height;
  sizes[sizes.size() - 1] = width;
  at::Tensor out = at::zeros(sizes, t.options());
  out.narrow(-2, ph / 2, t.size(-2)).narrow(-1, pw / 2, t.size(-1)).copy_(t);
  return out;
}

Scan simulate_scan(const at::Tensor& image, const SimulationOptions& o) {
  if (image.dim() != 3) fail(ErrorKind::kInvalidArgument, "simulation needs an (S, H, W) image volume, got " + shape_string(image));
  check_finite(image, "image");
  at::Tensor x = image.is_complex() ? image : image.to(at::kFloat).to(at::kComplexFloat);
  const int64_t h = x.size(1), w = x.size(2);
  if (o.phase) x = x * at::polar(at::ones({h, w}, x.options().dtype(at::kFloat)), synthetic_phase(h, w, o.seed, x.options()));
  Scan scan;
  scan.multicoil = o.coils > 1;
  if (scan.multicoil) {
    const at::Tensor maps = synthetic_coil_maps(o.coils, h, w, x.options());
    const at::Tensor coil_images = x.unsqueeze(1) * maps.unsqueeze(0);  // (S, C, H, W)
    scan.kspace = fft2c(coil_images);
    scan.target = rss(ifft2c(scan.kspace), 1).to(at::kFloat);
    scan.target_name = "reconstruction_rss";
  } else {
    scan.kspace = fft2c(x).unsqueeze(1);
    scan.target = at::abs(ifft2c(scan.kspace.squeeze(1))).to(at::kFloat);
    scan.target_name = "reconstruction_esc";
  }
  scan.numeric_attrs["max"] = scan.target.max().item<double>();
  scan.attrs["acquisition"] = "SIMULATED";
  return scan;
}

}  // namespace qs::mri
