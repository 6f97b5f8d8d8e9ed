// mri simulate: a fully sampled fastMRI-layout scan from a magnitude (or complex) volume.
#include <iostream>

#include "app/cli/mri/mri_common.h"
#include "core/common/error.h"
#include "core/mri/io/volume_io.h"
#include "core/mri/simulate.h"

namespace qs::cli::mri {

int cmd_simulate(int argc, char** argv) {
  Args a(argc, argv, 3, {"--out", "--coils", "--slices", "--crop", "--time", "--seed"}, {"--phase", "--force"}, {});
  if (a.positional().size() != 1) fail(ErrorKind::kInvalidArgument, "mri simulate takes one volume");
  if (!a.has("--out")) fail(ErrorKind::kInvalidArgument, "--out K.h5 (or K.cfl) is required");
  const qs::mri::Volume v = qs::mri::read_volume(a.positional()[0], {a.get_ll("--time", 0)});
  qs::mri::Scan scan = simulate_from_args(a, v, static_cast<uint64_t>(a.get_ll("--seed", 0)));
  scan.attrs["patient_id"] = v.source;
  qs::mri::write_scan(a.get("--out"), scan, a.flag("--force"));
  std::cout << "wrote " << a.get("--out") << ": kspace " << qs::mri::shape_string(scan.kspace) << (scan.multicoil ? " multi-coil" : " single-coil")
            << ", " << scan.target_name << " " << qs::mri::shape_string(scan.target) << "\n";
  return 0;
}

}  // namespace qs::cli::mri
