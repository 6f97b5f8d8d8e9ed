// mri info: what a file holds, in the terms a user checks before reconstructing it.
#include <cstdio>
#include <iostream>

#include "app/cli/mri/mri_common.h"
#include "core/common/error.h"
#include "core/mri/io/fastmri_h5.h"
#include "core/mri/io/volume_io.h"
#include "core/mri/mask.h"

namespace qs::cli::mri {

namespace {

void print_stats(const at::Tensor& x, const char* what) {
  const at::Tensor m = magnitude(x).to(at::kDouble);
  std::printf("%s: %s %s, |min| %.6g  |max| %.6g  |mean| %.6g\n", what, qs::mri::shape_string(x).c_str(),
              x.is_complex() ? "complex64" : "float32", m.min().item<double>(), m.max().item<double>(), m.mean().item<double>());
}

}  // namespace

int cmd_info(int argc, char** argv) {
  Args a(argc, argv, 3, {"--time"}, {}, {});
  if (a.positional().size() != 1) fail(ErrorKind::kInvalidArgument, "mri info takes one file or DICOM folder");
  const std::string path = a.positional()[0];
  std::cout << "file: " << path << "\n";
  if (qs::mri::is_hdf5_file(path)) {
    const qs::mri::Scan s = qs::mri::read_fastmri(path);
    std::cout << "format: fastMRI HDF5, " << (s.kspace.defined() ? (s.multicoil ? "multi-coil" : "single-coil") : "no k-space") << "\n";
    if (s.kspace.defined()) print_stats(s.kspace, "kspace (S, C, H, W)");
    if (s.target.defined()) print_stats(s.target, s.target_name.c_str());
    if (s.mask.defined())
      std::printf("mask: %s, sampled %.4f (acceleration %.3f)\n", qs::mri::shape_string(s.mask).c_str(), qs::mri::sampled_fraction(s.mask),
                  1.0 / qs::mri::sampled_fraction(s.mask));
    for (const auto& [k, v] : s.numeric_attrs) std::printf("attr %s = %.9g\n", k.c_str(), v);
    for (const auto& [k, v] : s.attrs) std::cout << "attr " << k << " = " << v << "\n";
    return 0;
  }
  const qs::mri::Volume v = qs::mri::read_volume(path, {a.get_ll_in("--time", 0, 0, 1 << 30)});
  const auto& g = v.geometry;
  std::cout << "format: " << v.format << "\n";
  std::printf("size (x, y, z): %lld x %lld x %lld", (long long)v.data.size(2), (long long)v.data.size(1), (long long)v.data.size(0));
  if (v.time_points > 1) std::printf("  time points: %lld (showing %lld)", v.time_points, v.time_point);
  std::printf("\nspacing (mm): %.6g x %.6g x %.6g\norigin (mm): %.6g, %.6g, %.6g\n", g.spacing[0], g.spacing[1], g.spacing[2], g.origin[0], g.origin[1],
              g.origin[2]);
  std::printf("direction: [%g %g %g; %g %g %g; %g %g %g]\n", g.direction[0], g.direction[1], g.direction[2], g.direction[3], g.direction[4],
              g.direction[5], g.direction[6], g.direction[7], g.direction[8]);
  print_stats(v.data, "data (S, H, W)");
  return 0;
}

}  // namespace qs::cli::mri
