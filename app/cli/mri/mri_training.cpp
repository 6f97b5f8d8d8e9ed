#include "app/cli/mri/mri_training.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "app/cli/console.h"
#include "app/cli/mri/mri_common.h"
#include "app/cli/signals.h"
#include "core/common/atomic_file.h"
#include "core/common/cancel.h"
#include "core/common/device.h"
#include "core/common/error.h"
#include "core/mri/diffusion/sketch.h"
#include "core/mri/io/volume_io.h"

namespace qs::cli::mri {

std::set<std::string> training_options(std::set<std::string> own) {
  own.insert({"--split", "--out", "--steps", "--batch", "--crop", "--lr", "--seed", "--device", "--eval-every", "--max-minutes", "--aug-contrast", "--aug-bias",
              "--aug-deform", "--aug-noise"});
  return own;
}

std::set<std::string> training_flags() { return {"--resume", "--force"}; }

SplitVolume read_split_volume(const Args& a, const std::string& command) {
  if (a.positional().size() != 1 || !a.has("--split") || !a.has("--out"))
    fail(ErrorKind::kInvalidArgument, "mri " + command + " VOL --split SPLIT.json --out DIR (the split names the held-out slices it never trains on)");
  SplitVolume sv;
  sv.split = qs::mri::read_slice_split(a.get("--split"));
  if (sv.split.axis != "axial") fail(ErrorKind::kUnsupported, command + ": only axial splits are read so far");
  const qs::mri::Volume v = qs::mri::read_volume(a.positional()[0]);
  if (v.data.size(0) != sv.split.slices)
    fail(ErrorKind::kInvalidArgument, "'" + a.get("--split") + "' describes " + std::to_string(sv.split.slices) + " slices, the volume has " + std::to_string(v.data.size(0)));
  sv.slices = v.data.is_complex() ? at::abs(v.data) : v.data;
  return sv;
}

qs::mri::SliceTrainOptions slice_train_options(const Args& a, double default_lr) {
  qs::mri::SliceTrainOptions o;
  o.batch = a.get_ll_in("--batch", 16, 1, 4096);
  o.crop = a.get_ll_in("--crop", 64, 4, 4096);
  o.lr = a.get_double_in("--lr", default_lr, 1e-9, 1);
  o.seed = uint64_t(a.get_ll_in("--seed", 1, 0, int64_t(1) << 62));
  o.device = parse_device(a.get("--device", "cpu"));
  o.augment.contrast = a.get_double_in("--aug-contrast", 0, 0, 5);
  o.augment.bias = a.get_double_in("--aug-bias", 0, 0, 5);
  o.augment.deform = a.get_double_in("--aug-deform", 0, 0, 64);
  o.augment.noise = a.get_double_in("--aug-noise", 0, 0, 1);
  return o;
}

std::vector<qs::mri::MaskSpec> training_mask_choices(const Args& a) {
  return qs::mri::mask_choices(split_list(a.get("--masks", "random,equispaced")), accelerations_from_args(a, "4,8"));
}

TrainingLoop training_loop(const Args& a, const std::string& command, int64_t default_steps, int64_t default_eval_every) {
  TrainingLoop l;
  l.command = command;
  l.out_dir = a.get("--out");
  l.checkpoint = l.out_dir + "/checkpoint.pt";
  l.curve = l.out_dir + "/loss.csv";
  l.steps = a.get_ll_in("--steps", default_steps, 1, 100000000);
  l.eval_every = a.get_ll_in("--eval-every", default_eval_every, 1, 100000000);
  l.max_minutes = a.get_double_in("--max-minutes", 1e9, 0.01, 1e9);
  if (!a.flag("--resume") && std::filesystem::exists(l.checkpoint) && !a.flag("--force"))
    fail(ErrorKind::kInvalidArgument, "'" + l.checkpoint + "' exists: pass --resume to continue it or --force to start over");
  create_parent_folders(l.checkpoint);
  check_writable_target(l.curve, true);
  return l;
}

int run_training(const Args& a, TrainingLoop& l, qs::mri::NetworkTrainer& t) {
  if (a.flag("--resume") && std::filesystem::exists(l.checkpoint)) {
    t.load_checkpoint(l.checkpoint);
    std::cout << "resumed at step " << t.steps_done() << "\n";
  }
  std::string csv = "step,loss," + l.eval_columns + "\n";
  const std::string no_eval(size_t(std::count(l.eval_columns.begin(), l.eval_columns.end(), ',')), ',');
  CancelToken cancel;
  install_interrupt(cancel);
  using Clock = std::chrono::steady_clock;
  const auto started = Clock::now();
  const int64_t first = t.steps_done();
  bool out_of_time = false;
  // Evaluation time is left out of the rate, so it reads as training throughput.
  double eval_seconds = 0;
  auto rate = [&] {
    const double secs = std::chrono::duration<double>(Clock::now() - started).count() - eval_seconds;
    return secs > 0 ? double(t.steps_done() - first) / secs : 0.0;
  };
  while (t.steps_done() < l.steps && !cancel.cancelled() && !out_of_time) {
    const double loss = t.step();
    const int64_t s = t.steps_done();
    out_of_time = std::chrono::duration<double>(Clock::now() - started).count() > 60.0 * l.max_minutes;
    std::string cells = no_eval;
    if (s % l.eval_every == 0 || s == l.steps || out_of_time) {
      const double r = rate();
      const auto e0 = Clock::now();
      auto [c, text] = l.evaluate();
      eval_seconds += std::chrono::duration<double>(Clock::now() - e0).count();
      cells = c;
      std::printf("step %lld/%lld  loss %.5f  %.1f steps/s  %s\n", (long long)s, (long long)l.steps, loss, r, text.c_str());
    } else if (s % 10 == 0) {
      std::printf("step %lld/%lld  loss %.5f  %.1f steps/s\n", (long long)s, (long long)l.steps, loss, rate());
    }
    std::fflush(stdout);
    char buf[48];
    std::snprintf(buf, sizeof buf, "%lld,%.6g,", (long long)s, loss);
    csv += buf + cells + "\n";
  }
  t.save_checkpoint(l.checkpoint);
  write_file_atomically(l.curve, csv, true);
  l.save_weights();
  if (cancel.cancelled()) {
    std::cout << "stopped at step " << t.steps_done() << "; --resume continues it\n";
    return 130;
  }
  if (out_of_time) std::cout << "stopped by --max-minutes at step " << t.steps_done() << " of " << l.steps << "\n";
  std::cout << "wrote " << l.out_dir << " (weights, checkpoint.pt, loss.csv)\n";
  return 0;
}

}  // namespace qs::cli::mri
