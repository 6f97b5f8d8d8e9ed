// mri eval: fastMRI's NMSE / PSNR / SSIM of a prediction against a target volume.
#include "app/cli/mri/mri_common.h"
#include "core/common/error.h"
#include "core/mri/io/volume_io.h"
#include "core/mri/simulate.h"

namespace qs::cli::mri {

int cmd_eval(int argc, char** argv) {
  Args a(argc, argv, 3, {"--target", "--pred", "--csv", "--crop", "--slices", "--time"}, {"--force", "--per-slice"}, {});
  if (!a.has("--target") || !a.has("--pred")) fail(ErrorKind::kInvalidArgument, "--target T and --pred P are required");
  at::Tensor target = magnitude(qs::mri::read_volume(a.get("--target"), {a.get_ll_in("--time", 0, 0, 1 << 30)}).data);
  at::Tensor pred = magnitude(qs::mri::read_volume(a.get("--pred"), {a.get_ll_in("--time", 0, 0, 1 << 30)}).data);
  target = select_slices(target, a.get("--slices"));
  pred = select_slices(pred, a.get("--slices"));
  if (a.has("--crop")) {
    const auto [h, w] = parse_size(a.get("--crop"), "--crop");
    target = qs::mri::center_crop(target, h, w);
    pred = qs::mri::center_crop(pred, h, w);
  }
  const qs::mri::VolumeMetrics m = qs::mri::evaluate_volume(target, pred);
  print_metrics(m, a.flag("--per-slice"));
  if (a.has("--csv")) write_metrics_csv(a.get("--csv"), m, a.flag("--force"));
  return 0;
}

}  // namespace qs::cli::mri
