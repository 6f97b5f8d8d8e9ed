// mri compare: several methods x accelerations x mask types on one volume, one metrics table
// (markdown on stdout, CSV on request). A volume is simulated single-coil (or --coils N);
// a fastMRI file is used as it is (its fully sampled k-space and target), an image-only .h5 is a
// volume.
#include <cstdio>
#include <sstream>
#include <fstream>
#include <iostream>

#include "app/cli/mri/mri_common.h"
#include "app/cli/signals.h"
#include "core/common/device.h"
#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/common/output_guard.h"
#include "core/common/timer.h"
#include "core/mri/io/fastmri_h5.h"
#include "core/mri/io/volume_io.h"
#include "core/mri/simulate.h"
#include "core/mri/study.h"

namespace qs::cli::mri {

namespace {

struct Row {
  std::string mask, method;
  double accel, sampled, seconds_per_slice;
  qs::mri::VolumeMetrics m;
};

qs::mri::Scan scan_for(const Args& a, const std::string& path) {
  if (qs::mri::is_hdf5_file(path)) {
    qs::mri::Scan s = qs::mri::read_fastmri(path);
    // An image-only file (`mri convert` writes one) is a volume like any other: simulated.
    if (!s.kspace.defined() && s.target.defined()) return simulate_from_args(a, qs::mri::read_volume(path), 0);
    if (!s.kspace.defined() || !s.target.defined()) fail_format("'" + path + "' needs both kspace and a reconstruction_* target for compare");
    s.kspace = select_slices(s.kspace, a.get("--slices"));
    s.target = select_slices(s.target, a.get("--slices"));
    return s;
  }
  return simulate_from_args(a, qs::mri::read_volume(path, {a.get_ll_in("--time", 0, 0, 1 << 30)}), 0);  // --seed is the mask's here
}

}  // namespace

int cmd_compare(int argc, char** argv) {
  Args a(argc, argv, 3, {"--methods", "--accels", "--masks", "--slices", "--crop", "--coils", "--time", "-o", "--csv", "--device", "--seed", "--center",
          "--lambda", "--iters", "--rho"},
         {"--force", "--phase"}, {});
  if (a.positional().size() != 1) fail(ErrorKind::kInvalidArgument, "mri compare takes one volume or fastMRI file");
  if (a.has("--csv")) ensure_may_write(a.get("--csv"), a.flag("--force"));
  const std::vector<std::string> methods = split_list(a.get("--methods", "zero-filled,cs-wavelet,cs-tv"));
  const std::vector<std::string> masks = split_list(a.get("--masks", "random,equispaced"));
  const std::vector<double> accels = accelerations_from_args(a, "4,8");
  for (const auto& m : methods) (void)qs::mri::recon_registry().get(m);  // unknown names fail before any work
  const at::Device device = parse_device(a.get("--device", "cpu"));
  const qs::mri::Scan scan = scan_for(a, a.positional()[0]);
  const auto& k = scan.kspace;
  std::fprintf(stderr, "compare: %lld slice(s) %lld x %lld, %lld coil(s) on %s\n", (long long)k.size(0), (long long)k.size(2), (long long)k.size(3), (long long)k.size(1),
               device.str().c_str());

  std::vector<qs::mri::MaskSpec> specs;
  for (const auto& mask_type : masks)
    for (double accel : accels) {
      qs::mri::MaskSpec spec;
      spec.type = mask_type;
      spec.acceleration = accel;
      spec.center_fraction = a.get_double_in("--center", -1.0, 0.0, 1.0);
      spec.seed = static_cast<uint64_t>(a.get_ll("--seed", 0));
      specs.push_back(spec);
    }
  std::vector<qs::mri::StudyMethod> study_methods;
  for (const auto& method : methods) study_methods.push_back({method, recon_options_from_args(a, method)});
  qs::mri::StudyOptions so;
  so.device = device;
  CancelToken cancel;
  install_interrupt(cancel);
  std::string last;
  Stopwatch since_print;
  auto progress = [&](double fraction, const std::string& what) {
    const std::string head = what.substr(0, what.find(", slices"));
    if (head != last) std::fprintf(stderr, "%s%s\n", last.empty() ? "" : "\n", head.c_str()), last = head;
    if (since_print.seconds() < 0.2 && fraction < 1) return;
    since_print.restart();
    std::fprintf(stderr, "\r[%5.1f%%] %s", 100 * fraction, what.c_str());
  };
  std::vector<Row> rows;
  for (const auto& r : qs::mri::run_study(scan, specs, study_methods, so, progress, cancel))
    rows.push_back({r.mask.type, r.method, r.mask.acceleration, r.sampled_fraction, r.seconds_per_slice, r.metrics});
  std::fprintf(stderr, "\n");

  std::printf("| mask | R | sampled | method | PSNR (dB) | SSIM | NMSE | s/slice |\n|---|---:|---:|---|---:|---:|---:|---:|\n");
  for (const auto& r : rows)
    std::printf("| %s | %g | %.3f | %s | %.2f | %.4f | %.5f | %.3f |\n", r.mask.c_str(), r.accel, r.sampled, r.method.c_str(), r.m.psnr, r.m.ssim, r.m.nmse,
                r.seconds_per_slice);
  if (a.has("--csv")) {
    std::ostringstream f;
    f.precision(10);
    f << "mask,acceleration,sampled_fraction,method,psnr,ssim,nmse,seconds_per_slice\n";
    for (const auto& r : rows)
      f << r.mask << "," << r.accel << "," << r.sampled << "," << r.method << "," << r.m.psnr << "," << r.m.ssim << "," << r.m.nmse << "," << r.seconds_per_slice << "\n";
    write_file_atomically(a.get("--csv"), f.str(), a.flag("--force"));
  }

  return 0;
}

}  // namespace qs::cli::mri
