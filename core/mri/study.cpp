#include "core/mri/study.h"

#include <algorithm>
#include <chrono>

#include "core/common/error.h"

namespace qs::mri {

std::vector<StudyRun> run_study(const Scan& scan, const std::vector<MaskSpec>& masks, const std::vector<StudyMethod>& methods, const StudyOptions& o,
                                const StudyProgressFn& progress, const CancelToken& cancel) {
  if (!scan.kspace.defined() || scan.kspace.dim() != 4) fail(ErrorKind::kInvalidArgument, "a study needs k-space (S, C, H, W)");
  if (!scan.target.defined() || scan.target.dim() != 3 || scan.target.size(0) != scan.kspace.size(0))
    fail(ErrorKind::kInvalidArgument, "a study needs a target (S, H, W) for its " + std::to_string(scan.kspace.size(0)) + " slice(s)");
  if (masks.empty() || methods.empty()) fail(ErrorKind::kInvalidArgument, "a study needs at least one mask and one method");
  for (const auto& m : methods) (void)recon_registry().get(m.name);  // unknown names fail before any work
  const at::Tensor k = scan.kspace.to(o.device);
  const int64_t slices = k.size(0), h = k.size(2), w = k.size(3);
  const int64_t chunk = o.chunk > 0 ? std::min(o.chunk, slices) : slices;
  const double total = double(masks.size() * methods.size()) * double(slices);
  double done = 0;
  std::vector<StudyRun> runs;
  for (const MaskSpec& spec : masks) {
    ReconProblem p;
    p.mask = expand_mask(make_mask(spec, h, w), h, w, o.device);
    p.multicoil = scan.multicoil;
    const at::Tensor measured = apply_mask(k, p.mask);
    for (const StudyMethod& method : methods) {
      std::vector<at::Tensor> parts;
      const auto start = std::chrono::steady_clock::now();
      for (int64_t from = 0; from < slices; from += chunk) {
        cancel.check();
        const int64_t len = std::min(chunk, slices - from);
        p.kspace = measured.narrow(0, from, len);
        const std::string what = method.name + " (" + spec.type + " " + std::to_string(spec.acceleration).substr(0, 4) + "x), slices " +
                                 std::to_string(from + 1) + "-" + std::to_string(from + len) + " of " + std::to_string(slices);
        auto inner = [&](long long it, long long of) {
          if (progress) progress((done + (of > 0 ? double(it) / double(of) : 0.0) * double(len)) / total, what + ", iteration " + std::to_string(it) + "/" + std::to_string(of));
        };
        const at::Tensor x = run_recon(method.name, p, method.options, inner, cancel);
        parts.push_back((x.is_complex() ? at::abs(x) : x).to(at::kCPU, at::kFloat));
        done += double(len);
        if (progress) progress(done / total, what);
      }
      StudyRun run;
      run.mask = spec;
      run.sampled_fraction = sampled_fraction(p.mask);
      run.method = method.name;
      run.seconds_per_slice = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / double(slices);
      const at::Tensor image = at::cat(parts, 0);
      run.metrics = evaluate_volume(scan.target, image);
      if (o.keep_images) run.image = image;
      runs.push_back(std::move(run));
    }
  }
  return runs;
}

}  // namespace qs::mri
