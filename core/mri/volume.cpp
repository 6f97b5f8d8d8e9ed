#include "core/mri/volume.h"

#include "core/common/error.h"

namespace qs::mri {

void check_finite(const at::Tensor& t, const std::string& what) {
  if (!t.defined() || t.numel() == 0) return;
  const at::Tensor v = t.is_complex() ? at::view_as_real(t) : t;
  if (!v.is_floating_point()) return;
  if (!at::isfinite(v).all().item<bool>()) {
    const int64_t bad = (~at::isfinite(v)).sum().item<int64_t>();
    fail(ErrorKind::kFormat, what + " contains " + std::to_string(bad) + " NaN/Inf value(s)");  // a malformed file: exit 4
  }
}

std::string shape_string(const at::Tensor& t) {
  std::string s;
  for (int64_t d = 0; d < t.dim(); ++d) s += (d ? " x " : "") + std::to_string(t.size(d));
  return s;
}

}  // namespace qs::mri
