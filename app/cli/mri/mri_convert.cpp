// mri convert: a volume from one format to another (NIfTI/MetaImage/NRRD, fastMRI .h5 as a
// compressed reconstruction_esc, BART .cfl, one PNG slice), e.g. to carry a head volume to a
// machine without ITK.
#include <iostream>

#include "app/cli/mri/mri_common.h"
#include "core/common/error.h"
#include "core/mri/io/volume_io.h"

namespace qs::cli::mri {

int cmd_convert(int argc, char** argv) {
  Args a(argc, argv, 3, {"--time", "--slices"}, {"--force"}, {});
  if (a.positional().size() != 2) fail(ErrorKind::kInvalidArgument, "mri convert IN OUT [--slices A:B] [--time T] [--force]");
  qs::mri::Volume v = qs::mri::read_volume(a.positional()[0], {a.get_ll_in("--time", 0, 0, 1 << 30)});
  v.data = select_slices(v.data, a.get("--slices"));
  qs::mri::WriteOptions o;
  o.force = a.flag("--force");
  qs::mri::write_volume(a.positional()[1], v, o);
  std::cout << "wrote " << a.positional()[1] << " (" << v.data.size(0) << " x " << v.data.size(1) << " x " << v.data.size(2) << ")\n";
  return 0;
}

}  // namespace qs::cli::mri
