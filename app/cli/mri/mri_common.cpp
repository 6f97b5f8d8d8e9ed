#include "app/cli/mri/mri_common.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <tuple>

#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/common/memory_budget.h"
#include "core/common/output_guard.h"
#include "core/mri/simulate.h"

namespace qs::cli::mri {

at::Tensor select_slices(const at::Tensor& x, const std::string& range) {
  if (range.empty()) return x;
  const int64_t n = x.size(0);
  long long a = 0, b = 0;
  char extra = 0;
  if (std::sscanf(range.c_str(), "%lld:%lld%c", &a, &b, &extra) == 2) {
  } else if (std::sscanf(range.c_str(), "%lld%c", &a, &extra) == 1) {
    b = a + 1;
  } else {
    fail(ErrorKind::kInvalidArgument, "--slices expects A:B or A, got '" + range + "'");
  }
  if (a < 0 || b > n || a >= b)
    fail(ErrorKind::kInvalidArgument, "--slices " + range + " is outside the volume's " + std::to_string(n) + " slices");
  return x.slice(0, a, b);
}

std::pair<int64_t, int64_t> parse_size(const std::string& text, const std::string& option) {
  long long h = 0, w = 0;
  char extra = 0;
  if (std::sscanf(text.c_str(), "%lldx%lld%c", &h, &w, &extra) == 2 && h > 0 && w > 0 && h <= 65536 && w <= 65536) return {h, w};
  if (std::sscanf(text.c_str(), "%lld%c", &h, &extra) == 1 && h > 0 && h <= 65536) return {h, h};
  fail(ErrorKind::kInvalidArgument, option + " expects HxW (or N for NxN), got '" + text + "'");
}

qs::mri::Scan simulate_from_args(const Args& a, const qs::mri::Volume& volume, uint64_t phase_seed) {
  at::Tensor img = select_slices(volume.data, a.get("--slices"));
  qs::mri::SimulationOptions o;
  o.coils = int(a.get_ll_in("--coils", 1, 1, 128));
  o.phase = a.flag("--phase");
  o.seed = phase_seed;
  int64_t h = img.size(-2), w = img.size(-1);
  if (a.has("--crop")) std::tie(h, w) = parse_size(a.get("--crop"), "--crop");
  // k-space (complex64) per coil plus the sensitivity maps and FFT temporaries, checked before
  // the crop or pad allocates anything.
  const double slices = double(img.numel()) / double(img.size(-2) * img.size(-1));
  require_within_budget(slices * double(h) * double(w) * double(o.coils) * 8.0 * 4.0,
                        "simulating " + std::to_string(o.coils) + " coil(s) of " + std::to_string(int64_t(slices)) + " x " + std::to_string(h) + " x " + std::to_string(w));
  if (a.has("--crop")) img = qs::mri::center_crop_or_pad(img, h, w);
  return qs::mri::simulate_scan(img.contiguous(), o);
}

std::vector<double> accelerations_from_args(const Args& a, const std::string& default_list) {
  std::vector<double> accels;
  for (const auto& s : split_list(a.get("--accels", default_list))) {
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (s.empty() || *end || !(v >= 1.0 && v <= 1024.0)) fail(ErrorKind::kInvalidArgument, "--accels expects accelerations of 1 to 1024, got '" + s + "'");
    accels.push_back(v);
  }
  return accels;
}

qs::mri::MaskSpec mask_spec_from_args(const Args& a, const std::string& prefix) {
  qs::mri::MaskSpec s;
  s.type = a.get("--" + prefix + "type", "random");
  s.acceleration = a.get_double_in("--accel", 4.0, 1.0, 1024.0);
  s.center_fraction = a.get_double_in("--center", -1.0, 0.0, 1.0);
  const long long seed = a.get_ll("--seed", 0);
  if (seed < 0) fail(ErrorKind::kInvalidArgument, "--seed must be >= 0");
  s.seed = static_cast<uint64_t>(seed);
  return s;
}

qs::mri::ReconOptions recon_options_from_args(const Args& a, const std::string& method) {
  qs::mri::ReconOptions o;
  for (const auto& kv : a.all("-o")) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) fail(ErrorKind::kInvalidArgument, "-o expects NAME=VALUE, got '" + kv + "'");
    std::string name = kv.substr(0, eq);
    // "cs-tv.lambda=..." applies to one method only (mri compare runs several).
    if (const auto dot = name.find('.'); dot != std::string::npos) {
      if (name.substr(0, dot) != method) continue;
      name = name.substr(dot + 1);
    }
    o.set(name, kv.substr(eq + 1));
  }
  if (method != "zero-filled")
    for (const char* shortcut : {"lambda", "iters", "rho"})
      if (a.has(std::string("--") + shortcut) && !(std::string(shortcut) == "rho" && method != "cs-tv"))
        o.set(shortcut, a.get(std::string("--") + shortcut));
  return o;
}

at::Tensor magnitude(const at::Tensor& x) { return (x.is_complex() ? at::abs(x) : x).to(at::kCPU, at::kFloat); }

void print_metrics(const qs::mri::VolumeMetrics& m, bool per_slice) {
  char line[160];
  if (per_slice) {
    std::printf("%6s %12s %10s %10s\n", "slice", "NMSE", "PSNR", "SSIM");
    for (size_t i = 0; i < m.slices.size(); ++i)
      std::printf("%6zu %12.6g %10.4f %10.6f\n", i, m.slices[i].nmse, m.slices[i].psnr, m.slices[i].ssim);
  }
  std::snprintf(line, sizeof line, "volume: NMSE %.6g  PSNR %.4f dB  SSIM %.6f  (data range %.6g, %zu slices)", m.nmse, m.psnr, m.ssim,
                m.data_range, m.slices.size());
  std::cout << line << std::endl;
}

void write_metrics_csv(const std::string& path, const qs::mri::VolumeMetrics& m, bool force) {
  std::ostringstream f;
  f.precision(10);
  f << "slice,nmse,psnr,ssim\n";
  for (size_t i = 0; i < m.slices.size(); ++i) f << i << "," << m.slices[i].nmse << "," << m.slices[i].psnr << "," << m.slices[i].ssim << "\n";
  f << "volume," << m.nmse << "," << m.psnr << "," << m.ssim << "\n";
  write_file_atomically(path, f.str(), force);
}

}  // namespace qs::cli::mri
