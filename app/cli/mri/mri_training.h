// What `mri train-vae`, `train-sketch` and `train-ldm` share: the volume and its split (the split
// names the held-out slices training never sees), the common options, the output folder with its
// checkpoint and loss curve, and the loop (progress, evaluation every N steps, Ctrl-C keeps a
// resumable checkpoint, --resume continues it).
#pragma once
#include <functional>
#include <set>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "app/cli/args.h"
#include "core/mri/diffusion/slice_split.h"
#include "core/mri/diffusion/slice_trainer.h"
#include "core/mri/mask.h"

namespace qs::cli::mri {

// The options every training command takes plus its own, for its Args.
std::set<std::string> training_options(std::set<std::string> own);
std::set<std::string> training_flags();

struct SplitVolume {
  at::Tensor slices;  // (S, H, W) real magnitudes
  qs::mri::SliceSplit split;
};
SplitVolume read_split_volume(const Args& a, const std::string& command);

// --batch, --crop, --lr (default_lr), --seed, --device.
qs::mri::SliceTrainOptions slice_train_options(const Args& a, double default_lr);
// --masks random,equispaced and --accels 4,8 (the training masks).
std::vector<qs::mri::MaskSpec> training_mask_choices(const Args& a);

struct TrainingLoop {
  std::string command, out_dir, checkpoint, curve;
  int64_t steps = 0, eval_every = 0;
  double max_minutes = 1e9;  // --max-minutes: stop (weights saved, exit 0) once training has run this long
  std::string eval_columns;  // CSV header cells of the evaluation ("heldout_psnr,heldout_ssim")
  std::function<std::pair<std::string, std::string>()> evaluate;  // (CSV cells, printed text)
  std::function<void()> save_weights;  // the files the sampler reads
};

// --out DIR (checkpoint.pt, loss.csv inside), --steps, --eval-every, --max-minutes; refuses an existing
// checkpoint without --resume or --force.
TrainingLoop training_loop(const Args& a, const std::string& command, int64_t default_steps, int64_t default_eval_every);
// Returns the exit status: 0, or 130 when interrupted (the checkpoint is saved either way).
int run_training(const Args& a, TrainingLoop& loop, qs::mri::NetworkTrainer& trainer);

}  // namespace qs::cli::mri
