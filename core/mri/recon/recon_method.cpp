#include "core/mri/recon/recon_method.h"

#include <cstdio>

#include <cmath>
#include <set>

#include "core/common/error.h"
#include "core/mri/fft.h"
#include "core/mri/simulate.h"
#include "core/mri/volume.h"

namespace qs::mri {

namespace {

double parse_number(const std::string& name, const std::string& v) {
  try {
    size_t used = 0;
    const double d = std::stod(v, &used);
    if (used != v.size() || !std::isfinite(d)) throw std::invalid_argument(v);
    return d;
  } catch (const std::exception&) {
    fail(ErrorKind::kInvalidArgument, "option " + name + "=" + v + " is not a number");
  }
}

}  // namespace

double ReconOptions::number(const std::string& name, double def) const {
  auto it = values_.find(name);
  return it == values_.end() ? def : parse_number(name, it->second);
}

double ReconOptions::number_at_least(const std::string& name, double def, double min) const {
  const double v = number(name, def);
  if (!(v >= min)) fail(ErrorKind::kInvalidArgument, "option " + name + "=" + values_.at(name) + " must be at least " + std::to_string(min));
  return v;
}

long long ReconOptions::integer(const std::string& name, long long def) const {
  auto it = values_.find(name);
  if (it == values_.end()) return def;
  const double d = parse_number(name, it->second);
  if (d != std::floor(d) || d < 0 || d > 1e9) fail(ErrorKind::kInvalidArgument, "option " + name + "=" + it->second + " must be a non-negative integer");
  return static_cast<long long>(d);
}

std::string ReconOptions::text(const std::string& name, const std::string& def) const {
  auto it = values_.find(name);
  return it == values_.end() ? def : it->second;
}

Registry<ReconFactory>& recon_registry() {
  static Registry<ReconFactory> registry;
  return registry;
}

std::vector<std::string> recon_methods() { return recon_registry().names(); }

at::Tensor run_recon(const std::string& method, const ReconProblem& p, const ReconOptions& options, const ProgressFn& progress,
                     const CancelToken& cancel) {
  const auto instance = recon_registry().get(method).factory();
  std::set<std::string> known;
  std::string list;
  for (const auto& o : instance->options()) known.insert(o.name), list += (list.empty() ? "" : ", ") + o.name;
  for (const auto& [name, value] : options.values())
    if (!known.count(name)) fail(ErrorKind::kInvalidArgument, "method " + method + " has no option '" + name + "' (it has: " + (list.empty() ? "none" : list) + ")");
  if (!p.kspace.defined() || p.kspace.dim() != 4 || !p.kspace.is_complex())
    fail(ErrorKind::kInvalidArgument, "reconstruction needs complex k-space (S, C, H, W)");
  if (!p.mask.defined() || p.mask.dim() != 2 || p.mask.size(0) != p.kspace.size(2) || p.mask.size(1) != p.kspace.size(3))
    fail(ErrorKind::kInvalidArgument, "mask " + (p.mask.defined() ? shape_string(p.mask) : std::string("(none)")) + " does not match k-space slices " +
                                          std::to_string(p.kspace.size(2)) + " x " + std::to_string(p.kspace.size(3)));
  check_finite(p.kspace, "k-space");
  // Iterates shrink towards zero in the thresholded bands: subnormal floats there cost ~100x per
  // operation on x86 CPUs (measured: cs-wavelet at 4x took 3.3 s per slice instead of 0.7).
  // Flush them to zero on this thread; values below 1e-38 do not matter to an image.
  at::globalContext().setFlushDenormal(true);
  at::Tensor image = instance->reconstruct(p, options, progress, cancel);
  // Finite input can still overflow float32 on the way (k-space near 3e38): never report success
  // with an image of NaN/Inf.
  if (image.defined() && !at::isfinite(image.is_complex() ? at::view_as_real(image) : image).all().item<bool>()) {
    const double kmax = at::abs(p.kspace).max().item<double>();
    char buf[96];
    std::snprintf(buf, sizeof buf, " (the largest k-space magnitude is %.3g; float32 overflows near 3.4e38)", kmax);
    fail(ErrorKind::kFormat, method + " produced NaN/Inf values from finite k-space" + std::string(buf));
  }
  return image;
}

SenseOperator sense_operator_for(const ReconProblem& p) {
  if (!p.multicoil) return SenseOperator(p.mask, at::Tensor());
  return SenseOperator(p.mask, p.coil_maps.defined() ? p.coil_maps : estimate_coil_maps(p.kspace, p.mask));
}

double data_scale(const ReconProblem& p, double scale) {
  if (scale > 0) return scale;
  const at::Tensor zf = rss(ifft2c(p.kspace), 1);
  at::Tensor flat = zf.flatten().to(at::kFloat);
  if (flat.numel() > (1 << 24)) flat = flat.slice(0, 0, flat.numel(), flat.numel() / (1 << 23));
  const double q = at::quantile(flat, 0.99).item<double>();
  return q > 0 ? q : 1.0;
}

}  // namespace qs::mri
