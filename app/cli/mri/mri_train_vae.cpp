// mri train-vae: LDPM's VAE on the training slices of a split file, with a resumable checkpoint,
// the loss curve, the held-out round-trip metrics, and the weights for the sampler.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "app/cli/mri/mri_common.h"
#include "app/cli/signals.h"
#include "core/common/atomic_file.h"
#include "core/common/cancel.h"
#include "core/common/device.h"
#include "core/common/error.h"
#include "core/mri/diffusion/slice_split.h"
#include "core/mri/diffusion/vae_trainer.h"
#include "core/mri/io/volume_io.h"

namespace qs::cli::mri {

int cmd_train_vae(int argc, char** argv) {
  Args a(argc, argv, 3, {"--split", "--out", "--steps", "--batch", "--crop", "--lr", "--kl", "--seed", "--device", "--base", "--latent", "--eval-every"},
         {"--resume", "--force"}, {});
  if (a.positional().size() != 1 || !a.has("--split") || !a.has("--out"))
    fail(ErrorKind::kInvalidArgument, "mri train-vae VOL --split SPLIT.json --out DIR (the split names the held-out slices it never trains on)");
  const std::string out = a.get("--out"), ckpt = out + "/checkpoint.pt", weights = out + "/vae.pt", curve = out + "/loss.csv";
  const qs::mri::SliceSplit split = qs::mri::read_slice_split(a.get("--split"));
  if (split.axis != "axial") fail(ErrorKind::kUnsupported, "train-vae: only axial splits are read so far");
  const qs::mri::Volume v = qs::mri::read_volume(a.positional()[0]);
  if (v.data.size(0) != split.slices)
    fail(ErrorKind::kInvalidArgument, "'" + a.get("--split") + "' describes " + std::to_string(split.slices) + " slices, the volume has " + std::to_string(v.data.size(0)));
  qs::mri::VaeConfig c;
  c.base_channels = a.get_ll_in("--base", 32, 4, 512);
  c.latent_channels = a.get_ll_in("--latent", 4, 1, 64);
  c.groups = std::min<int64_t>(8, c.base_channels);
  qs::mri::VaeTrainOptions o;
  const int64_t steps = a.get_ll_in("--steps", 1000, 1, 100000000), eval_every = a.get_ll_in("--eval-every", 200, 1, 100000000);
  o.batch = a.get_ll_in("--batch", 16, 1, 4096);
  o.crop = a.get_ll_in("--crop", 64, 4, 4096);
  o.lr = a.get_double_in("--lr", 2e-4, 1e-9, 1);
  o.kl_weight = a.get_double_in("--kl", 1e-6, 0, 1);
  o.seed = uint64_t(a.get_ll_in("--seed", 1, 0, int64_t(1) << 62));
  o.device = parse_device(a.get("--device", "cpu"));
  if (!a.flag("--resume") && std::filesystem::exists(ckpt) && !a.flag("--force"))
    fail(ErrorKind::kInvalidArgument, "'" + ckpt + "' exists: pass --resume to continue it or --force to start over");
  create_parent_folders(ckpt);
  check_writable_target(curve, true);
  const at::Tensor slices = v.data.is_complex() ? at::abs(v.data) : v.data;
  qs::mri::VaeTrainer t(c, o, slices, split.train(), split.heldout());
  if (a.flag("--resume") && std::filesystem::exists(ckpt)) t.load_checkpoint(ckpt), std::cout << "resumed at step " << t.steps_done() << "\n";
  std::string csv = "step,loss,heldout_psnr,heldout_ssim\n";
  CancelToken cancel;
  install_interrupt(cancel);
  while (t.steps_done() < steps && !cancel.cancelled()) {
    const double loss = t.step();
    const int64_t s = t.steps_done();
    std::string held;
    if (s % eval_every == 0 || s == steps) {
      const auto m = t.evaluate();
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.3f,%.4f", m.psnr, m.ssim);
      held = buf;
      std::printf("step %lld/%lld  loss %.5f  held-out round trip PSNR %.2f dB SSIM %.4f\n", (long long)s, (long long)steps, loss, m.psnr, m.ssim);
    } else if (s % 10 == 0) {
      std::printf("step %lld/%lld  loss %.5f\n", (long long)s, (long long)steps, loss);
    }
    std::fflush(stdout);
    csv += std::to_string(s) + "," + std::to_string(loss) + "," + (held.empty() ? "," : held) + "\n";
  }
  t.save_checkpoint(ckpt);
  write_file_atomically(curve, csv, true);
  qs::mri::save_vae(t.vae(), weights);
  if (cancel.cancelled()) {
    std::cout << "stopped at step " << t.steps_done() << "; --resume continues it\n";
    return 130;
  }
  std::cout << "wrote " << weights << ", " << ckpt << " and " << curve << "\n";
  return 0;
}

}  // namespace qs::cli::mri
