// mri train-ldm: LDPM's latent denoiser on the latents of the split's training crops, conditioned
// on the sketch's latent, with the trained VAE (--vae vae.pt) and sketch (--sketch sketch.pt)
// frozen; writes unet.pt for the sampler.
#include <cstdio>

#include "app/cli/mri/mri_common.h"
#include "app/cli/mri/mri_training.h"
#include "core/common/error.h"
#include "core/mri/diffusion/ldm_trainer.h"

namespace qs::cli::mri {

int cmd_train_ldm(int argc, char** argv) {
  Args a(argc, argv, 3, training_options({"--vae", "--sketch", "--base", "--levels", "--masks", "--accels", "--eval-accel"}), training_flags(), {});
  if (!a.has("--vae") || !a.has("--sketch")) fail(ErrorKind::kInvalidArgument, "mri train-ldm needs --vae vae.pt (train-vae) and --sketch sketch.pt (train-sketch)");
  const SplitVolume sv = read_split_volume(a, "train-ldm");
  qs::mri::Vae vae = qs::mri::load_vae(a.get("--vae"));
  qs::mri::LatentUnet sketch = qs::mri::load_unet(a.get("--sketch"));
  qs::mri::UnetConfig c;
  c.latent_channels = vae->config().latent_channels;
  c.base_channels = a.get_ll_in("--base", 64, 4, 1024);
  c.levels = a.get_ll_in("--levels", 3, 1, 5);
  c.groups = std::min<int64_t>(8, c.base_channels);
  c.channel_mult.clear();
  // x1, x2, x2, ...: the deeper levels stay at twice the base so that unet.pt stays under the
  // 16 MiB a file may have to come back from the GPU machine.
  for (int64_t i = 0; i < c.levels; ++i) c.channel_mult.push_back(i == 0 ? 1 : 2);
  TrainingLoop l = training_loop(a, "train-ldm", 2000, 250);
  qs::mri::LdmTrainer t(c, slice_train_options(a, 2e-4), training_mask_choices(a), vae, sketch, 1000, sv.slices, sv.split.train(), sv.split.heldout());
  qs::mri::MaskSpec eval;
  eval.type = "random", eval.acceleration = a.get_double_in("--eval-accel", 8, 1, 64), eval.seed = 1;
  l.eval_columns = "heldout_eps_loss";
  l.evaluate = [&] {
    const double h = t.heldout_loss(eval);
    char cells[32], text[64];
    std::snprintf(cells, sizeof cells, "%.5f", h);
    std::snprintf(text, sizeof text, "held-out eps loss %.5f", h);
    return std::make_pair(std::string(cells), std::string(text));
  };
  l.save_weights = [&] { qs::mri::save_unet(t.net(), l.out_dir + "/unet.pt"); };
  return run_training(a, l, t);
}

}  // namespace qs::cli::mri
