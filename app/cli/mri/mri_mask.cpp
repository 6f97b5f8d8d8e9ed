// mri mask: make an undersampling mask and report what it samples.
#include <cstdio>

#include "app/cli/mri/mri_common.h"
#include "core/common/error.h"
#include "core/common/output_guard.h"
#include "core/common/strings.h"
#include "core/mri/io/cfl.h"
#include "core/mri/io/fastmri_h5.h"
#include "core/common/atomic_file.h"
#include "core/common/memory_budget.h"
#include "core/mri/io/volume_io.h"

namespace qs::cli::mri {

int cmd_mask(int argc, char** argv) {
  Args a(argc, argv, 3, {"--type", "--accel", "--center", "--seed", "--shape", "--like", "--out"}, {"--force"}, {});
  int64_t h = 0, w = 0;
  if (a.has("--shape")) std::tie(h, w) = parse_size(a.get("--shape"), "--shape");
  else if (a.has("--like")) {
    const qs::mri::Scan s = qs::mri::read_scan(a.get("--like"));
    h = s.kspace.size(2), w = s.kspace.size(3);
  } else {
    h = 640, w = 368;  // fastMRI's typical knee k-space (readout x phase encode)
    std::fprintf(stderr, "no --shape or --like: using fastMRI's knee k-space size 640x368\n");
  }
  const qs::mri::MaskSpec spec = mask_spec_from_args(a, "");
  require_within_budget(double(h) * double(w) * 4.0 * 3.0, "a " + std::to_string(h) + " x " + std::to_string(w) + " mask");
  const at::Tensor m = qs::mri::make_mask(spec, h, w);
  const at::Tensor cols = m.ne(0).any(0);
  const double frac = qs::mri::sampled_fraction(m);
  std::printf("mask %s %lld x %lld: %lld of %lld columns touched, sampled fraction %.5f, acceleration %.3f\n", spec.type.c_str(), (long long)h,
              (long long)w, (long long)cols.sum().item<int64_t>(), (long long)w, frac, 1.0 / frac);
  if (a.has("--out")) {
    const std::string out = a.get("--out");
    const bool one_d = spec.type != "gaussian2d";
    const at::Tensor data = one_d ? m[0] : m;
    qs::mri::Volume v;
    v.data = m.unsqueeze(0);
    if (ends_with(out, ".png") || qs::mri::is_cfl_path(out)) {
      qs::mri::WriteOptions wo;
      wo.force = a.flag("--force");
      wo.window_low = 0, wo.window_high = 1;  // PNG: 0 black, 1 white
      qs::mri::write_volume(out, v, wo);
    } else {
      check_writable_target(out, a.flag("--force"));
      qs::mri::Scan s;
      s.mask = data;
      s.numeric_attrs["acceleration"] = spec.acceleration;
      s.attrs["mask_type"] = spec.type;
      qs::mri::write_fastmri(out, s);
    }
    std::printf("wrote %s\n", out.c_str());
  }
  return 0;
}

}  // namespace qs::cli::mri
