// mri train-vae: LDPM's VAE on the training slices of a split file, with a resumable checkpoint,
// the loss curve, the held-out round-trip metrics, and the weights (vae.pt, with the latent scale
// the diffusion prior uses) for the sampler.
#include <cstdio>
#include <iostream>

#include "app/cli/mri/mri_common.h"
#include "app/cli/mri/mri_training.h"
#include "core/mri/diffusion/vae_trainer.h"

namespace qs::cli::mri {

int cmd_train_vae(int argc, char** argv) {
  Args a(argc, argv, 3, training_options({"--kl", "--ssim", "--kspace", "--base", "--latent"}), training_flags(), {});
  const SplitVolume sv = read_split_volume(a, "train-vae");
  qs::mri::VaeConfig c;
  c.base_channels = a.get_ll_in("--base", 32, 4, 512);
  c.latent_channels = a.get_ll_in("--latent", 4, 1, 64);
  c.groups = std::min<int64_t>(8, c.base_channels);
  qs::mri::VaeTrainOptions o;
  static_cast<qs::mri::SliceTrainOptions&>(o) = slice_train_options(a, 2e-4);
  o.loss.kl = a.get_double_in("--kl", o.loss.kl, 0, 1);
  o.loss.ssim = a.get_double_in("--ssim", o.loss.ssim, 0, 100);
  o.loss.kspace = a.get_double_in("--kspace", o.loss.kspace, 0, 100);
  TrainingLoop l = training_loop(a, "train-vae", 1000, 200);
  qs::mri::VaeTrainer t(c, o, sv.slices, sv.split.train(), sv.split.heldout());
  l.eval_columns = "heldout_psnr,heldout_ssim";
  l.evaluate = [&] {
    const auto m = t.evaluate();
    char cells[64], text[96];
    std::snprintf(cells, sizeof cells, "%.3f,%.4f", m.psnr, m.ssim);
    std::snprintf(text, sizeof text, "held-out round trip PSNR %.2f dB SSIM %.4f", m.psnr, m.ssim);
    return std::make_pair(std::string(cells), std::string(text));
  };
  l.save_weights = [&] {
    std::cout << "latent scale " << t.set_latent_scale_from_training(256) << "\n";
    qs::mri::save_vae(t.vae(), l.out_dir + "/vae.pt");
  };
  return run_training(a, l, t);
}

}  // namespace qs::cli::mri
