// What the `quantiscope mri ...` subcommands share: slice ranges, sizes, masks from options,
// metric tables and CSV.
#pragma once
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "app/cli/args.h"
#include "app/cli/console.h"
#include "core/mri/mask.h"
#include "core/mri/metrics.h"
#include "core/mri/recon/recon_method.h"
#include "core/mri/volume.h"

namespace qs::cli::mri {

int cmd_info(int argc, char** argv);
int cmd_simulate(int argc, char** argv);
int cmd_mask(int argc, char** argv);
int cmd_recon(int argc, char** argv);
int cmd_eval(int argc, char** argv);
int cmd_compare(int argc, char** argv);
int cmd_convert(int argc, char** argv);
int cmd_train_vae(int argc, char** argv);
int cmd_eval_vae(int argc, char** argv);
int cmd_train_sketch(int argc, char** argv);
int cmd_train_ldm(int argc, char** argv);

// "a:b" (half-open), "a" (one slice) or "" (all) applied to axis 0.
at::Tensor select_slices(const at::Tensor& x, const std::string& range);
// "HxW" -> {H, W}.
std::pair<int64_t, int64_t> parse_size(const std::string& text, const std::string& option);
// --accels "4,8": accelerations of 1 to 1024 (default_list when absent).
std::vector<double> accelerations_from_args(const Args& a, const std::string& default_list);
// --type/--accel/--center/--seed (with the given option prefix, "" or "mask-").
qs::mri::MaskSpec mask_spec_from_args(const Args& a, const std::string& prefix);
// The scan `mri simulate` and `mri compare` make from a volume: --slices, --crop (centre
// crop/pad), --coils, --phase (its pattern from phase_seed).
qs::mri::Scan simulate_from_args(const Args& a, const qs::mri::Volume& volume, uint64_t phase_seed);
// -o NAME=VALUE options (repeatable) plus --lambda/--iters/--rho shortcuts.
qs::mri::ReconOptions recon_options_from_args(const Args& a, const std::string& method);
// The magnitude of a reconstruction, on CPU, float32.
at::Tensor magnitude(const at::Tensor& x);

void print_metrics(const qs::mri::VolumeMetrics& m, bool per_slice);
void write_metrics_csv(const std::string& path, const qs::mri::VolumeMetrics& m, bool force);

}  // namespace qs::cli::mri
