#include "core/mri/diffusion/augment.h"

#include <cmath>
#include <string>

#include "core/common/error.h"

namespace qs::mri {
namespace {

// [B, channels, 4, 4] N(0, 1) upsampled to [B, channels, c, c] (bilinear): a smooth field.
at::Tensor smooth_field(int64_t batch, int64_t channels, int64_t c, at::Generator& gen, const at::TensorOptions& to) {
  const at::Tensor coarse = at::randn({batch, channels, 4, 4}, gen).to(to.device(), to.dtype());
  return at::upsample_bilinear2d(coarse, {c, c}, /*align_corners=*/true);
}

}  // namespace

void AugmentOptions::validate() const {
  for (auto [name, v] : {std::pair<const char*, double>{"contrast", contrast}, {"bias", bias}, {"deform", deform}, {"noise", noise}})
    if (!std::isfinite(v) || v < 0) fail(ErrorKind::kInvalidArgument, std::string("augmentation: ") + name + " must be finite and >= 0");
  if (bands < 1) fail(ErrorKind::kInvalidArgument, "augmentation: at least one contrast band");
}

at::Tensor augment(const at::Tensor& crops, const AugmentOptions& o, at::Generator& gen) {
  o.validate();
  if (crops.dim() != 4 || crops.size(1) != 1 || crops.size(2) != crops.size(3))
    fail(ErrorKind::kInvalidArgument, "augmentation: crops must be [B, 1, c, c]");
  if (!o.any()) return crops;
  const int64_t B = crops.size(0), c = crops.size(2);
  const auto to = crops.options();
  at::Tensor x = crops;
  if (o.contrast > 0) {
    // Knots at k / bands; each band's rise is exp(slope), cumulated and normalised to end at 1.
    const at::Tensor slopes = at::exp((at::rand({B, o.bands}, gen) * 2 - 1) * o.contrast).to(to.device(), to.dtype());
    const at::Tensor rises = slopes / slopes.sum(1, true);
    const at::Tensor knots = at::cat({at::zeros({B, 1}, to), rises.cumsum(1)}, 1);  // [B, bands + 1]
    const at::Tensor pos = (x.clamp(0, 1) * double(o.bands)).view({B, -1});
    const at::Tensor band = pos.floor().clamp(0, double(o.bands - 1)).to(at::kLong);
    const at::Tensor frac = pos - band.to(to.dtype());
    const at::Tensor low = knots.gather(1, band), high = knots.gather(1, band + 1);
    x = (low + frac * (high - low)).view_as(crops);
  }
  if (o.bias > 0) x = x * at::exp(o.bias * smooth_field(B, 1, c, gen, to));
  if (o.deform > 0) {
    // grid_sample's coordinates run over [-1, 1] across c pixels: a pixel is 2 / c.
    const at::Tensor d = smooth_field(B, 2, c, gen, to) * (o.deform * 2.0 / double(c));
    const at::Tensor ramp = at::linspace(-1, 1, c, to);
    const at::Tensor gx = ramp.view({1, 1, c}).expand({B, c, c}), gy = ramp.view({1, c, 1}).expand({B, c, c});
    const at::Tensor grid = at::stack({gx + d.select(1, 0), gy + d.select(1, 1)}, 3);  // [B, c, c, 2] as (x, y)
    x = at::grid_sampler(x, grid, /*bilinear*/ 0, /*border*/ 1, /*align_corners=*/true);
  }
  if (o.noise > 0) x = x + o.noise * at::randn(x.sizes(), gen).to(to.device(), to.dtype());
  return x.clamp(0, 1);
}

}  // namespace qs::mri
