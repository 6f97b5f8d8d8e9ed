// mri eval-vae: a trained VAE's round trip on the slices of any volume (the issue's "VAE
// round-trip PSNR of both VAEs on held-out slices": the MR-VAE and the natural-image VAE are
// scored on the same MRI slices, neither of which either trained on).
#include <cstdio>

#include "app/cli/mri/mri_common.h"
#include "core/common/device.h"
#include "core/common/error.h"
#include "core/mri/diffusion/vae.h"
#include "core/mri/io/volume_io.h"

namespace qs::cli::mri {

int cmd_eval_vae(int argc, char** argv) {
  Args a(argc, argv, 3, {"--vae", "--slices", "--device"}, {}, {});
  if (a.positional().size() != 1 || !a.has("--vae")) fail(ErrorKind::kInvalidArgument, "mri eval-vae VOL --vae vae.pt [--slices A:B] [--device cpu|cuda]");
  const at::Device device = parse_device(a.get("--device", "cpu"));
  qs::mri::Vae vae = qs::mri::load_vae(a.get("--vae"));
  vae->to(device);
  vae->eval();
  const qs::mri::Volume v = qs::mri::read_volume(a.positional()[0]);
  at::Tensor all = (v.data.is_complex() ? at::abs(v.data) : v.data).to(at::kFloat);
  if (all.dim() != 3) fail(ErrorKind::kInvalidArgument, "mri eval-vae: '" + a.positional()[0] + "' is not a (S, H, W) magnitude volume");
  const double peak = all.max().item<double>();
  if (!(peak > 0)) fail(ErrorKind::kInvalidArgument, "mri eval-vae: '" + a.positional()[0] + "' is empty (its maximum is not positive)");
  // As the trainers see slices: scaled to [0, 1] by the volume's maximum, centre crops whose
  // sides are multiples of the downsampling.
  const at::Tensor x = select_slices(all / peak, a.get("--slices", ""));
  const int64_t f = vae->config().downsampling(), h = x.size(1) / f * f, w = x.size(2) / f * f;
  const at::Tensor images = x.narrow(1, (x.size(1) - h) / 2, h).narrow(2, (x.size(2) - w) / 2, w).unsqueeze(1).to(device);
  const qs::mri::VolumeMetrics m = qs::mri::round_trip_metrics(vae, images);
  std::printf("| vae | slices | PSNR dB | SSIM | NMSE |\n|---|---:|---:|---:|---:|\n| %s | %lld | %.2f | %.4f | %.5f |\n", a.get("--vae").c_str(),
              (long long)images.size(0), m.psnr, m.ssim, m.nmse);
  return 0;
}

}  // namespace qs::cli::mri
