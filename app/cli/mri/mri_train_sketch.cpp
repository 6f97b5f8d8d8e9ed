// mri train-sketch: LDPM's fidelity network (zero-filled -> sketch) on undersampled crops of the
// split's training slices; evaluation on the held-out slices at one fixed mask (--eval-accel,
// random); writes sketch.pt for the sampler.
#include <cstdio>

#include "app/cli/mri/mri_common.h"
#include "app/cli/mri/mri_training.h"
#include "core/mri/diffusion/sketch_trainer.h"

namespace qs::cli::mri {

int cmd_train_sketch(int argc, char** argv) {
  Args a(argc, argv, 3, training_options({"--base", "--levels", "--masks", "--accels", "--eval-accel"}), training_flags(), {});
  const SplitVolume sv = read_split_volume(a, "train-sketch");
  const int64_t base = a.get_ll_in("--base", 32, 4, 512);
  const qs::mri::UnetConfig c = qs::mri::sketch_config(base, a.get_ll_in("--levels", 3, 1, 5), std::min<int64_t>(8, base));
  TrainingLoop l = training_loop(a, "train-sketch", 1000, 200);
  qs::mri::SketchTrainer t(c, slice_train_options(a, 1e-3), training_mask_choices(a), sv.slices, sv.split.train(), sv.split.heldout());
  qs::mri::MaskSpec eval;
  eval.type = "random", eval.acceleration = a.get_double_in("--eval-accel", 8, 1, 64), eval.seed = 1;
  l.eval_columns = "heldout_zf_psnr,heldout_sketch_psnr,heldout_sketch_ssim";
  l.evaluate = [&] {
    const auto e = t.evaluate(eval);
    char cells[64], text[128];
    std::snprintf(cells, sizeof cells, "%.3f,%.3f,%.4f", e.zero_filled.psnr, e.sketch.psnr, e.sketch.ssim);
    std::snprintf(text, sizeof text, "held-out %gx: zero-filled %.2f dB, sketch %.2f dB SSIM %.4f", eval.acceleration, e.zero_filled.psnr, e.sketch.psnr, e.sketch.ssim);
    return std::make_pair(std::string(cells), std::string(text));
  };
  l.save_weights = [&] { qs::mri::save_unet(t.net(), l.out_dir + "/sketch.pt"); };
  return run_training(a, l, t);
}

}  // namespace qs::cli::mri
