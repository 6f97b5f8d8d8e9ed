// An MRI study: every mask x every method over the slices of one scan, each reconstruction
// scored with fastMRI's per-volume metrics (the PSNR's data range is the maximum of the slices
// studied together, so one slice scored alone and the same slice scored in a stack differ; the
// result says which range it used). `quantiscope mri compare` and the MRI workspace both run
// this, so the command line and the GUI give the same numbers for the same request.
//
//   for mask in masks:            M = expand(make_mask(mask, H, W))
//     for method in methods:      x = |run_recon(method, M k, options)|  in chunks of slices
//       run = {mask, method, sampled fraction of M, seconds per slice, evaluate_volume(target, x)}
//
// Progress (fraction of all slice reconstructions, and what runs) and Cancel between chunks
// and inside each method's iterations.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "core/common/cancel.h"
#include "core/mri/mask.h"
#include "core/mri/metrics.h"
#include "core/mri/recon/recon_method.h"
#include "core/mri/volume.h"

namespace qs::mri {

struct StudyMethod {
  std::string name;  // a registered reconstruction method
  ReconOptions options;
};

struct StudyOptions {
  // Slices per reconstruction call (0: all at once). Methods that normalise by their input's
  // maximum (cs-tv, ldpm's scale) see each chunk on its own, so the chunk is part of the request.
  int64_t chunk = 0;
  bool keep_images = false;  // keep each run's magnitude images (S, H, W) on the CPU
  at::Device device = at::Device(at::kCPU);
};

struct StudyRun {
  MaskSpec mask;
  double sampled_fraction = 0;
  std::string method;
  double seconds_per_slice = 0;
  VolumeMetrics metrics;  // metrics.data_range: the range its PSNR used
  at::Tensor image;       // (S, H, W) float32 on the CPU when keep_images, else undefined
};

// fraction in [0, 1] of all (mask, method, slice) reconstructions; `what` names the method,
// the slices and the iteration.
using StudyProgressFn = std::function<void(double fraction, const std::string& what)>;

// scan: k-space (S, C, H, W) and its target (S, H, W). Runs in the order mask-major, then
// method. Error(kCancelled) on Cancel; errors of a method propagate (nothing half-done is returned).
std::vector<StudyRun> run_study(const Scan& scan, const std::vector<MaskSpec>& masks, const std::vector<StudyMethod>& methods, const StudyOptions& options,
                                const StudyProgressFn& progress, const CancelToken& cancel);

}  // namespace qs::mri
