#include "core/mri/mask.h"

#include <algorithm>
#include <cfenv>
#include <cmath>
#include <random>
#include <vector>

#include "core/common/error.h"
#include "core/mri/volume.h"

namespace qs::mri {

double default_center_fraction(double acceleration) {
  if (acceleration == 4.0) return 0.08;
  if (acceleration == 8.0) return 0.04;
  return 0.32 / acceleration;  // the same product as fastMRI's two standard pairs
}

int64_t center_line_count(int64_t width, double center_fraction) {
  std::fesetround(FE_TONEAREST);  // nearbyint then rounds halves to even, as Python's round
  return static_cast<int64_t>(std::nearbyint(static_cast<double>(width) * center_fraction));
}

int64_t center_start(int64_t width, int64_t n_low) { return (width - n_low + 1) / 2; }

namespace {

void check_spec(const MaskSpec& s, int64_t h, int64_t w) {
  if (h <= 0 || w <= 0) fail(ErrorKind::kInvalidArgument, "mask shape must be positive");
  if (!(s.acceleration >= 1.0) || !std::isfinite(s.acceleration))
    fail(ErrorKind::kInvalidArgument, "acceleration must be a finite number >= 1");
  if (!(s.center_fraction >= 0.0 && s.center_fraction <= 1.0))
    fail(ErrorKind::kInvalidArgument, "centre fraction must lie in [0, 1]");
}

std::vector<float> random_columns(const MaskSpec& s, int64_t w, std::mt19937_64& rng) {
  const int64_t n_low = center_line_count(w, s.center_fraction);
  std::vector<float> cols(w, 0.f);
  if (n_low < w) {
    const double prob = (static_cast<double>(w) / s.acceleration - n_low) / static_cast<double>(w - n_low);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    for (int64_t c = 0; c < w; ++c) cols[c] = u(rng) < prob ? 1.f : 0.f;
  }
  const int64_t pad = center_start(w, n_low);
  for (int64_t c = pad; c < pad + n_low; ++c) cols[c] = 1.f;
  return cols;
}

std::vector<float> equispaced_columns(const MaskSpec& s, int64_t w, std::mt19937_64& rng) {
  const int64_t n_low = center_line_count(w, s.center_fraction);
  const int64_t r = static_cast<int64_t>(std::llround(s.acceleration));
  if (std::fabs(s.acceleration - static_cast<double>(r)) > 1e-9)
    fail(ErrorKind::kInvalidArgument, "equispaced masks need an integer acceleration");
  std::vector<float> cols(w, 0.f);
  const int64_t offset = std::uniform_int_distribution<int64_t>(0, r - 1)(rng);
  for (int64_t c = offset; c < w; c += r) cols[c] = 1.f;
  const int64_t pad = center_start(w, n_low);
  for (int64_t c = pad; c < pad + n_low; ++c) cols[c] = 1.f;
  return cols;
}

// Exactly round(H W / R) points: a fully sampled centre square (side sqrt(fraction) of each
// axis) plus points drawn without replacement with Gaussian weights around DC
// (Efraimidis-Spirakis keys u^(1/w), the largest win).
at::Tensor gaussian2d(const MaskSpec& s, int64_t h, int64_t w, std::mt19937_64& rng) {
  const int64_t total = h * w;
  const int64_t target = std::min<int64_t>(total, std::llround(static_cast<double>(total) / s.acceleration));
  const double side = std::sqrt(s.center_fraction);
  const int64_t ch = std::max<int64_t>(1, std::llround(h * side)), cw = std::max<int64_t>(1, std::llround(w * side));
  const int64_t y0 = center_start(h, ch), x0 = center_start(w, cw);
  std::vector<float> m(total, 0.f);
  int64_t taken = 0;
  for (int64_t y = y0; y < y0 + ch; ++y)
    for (int64_t x = x0; x < x0 + cw; ++x) m[y * w + x] = 1.f, ++taken;
  std::vector<std::pair<double, int64_t>> keys;
  keys.reserve(total);
  std::uniform_real_distribution<double> u(1e-300, 1.0);
  const double sy = 0.25 * h, sx = 0.25 * w;  // std. dev. a quarter of each axis
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x) {
      if (m[y * w + x] != 0.f) continue;
      const double dy = (y - h / 2) / sy, dx = (x - w / 2) / sx;
      const double weight = std::exp(-0.5 * (dy * dy + dx * dx)) + 1e-12;
      keys.emplace_back(std::log(u(rng)) / weight, y * w + x);
    }
  const int64_t need = std::max<int64_t>(0, target - taken);
  const int64_t k = std::min<int64_t>(need, static_cast<int64_t>(keys.size()));
  std::partial_sort(keys.begin(), keys.begin() + k, keys.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (int64_t i = 0; i < k; ++i) m[keys[i].second] = 1.f;
  return at::from_blob(m.data(), {h, w}, at::kFloat).clone();
}

}  // namespace

at::Tensor make_mask(const MaskSpec& spec_in, int64_t height, int64_t width) {
  MaskSpec s = spec_in;
  if (s.center_fraction < 0) s.center_fraction = default_center_fraction(s.acceleration);
  check_spec(s, height, width);
  std::mt19937_64 rng(s.seed);
  if (s.type == "gaussian2d") return gaussian2d(s, height, width, rng);
  std::vector<float> cols;
  if (s.type == "random") cols = random_columns(s, width, rng);
  else if (s.type == "equispaced") cols = equispaced_columns(s, width, rng);
  else fail(ErrorKind::kInvalidArgument, "unknown mask type '" + s.type + "' (random, equispaced, gaussian2d)");
  return at::from_blob(cols.data(), {1, width}, at::kFloat).clone().expand({height, width}).contiguous();
}

at::Tensor expand_mask(const at::Tensor& mask, int64_t height, int64_t width, const at::Device& device) {
  if (!mask.defined()) fail(ErrorKind::kInvalidArgument, "no mask given");
  at::Tensor m = mask.is_complex() ? at::abs(mask) : mask;
  m = m.to(device).ne(0);
  if (m.dim() == 1) {
    if (m.size(0) != width)
      fail(ErrorKind::kInvalidArgument, "mask has " + std::to_string(m.size(0)) + " columns but k-space has W = " + std::to_string(width));
    return m.view({1, width}).expand({height, width});
  }
  if (m.dim() == 2 && m.size(0) == 1 && m.size(1) == width) return m.expand({height, width});
  if (m.dim() != 2 || m.size(0) != height || m.size(1) != width)
    fail(ErrorKind::kInvalidArgument, "mask is " + shape_string(m) + " but k-space slices are " + std::to_string(height) + " x " + std::to_string(width));
  return m;
}

at::Tensor apply_mask(const at::Tensor& kspace, const at::Tensor& mask) {
  const at::Tensor m = expand_mask(mask, kspace.size(-2), kspace.size(-1), kspace.device());
  return at::where(m, kspace, at::zeros({}, kspace.options()));
}

double sampled_fraction(const at::Tensor& mask) { return mask.ne(0).to(at::kDouble).mean().item<double>(); }

}  // namespace qs::mri
