// mri recon: one method on one scan; prints timing, and the fastMRI metrics when the file
// carries a fully sampled target.
#include <cstdio>
#include <iostream>

#include "app/cli/mri/mri_common.h"
#include "app/cli/signals.h"
#include "core/common/device.h"
#include "core/common/error.h"
#include "core/common/output_guard.h"
#include "core/common/timer.h"
#include "core/mri/io/cfl.h"
#include "core/mri/io/volume_io.h"
#include "core/mri/simulate.h"
#include "core/mri/fft.h"

namespace qs::cli::mri {

int cmd_recon(int argc, char** argv) {
  Args a(argc, argv, 3,
         {"--method", "--kspace", "--mask", "--mask-type", "--accel", "--center", "--seed", "--out", "--lambda", "--iters", "--rho", "-o",
          "--slices", "--crop", "--device", "--window"},
         {"--force"}, {});
  if (!a.has("--kspace")) fail(ErrorKind::kInvalidArgument, "--kspace K.h5 (or K.cfl) is required");
  if (!a.has("--out")) fail(ErrorKind::kInvalidArgument, "--out OUT is required (.nii.gz, .h5, .cfl, .png)");
  const std::string method = a.get("--method", "zero-filled");
  const std::string out = a.get("--out");
  ensure_may_write(qs::mri::is_cfl_path(out) ? qs::mri::cfl_base(out) + ".cfl" : out, a.flag("--force"));  // before the work, not after
  // Every option is read before the reconstruction runs, so a typo costs no minutes.
  std::pair<int64_t, int64_t> crop{0, 0};
  if (a.has("--crop")) crop = parse_size(a.get("--crop"), "--crop");
  qs::mri::WriteOptions wo;
  wo.force = a.flag("--force");
  char window_extra = 0;
  if (a.has("--window") && (std::sscanf(a.get("--window").c_str(), "%lf:%lf%c", &wo.window_low, &wo.window_high, &window_extra) != 2 || !(wo.window_high > wo.window_low)))
    fail(ErrorKind::kInvalidArgument, "--window expects LOW:HIGH with HIGH > LOW, got '" + a.get("--window") + "'");

  qs::mri::Scan scan = qs::mri::read_scan(a.get("--kspace"));
  const at::Device device = parse_device(a.get("--device", "cpu"));
  at::Tensor k = select_slices(scan.kspace, a.get("--slices")).to(device);
  const int64_t h = k.size(2), w = k.size(3);
  at::Tensor mask;
  if (a.has("--mask")) mask = qs::mri::read_mask(a.get("--mask"));
  else if (a.has("--mask-type")) mask = qs::mri::make_mask(mask_spec_from_args(a, "mask-"), h, w);
  else if (scan.mask.defined()) mask = scan.mask;  // a fastMRI test file: already undersampled
  else fail(ErrorKind::kInvalidArgument, "no mask: pass --mask FILE or --mask-type random|equispaced|gaussian2d --accel R");

  qs::mri::ReconProblem p;
  p.mask = qs::mri::expand_mask(mask, h, w, device);
  p.kspace = qs::mri::apply_mask(k, p.mask);
  p.multicoil = scan.multicoil;
  std::fprintf(stderr, "%s: %lld slice(s) %lld x %lld, %lld coil(s), sampled fraction %.4f (R = %.2f) on %s\n", method.c_str(), (long long)k.size(0),
               (long long)h, (long long)w, (long long)k.size(1), qs::mri::sampled_fraction(p.mask), 1.0 / qs::mri::sampled_fraction(p.mask),
               device.str().c_str());

  CancelToken cancel;
  install_interrupt(cancel);
  Stopwatch sw;
  at::Tensor image = magnitude(qs::mri::run_recon(method, p, recon_options_from_args(a, method), progress_printer("iterations"), cancel));
  const double seconds = sw.seconds();
  std::printf("%s: %.3f s (%.4f s per slice)\n", method.c_str(), seconds, seconds / static_cast<double>(k.size(0)));

  if (a.has("--crop")) image = qs::mri::center_crop(image, crop.first, crop.second);
  if (scan.target.defined() && !scan.mask.defined()) {
    const at::Tensor target = select_slices(scan.target, a.get("--slices"));
    if (target.sizes().equals(image.sizes())) print_metrics(qs::mri::evaluate_volume(target, image), false);
  }
  qs::mri::Volume v;
  v.data = image;
  qs::mri::write_volume(out, v, wo);
  std::printf("wrote %s\n", out.c_str());
  return 0;
}

}  // namespace qs::cli::mri
